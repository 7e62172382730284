package device

import (
	"context"
	"os"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// windowsCandidates are the usual install locations on Windows, written as
// Windows paths (hostPath maps them into a fake tree for tests).
func windowsCandidates(env *checks.Env) []candidate {
	pf := envOr(env, "ProgramFiles", `C:\Program Files`)
	pf86 := envOr(env, "ProgramFiles(x86)", `C:\Program Files (x86)`)
	local := env.Getenv("LOCALAPPDATA")
	var out []candidate
	for _, base := range []string{pf, pf86, local} {
		if base == "" {
			continue
		}
		out = append(out,
			candidate{FamilyChrome, "Google Chrome", base + `\Google\Chrome\Application\chrome.exe`},
			candidate{FamilyChromium, "Chromium", base + `\Chromium\Application\chrome.exe`},
			candidate{FamilyEdge, "Microsoft Edge", base + `\Microsoft\Edge\Application\msedge.exe`},
			candidate{FamilyFirefox, "Firefox", base + `\Mozilla Firefox\firefox.exe`},
		)
	}
	for _, base := range []string{pf, pf86} {
		out = append(out, candidate{FamilyIE, "Internet Explorer", base + `\Internet Explorer\iexplore.exe`})
	}
	return out
}

func envOr(env *checks.Env, key, def string) string {
	if env.Getenv != nil {
		if v := env.Getenv(key); v != "" {
			return v
		}
	}
	return def
}

// windowsVersion reads a browser's version from its install tree: Chrome,
// Chromium and Edge keep one folder per version next to the executable
// (Application\120.0.6099.130\), Firefox has application.ini. The registry
// (BLBeacon, svcVersion) is read by registryVersions on real Windows.
func windowsVersion(b Browser) string {
	dir := dirOf(b.Path)
	switch b.Family {
	case FamilyChrome, FamilyChromium, FamilyEdge:
		return newestVersionDir(dir)
	case FamilyFirefox:
		return appIniVersion(joinPath(dir, "application.ini"))
	}
	return ""
}

// newestVersionDir returns the highest version-named sub-folder of dir.
func newestVersionDir(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	best := ""
	for _, e := range entries {
		if e.IsDir() && isVersion(e.Name()) && (best == "" || compareVersions(e.Name(), best) > 0) {
			best = e.Name()
		}
	}
	return best
}

// regReader reads a string value from the Windows registry; key is the
// full path with its hive ("HKLM\SOFTWARE\…", "HKCU\Software\…") and name
// "" reads the key's default value.
type regReader interface {
	String(key, name string) (string, bool)
}

// registryProbe is one registry entry that names a browser.
type registryProbe struct {
	family, name string
	appPath      string   // App Paths sub-key (e.g. chrome.exe)
	versionKeys  []string // keys whose "version" value is the version
}

func registryProbes() []registryProbe {
	return []registryProbe{
		{FamilyChrome, "Google Chrome", "chrome.exe", []string{`HKCU\Software\Google\Chrome\BLBeacon`, `HKLM\SOFTWARE\Google\Chrome\BLBeacon`}},
		{FamilyEdge, "Microsoft Edge", "msedge.exe", []string{`HKCU\Software\Microsoft\Edge\BLBeacon`, `HKLM\SOFTWARE\Microsoft\Edge\BLBeacon`}},
		{FamilyFirefox, "Firefox", "firefox.exe", nil},
		{FamilyIE, "Internet Explorer", "iexplore.exe", nil},
	}
}

const appPathsKey = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\`

// browsersFromRegistry lists the browsers the registry names: the App
// Paths entry gives the executable, BLBeacon the version of Chrome and
// Edge, and Internet Explorer's svcVersion (or Version) its version.
// Entries whose executable does not exist (exists) are dropped.
func browsersFromRegistry(reg regReader, exists func(string) bool) []Browser {
	var out []Browser
	for _, p := range registryProbes() {
		path, ok := reg.String(appPathsKey+p.appPath, "")
		if !ok {
			continue
		}
		path = strings.Trim(strings.TrimSpace(path), `"`)
		if path == "" || !exists(path) {
			continue
		}
		b := Browser{Family: p.family, Name: p.name, Path: path}
		for _, k := range p.versionKeys {
			if v, ok := reg.String(k, "version"); ok && isVersion(v) {
				b.Version = v
				break
			}
		}
		if p.family == FamilyIE {
			b.Version = ieVersion(reg)
		}
		out = append(out, b)
	}
	return out
}

// ieVersion prefers svcVersion: IE 10 and 11 keep "9.11…" in Version.
func ieVersion(reg regReader) string {
	for _, name := range []string{"svcVersion", "Version"} {
		if v, ok := reg.String(`HKLM\SOFTWARE\Microsoft\Internet Explorer`, name); ok && isVersion(v) {
			return v
		}
	}
	return ""
}

// registryBrowsers reads the real registry on Windows (nothing elsewhere).
func registryBrowsers(_ context.Context, env *checks.Env) []Browser {
	if env.GOOS != "windows" {
		return nil
	}
	reg := systemRegistry()
	if reg == nil {
		return nil
	}
	return browsersFromRegistry(reg, isFile)
}

// dirOf and joinPath work on host paths that may use either separator.
func dirOf(p string) string {
	i := strings.LastIndexAny(p, `/\`)
	if i < 0 {
		return "."
	}
	return p[:i]
}

func joinPath(dir, name string) string {
	sep := "/"
	if strings.Contains(dir, `\`) && !strings.Contains(dir, "/") {
		sep = `\`
	}
	return dir + sep + name
}
