package browser

import (
	"context"
	"net/url"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
)

// needChrome returns the machine's Chromium, skips the test when there is
// none — except in CI, where a missing browser is a failure.
func needChrome(tb testing.TB) string {
	tb.Helper()
	if bin, ok := device.FindChrome(context.Background(), checks.NewEnv(checks.Target{})); ok {
		return bin
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("no Chrome/Chromium found, and CI is set: browser tests must run in CI (apt-get install chromium)")
	}
	tb.Skip("install Chromium: apt-get install chromium — `make test` does this as root")
	return ""
}

// needHeadlessShell returns Chrome's headless shell, skips the test when
// there is none — except in CI, where it is a failure.
func needHeadlessShell(tb testing.TB) string {
	tb.Helper()
	if bin, ok := device.FindHeadlessShell(); ok {
		return bin
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("no chromium-headless-shell or chrome-headless-shell on $PATH, and CI is set (apt-get install chromium-headless-shell)")
	}
	tb.Skip("install Chrome's headless shell: apt-get install chromium-headless-shell — `make test` does this as root")
	return ""
}

// startPages serves the login pages on loopback for the test.
func startPages(tb testing.TB, opts loginpages.Options) *loginpages.Server {
	tb.Helper()
	srv, err := loginpages.Start(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv
}

// testCheck is browser.page with a private temp dir for its profiles.
func testCheck(tb testing.TB) *pageCheck {
	tb.Helper()
	c := New().(*pageCheck)
	c.tempDir = tb.TempDir()
	return c
}

// runCheck runs c against rawURL with a direct route as the runner does
// with check_timeout = timeout: the check's deadline is timeout plus its
// StartAllowance, and the page gets timeout once Chrome is up.
func runCheck(tb testing.TB, c *pageCheck, target checks.Target, rawURL string, timeout time.Duration) checks.Result {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	target.URL = u
	target.CheckTimeout = timeout
	env := checks.NewEnv(target)
	ctx, cancel := context.WithTimeout(context.Background(), timeout+c.Info().StartAllowance)
	defer cancel()
	return c.Run(ctx, env, nil)
}

func mustURL(tb testing.TB, raw string) *url.URL {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// shortTempDir is a fresh directory with a short path (Chromium puts a
// Unix socket below its TMPDIR): under /tmp where there is one, else the
// system's temporary directory; removed after the test.
func shortTempDir(t *testing.T) string {
	t.Helper()
	parent := "/tmp"
	if runtime.GOOS == "windows" {
		parent = ""
	}
	d, err := os.MkdirTemp(parent, "ldb-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}
