//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/logindoctor/logindoctor/checks/browser"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
)

// needBrowser skips without Chromium (in CI it fails).
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("chromium"); err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium, and CI is set")
	}
	t.Skip("needs chromium")
}

// TestServeBrowserPool: browser probes share serve's pool (one warm
// Chrome for two probes), /metrics shows its size and restarts, and
// stopping the server closes it.
func TestServeBrowserPool(t *testing.T) {
	needBrowser(t)
	pages, err := loginpages.Start(loginpages.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pages.Close() })
	ts := startServe(t, writeModules(t, "modules:\n  web:\n    only: [http.login, "+browser.ID+"]\n    check_timeout: 5s\n"), nil)
	for i := range 2 {
		code, _, body := ts.get(t, probePath(pages.URL(loginpages.Healthy), "web"), "25")
		if code != 200 || !strings.Contains(body, `logindoctor_check_status{check="browser.page",code="OK"`) {
			t.Fatalf("probe %d: %d\n%s", i, code, body)
		}
	}
	if n := ts.s.browsers.Launches(); n != 1 {
		t.Errorf("two probes launched %d browsers, want 1", n)
	}
	_, _, metrics := ts.get(t, "/metrics", "")
	for _, want := range []string{"logindoctor_browser_pool_size 1\n", "logindoctor_browser_pool_restarts_total 0\n"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	ts.signals <- syscall.SIGTERM
	<-ts.done
	if n := ts.s.browsers.Size(); n != 0 {
		t.Errorf("%d browsers left after the server stopped", n)
	}
}

// TestRealBinaryPoolRunLeavesNothing: a whole run of the real binary whose
// browser.page uses the run's warm pool leaves no process and no profile.
func TestRealBinaryPoolRunLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	needBrowser(t)
	bin := buildBinary(t)
	pages, err := loginpages.Start(loginpages.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pages.Close() })
	home, tmp := t.TempDir(), t.TempDir()
	cmd := exec.Command(bin, pages.URL(loginpages.Healthy), "--config", loopbackProfile(t, ""),
		"--check-timeout", "10s", "--timeout", "60s", "--skip", "device.browsers", "--format", "json")
	cmd.Env = binaryEnv(home, tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	if !strings.Contains(stdout.String(), `"browser_warm"`) {
		t.Fatalf("browser.page did not run on the pool:\n%.2000s\n%s", stdout.String(), stderr.String())
	}
	for _, p := range processes() {
		if strings.Contains(p.cmdline, tmp) && p.state != "Z" {
			t.Errorf("process %d outlived logindoctor: %.200s", p.pid, p.cmdline)
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(tmp, "logindoctor-chrome-*")); len(m) > 0 {
		t.Errorf("Chrome profiles left behind: %v", m)
	}
}

// TestServeBrowserProbesUseHeadlessShell: where Chrome's headless shell
// is installed, browser probes of a module without browser.path run in it
// (and still see a pop-up opened without a click as blocked); a module's
// browser.path wins.
func TestServeBrowserProbesUseHeadlessShell(t *testing.T) {
	needBrowser(t)
	shell, ok := device.FindHeadlessShell()
	if !ok {
		if os.Getenv("CI") != "" {
			t.Fatal("no chromium-headless-shell, and CI is set")
		}
		t.Skip("needs chromium-headless-shell")
	}
	chromium, _ := exec.LookPath("chromium")
	pages, err := loginpages.Start(loginpages.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pages.Close() })
	ts := startServe(t, writeModules(t, fmt.Sprintf("modules:\n  web:\n    only: [%[1]s]\n    check_timeout: 5s\n"+
		"  chrome:\n    only: [%[1]s]\n    check_timeout: 5s\n    browser:\n      path: %[2]q\n", browser.ID, chromium)), nil)
	for _, tc := range []struct {
		module string
		fault  loginpages.Fault
		bin    string
		code   string
	}{
		{"web", loginpages.Healthy, shell, "OK"},
		{"web", loginpages.Popup, shell, browser.CodePopupBlocked},
		{"chrome", loginpages.Healthy, chromium, "OK"},
	} {
		code, _, body := ts.get(t, probePath(pages.URL(tc.fault), tc.module)+"&format=json", "25")
		var rep struct {
			Results []struct {
				Check    string         `json:"check"`
				Code     string         `json:"code"`
				Evidence map[string]any `json:"evidence"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(body), &rep); code != 200 || err != nil || len(rep.Results) != 1 {
			t.Fatalf("%s %s: %d %v\n%.2000s", tc.module, tc.fault, code, err, body)
		}
		r := rep.Results[0]
		if r.Code != tc.code || r.Evidence["browser_path"] != tc.bin {
			t.Errorf("%s %s: %s in %v, want %s in %s", tc.module, tc.fault, r.Code, r.Evidence["browser_path"], tc.code, tc.bin)
		}
	}
}
