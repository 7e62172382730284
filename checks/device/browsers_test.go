package device

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// tree builds a fake file system: path → content; a content starting with
// "#!" is written executable, one starting with "->" is a symlink. A path ending in "/" is a directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func script(out string) string { return "#!/bin/sh\necho '" + out + "'\n" }

func plist(version string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleExecutable</key>
	<string>X</string>
	<key>LSEnvironment</key>
	<dict><key>MallocNanoZone</key><string>0</string></dict>
	<key>CFBundleShortVersionString</key>
	<string>` + version + `</string>
</dict>
</plist>
`
}

func testEnv(goos, root string) *checks.Env {
	return &checks.Env{GOOS: goos, FSRoot: root, Getenv: func(string) string { return "" }, Now: time.Now}
}

func TestBrowsers(t *testing.T) {
	tests := []struct {
		name      string
		goos      string
		files     map[string]string
		minMajor  map[string]int
		exclude   []string
		status    checks.Status
		code      string
		families  []string // families found, in order
		versions  []string
		chrome    string // path suffix of Inventory.Chrome ("" none)
		summaryIn string
	}{
		{
			name: "linux chromium and firefox", goos: "linux",
			files: map[string]string{
				"usr/bin/chromium":                script("Chromium 120.0.6099.224 built on Debian 12.4, running on Debian 12.5"),
				"usr/lib/chromium/chromium":       script("Chromium 120.0.6099.224 built on Debian 12.4"),
				"usr/bin/firefox":                 "->../lib/firefox/firefox",
				"usr/lib/firefox/firefox":         script("should not run"),
				"usr/lib/firefox/application.ini": "[Build]\nVersion=1\n[App]\nVendor=Mozilla\nVersion=128.0.3\n",
			},
			status: checks.StatusPass, code: checks.CodeOK,
			families: []string{FamilyChromium, FamilyFirefox}, versions: []string{"120.0.6099.224", "128.0.3"},
			chrome: "usr/bin/chromium",
		},
		{
			name: "darwin chrome and firefox plists", goos: "darwin",
			files: map[string]string{
				"Applications/Google Chrome.app/Contents/MacOS/Google Chrome": "bin",
				"Applications/Google Chrome.app/Contents/Info.plist":          plist("121.0.6167.85"),
				"Applications/Firefox.app/Contents/MacOS/firefox":             "bin",
				"Applications/Firefox.app/Contents/Info.plist":                plist("122.0.1"),
			},
			status: checks.StatusPass, code: checks.CodeOK,
			families: []string{FamilyChrome, FamilyFirefox}, versions: []string{"121.0.6167.85", "122.0.1"},
			chrome: "Google Chrome.app/Contents/MacOS/Google Chrome",
		},
		{
			name: "windows IE only", goos: "windows",
			files: map[string]string{
				"Program Files/Internet Explorer/iexplore.exe": "exe",
			},
			status: checks.StatusFail, code: CodeUnsupported,
			families: []string{FamilyIE}, versions: []string{""},
		},
		{
			name: "windows edge and IE", goos: "windows",
			files: map[string]string{
				"Program Files/Internet Explorer/iexplore.exe":                       "exe",
				"Program Files (x86)/Microsoft/Edge/Application/msedge.exe":          "exe",
				"Program Files (x86)/Microsoft/Edge/Application/119.0.2151.97/":      "",
				"Program Files (x86)/Microsoft/Edge/Application/120.0.2210.91/":      "",
				"Program Files (x86)/Microsoft/Edge/Application/SetupMetrics/":       "",
				"Program Files (x86)/Microsoft/Edge/Application/120.0.2210.91/x.dll": "dll",
			},
			status: checks.StatusPass, code: checks.CodeOK,
			families: []string{FamilyEdge, FamilyIE}, versions: []string{"120.0.2210.91", ""},
			chrome: "Edge/Application/msedge.exe", summaryIn: "use Microsoft Edge, not Internet Explorer",
		},
		{
			name: "windows firefox excluded by policy", goos: "windows",
			files: map[string]string{
				"Program Files/Mozilla Firefox/firefox.exe":     "exe",
				"Program Files/Mozilla Firefox/application.ini": "[App]\nVersion=115.6.0\n",
			},
			exclude: []string{"Firefox"},
			status:  checks.StatusFail, code: CodeUnsupported,
			families: []string{FamilyFirefox}, versions: []string{"115.6.0"},
		},
		{
			name: "nothing installed", goos: "linux",
			files:  map[string]string{"usr/bin/": "", "opt/": ""},
			status: checks.StatusFail, code: CodeNoBrowser,
		},
		{
			name: "nothing on a mac", goos: "darwin",
			files:  map[string]string{"Applications/Safari.app/Contents/Info.plist": plist("17.2")},
			status: checks.StatusFail, code: CodeNoBrowser,
		},
		{
			name: "outdated chrome only", goos: "linux",
			files: map[string]string{
				"opt/google/chrome/chrome": script("Google Chrome 89.0.4389.90 "),
			},
			minMajor: map[string]int{FamilyChrome: 110},
			status:   checks.StatusWarn, code: CodeOutdated,
			families: []string{FamilyChrome}, versions: []string{"89.0.4389.90"},
			chrome: "opt/google/chrome/chrome", summaryIn: "older than the required version 110",
		},
		{
			name: "windows chrome in version folders", goos: "windows",
			files: map[string]string{
				"Program Files/Google/Chrome/Application/chrome.exe":      "exe",
				"Program Files/Google/Chrome/Application/9.0.597.98/":     "",
				"Program Files/Google/Chrome/Application/120.0.6099.130/": "",
			},
			minMajor: map[string]int{FamilyChrome: 110},
			status:   checks.StatusPass, code: checks.CodeOK,
			families: []string{FamilyChrome}, versions: []string{"120.0.6099.130"},
			chrome: "Chrome/Application/chrome.exe",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(tc.goos, tree(t, tc.files))
			env.Target.Browser.MinMajor = tc.minMajor
			env.Target.Browser.Exclude = tc.exclude
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			r := New().Run(ctx, env, nil)
			if r.Status != tc.status || r.Code != tc.code {
				t.Fatalf("got %s/%s (%s), want %s/%s", r.Status, r.Code, r.Summary, tc.status, tc.code)
			}
			if r.Variant != tc.goos {
				t.Errorf("variant %q, want %q", r.Variant, tc.goos)
			}
			inv, ok := r.Data.(Inventory)
			if !ok {
				t.Fatalf("Data is %T, want Inventory", r.Data)
			}
			var fams, vers []string
			for _, b := range inv.Browsers {
				fams = append(fams, b.Family)
				vers = append(vers, b.Version)
				if !strings.HasPrefix(b.Path, env.FSRoot) {
					t.Errorf("path %q outside the fake tree", b.Path)
				}
			}
			if strings.Join(fams, ",") != strings.Join(tc.families, ",") || strings.Join(vers, ",") != strings.Join(tc.versions, ",") {
				t.Errorf("found %v %v, want %v %v", fams, vers, tc.families, tc.versions)
			}
			path, ok := inv.ChromePath()
			if tc.chrome == "" && ok || tc.chrome != "" && !strings.HasSuffix(filepath.ToSlash(path), tc.chrome) {
				t.Errorf("ChromePath = %q %v, want suffix %q", path, ok, tc.chrome)
			}
			if tc.summaryIn != "" && !strings.Contains(r.Summary, tc.summaryIn) {
				t.Errorf("summary %q lacks %q", r.Summary, tc.summaryIn)
			}
			if r.Status != checks.StatusPass && (r.Severity == checks.SeverityInfo || r.Owner == "") {
				t.Errorf("finding without severity/owner: %+v", r)
			}
			if _, ok := r.Evidence["browsers"]; !ok {
				t.Error("no browsers evidence")
			}
		})
	}
}

func TestBrowsersParams(t *testing.T) {
	env := testEnv("windows", tree(t, map[string]string{
		"Program Files/Internet Explorer/iexplore.exe": "exe",
	}))
	r := New().Run(context.Background(), env, nil)
	if r.Params["found"] != "Internet Explorer" {
		t.Errorf("params %v", r.Params)
	}
	env = testEnv("linux", tree(t, map[string]string{
		"usr/bin/firefox":  script("Mozilla Firefox 78.0esr"),
		"usr/bin/chromium": script("Chromium 120.0.6099.224"),
	}))
	env.Target.Browser.MinMajor = map[string]int{FamilyFirefox: 115, FamilyChromium: 100}
	r = New().Run(context.Background(), env, nil)
	want := map[string]string{"browser": "Firefox", "version": "78.0", "min_version": "115", "alternative": "Chromium"}
	for k, v := range want {
		if r.Params[k] != v {
			t.Errorf("param %s = %q, want %q (%v)", k, r.Params[k], v, r.Params)
		}
	}
	if r.Code != CodeOutdated || r.Severity != checks.SeverityLow {
		t.Errorf("got %s/%s, want %s/low when another browser is current", r.Code, r.Severity, CodeOutdated)
	}
}

func TestFindChrome(t *testing.T) {
	root := tree(t, map[string]string{
		"usr/bin/firefox":          script("Mozilla Firefox 128.0"),
		"usr/bin/chromium":         script("Chromium 120.0"),
		"opt/google/chrome/chrome": script("Google Chrome 121.0"),
		"custom/chrome":            script("Google Chrome 122.0"),
	})
	tests := []struct {
		name, configured, want string
		ok                     bool
	}{
		{"prefers chrome", "", "opt/google/chrome/chrome", true},
		{"configured inside the tree", "/custom/chrome", "custom/chrome", true},
		{"configured real path", filepath.Join(root, "custom", "chrome"), "custom/chrome", true},
		{"configured but missing", "/custom/missing", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv("linux", root)
			env.Target.Browser.Path = tc.configured
			got, ok := FindChrome(context.Background(), env)
			if ok != tc.ok || tc.ok && got != filepath.Join(root, filepath.FromSlash(tc.want)) || !tc.ok && got != "" {
				t.Errorf("FindChrome = %q %v, want %q %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	env := testEnv("linux", tree(t, map[string]string{"usr/bin/firefox": script("Mozilla Firefox 128.0")}))
	if got, ok := FindChrome(context.Background(), env); ok {
		t.Errorf("firefox only: FindChrome = %q, want none", got)
	}
}

func TestVersionFromRunHang(t *testing.T) {
	root := tree(t, map[string]string{"usr/bin/chromium": "#!/bin/sh\nsleep 30\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := New().Run(ctx, testEnv("linux", root), nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("hung for %v", d)
	}
	inv := r.Data.(Inventory)
	if len(inv.Browsers) != 1 || inv.Browsers[0].Version != "" {
		t.Errorf("want one chromium of unknown version, got %+v", inv.Browsers)
	}
}

type fakeReg map[string]string

func (f fakeReg) String(key, name string) (string, bool) {
	v, ok := f[key+"|"+name]
	return v, ok
}

func TestBrowsersFromRegistry(t *testing.T) {
	reg := fakeReg{
		appPathsKey + "chrome.exe|":                              `"C:\Program Files\Google\Chrome\Application\chrome.exe"`,
		`HKCU\Software\Google\Chrome\BLBeacon|version`:           "120.0.6099.130",
		appPathsKey + "msedge.exe|":                              `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`,
		`HKLM\SOFTWARE\Microsoft\Edge\BLBeacon|version`:          "120.0.2210.91",
		appPathsKey + "firefox.exe|":                             `C:\gone\firefox.exe`,
		appPathsKey + "iexplore.exe|":                            `C:\Program Files\Internet Explorer\IEXPLORE.EXE`,
		`HKLM\SOFTWARE\Microsoft\Internet Explorer|Version`:      "9.11.19041.0",
		`HKLM\SOFTWARE\Microsoft\Internet Explorer|svcVersion`:   "11.1.19041.0",
		`HKLM\SOFTWARE\Microsoft\Internet Explorer|unrelated`:    "x",
		`HKCU\Software\Microsoft\Edge\BLBeacon|version`:          "garbage",
		appPathsKey + "notabrowser.exe|":                         `C:\x.exe`,
		`HKLM\SOFTWARE\Google\Chrome\BLBeacon|version`:           "1.0",
		`HKCU\Software\Google\Chrome\BLBeacon|unrelated`:         "2.0",
		`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App|`:    "x",
		`HKLM\SOFTWARE\Microsoft\Internet Explorer\Main|Version`: "x",
	}
	exists := func(p string) bool { return !strings.Contains(p, `\gone\`) }
	got := browsersFromRegistry(reg, exists)
	want := []Browser{
		{FamilyChrome, "Google Chrome", "120.0.6099.130", `C:\Program Files\Google\Chrome\Application\chrome.exe`},
		{FamilyEdge, "Microsoft Edge", "120.0.2210.91", `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`},
		{FamilyIE, "Internet Explorer", "11.1.19041.0", `C:\Program Files\Internet Explorer\IEXPLORE.EXE`},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("browser %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParsers(t *testing.T) {
	versions := map[string]string{
		"Chromium 120.0.6099.224 built on Debian 12.4": "120.0.6099.224",
		"Mozilla Firefox 128.0esr":                     "128.0",
		"Google Chrome 121.0.6167.85 ":                 "121.0.6167.85",
		"Microsoft Edge 120.0.2210.91":                 "120.0.2210.91",
		"no version here 12":                           "",
		"":                                             "",
	}
	for in, want := range versions {
		if got := findVersion(in); got != want {
			t.Errorf("findVersion(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := plistString(strings.NewReader("bplist00\x00\x01garbage"), "CFBundleShortVersionString"); err == nil {
		t.Error("binary plist: want an error")
	}
	if v, err := plistString(strings.NewReader(plist("1.2.3")), "CFBundleShortVersionString"); err != nil || v != "1.2.3" {
		t.Errorf("plist: %q %v", v, err)
	}
	if compareVersions("120.0.1", "99.9") <= 0 || compareVersions("1.2", "1.2.0") != 0 {
		t.Error("compareVersions")
	}
}
