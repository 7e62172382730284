package device

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// darwinApps are the application bundles looked for on macOS, with the
// executable inside Contents/MacOS.
func darwinApps() []candidate {
	return []candidate{
		{FamilyChrome, "Google Chrome", "Google Chrome.app/Contents/MacOS/Google Chrome"},
		{FamilyChromium, "Chromium", "Chromium.app/Contents/MacOS/Chromium"},
		{FamilyEdge, "Microsoft Edge", "Microsoft Edge.app/Contents/MacOS/Microsoft Edge"},
		{FamilyFirefox, "Firefox", "Firefox.app/Contents/MacOS/firefox"},
	}
}

// darwinCandidates are the bundles in /Applications and ~/Applications.
func darwinCandidates(env *checks.Env) []candidate {
	dirs := []string{"/Applications"}
	if home := env.Getenv("HOME"); home != "" && strings.HasPrefix(home, "/") {
		dirs = append(dirs, path.Join(home, "Applications"))
	}
	var out []candidate
	for _, dir := range dirs {
		for _, app := range darwinApps() {
			out = append(out, candidate{app.family, app.name, path.Join(dir, app.path)})
		}
	}
	return out
}

// darwinVersion reads CFBundleShortVersionString from the bundle's
// Contents/Info.plist (binary is …/X.app/Contents/MacOS/X).
func darwinVersion(binary string) string {
	contents := filepath.Dir(filepath.Dir(binary))
	f, err := os.Open(filepath.Join(contents, "Info.plist"))
	if err != nil {
		return ""
	}
	defer f.Close()
	v, err := plistString(io.LimitReader(f, 1<<20), "CFBundleShortVersionString")
	if err != nil || !isVersion(v) {
		return ""
	}
	return v
}

// errNoKey is returned by plistString when the key is absent.
var errNoKey = errors.New("plist: key not found")

// plistString returns the <string> value that follows <key>name</key> in an
// XML property list. Binary plists are not supported (an error).
func plistString(r io.Reader, name string) (string, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	wantValue := false
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", errNoKey
			}
			return "", err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case se.Name.Local == "key":
			var k string
			if err := dec.DecodeElement(&k, &se); err != nil {
				return "", err
			}
			wantValue = strings.TrimSpace(k) == name
		case wantValue && se.Name.Local == "string":
			var v string
			if err := dec.DecodeElement(&v, &se); err != nil {
				return "", err
			}
			return strings.TrimSpace(v), nil
		default:
			wantValue = false
		}
	}
}
