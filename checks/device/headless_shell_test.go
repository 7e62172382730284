package device

import "testing"

func TestIsHeadlessShell(t *testing.T) {
	for path, want := range map[string]bool{
		"/usr/lib/chromium/chromium-headless-shell":                    true,
		"/usr/bin/chromium-headless-shell":                             true,
		`C:\cft\chrome-headless-shell-win64\chrome-headless-shell.exe`: true,
		`C:\CFT\CHROME-HEADLESS-SHELL.EXE`:                             true,
		"/opt/headless_shell/headless_shell":                           true,
		"/usr/bin/chromium":                                            false,
		`C:\Program Files\Google\Chrome\Application\chrome.exe`:        false,
		"/opt/headless-shell-tools/chromium":                           false,
		"":                                                             false,
	} {
		if got := IsHeadlessShell(path); got != want {
			t.Errorf("IsHeadlessShell(%q) = %v, want %v", path, got, want)
		}
	}
}
