package browser

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
	"github.com/logindoctor/logindoctor/fixtures/testenv"
)

// TestNoChromeLeftBehind runs the check 20 times with deadlines from
// "before Chrome starts" to "while the page hangs", cancellations and
// injected panics, then expects no Chromium process that uses the test's
// profile directory and no profile directory left.
func TestNoChromeLeftBehind(t *testing.T) {
	needChrome(t)
	srv := startPages(t, loginpages.Options{})
	dir := t.TempDir()
	type run struct {
		fault       loginpages.Fault
		timeout     time.Duration
		cancelAfter time.Duration
		panics      bool
	}
	var runs []run
	for _, ms := range []int{10, 40, 80, 150, 250, 400, 600, 900, 1300, 2000} {
		runs = append(runs, run{fault: loginpages.NeverLoads, timeout: time.Duration(ms) * time.Millisecond})
	}
	for _, ms := range []int{50, 200, 400, 700, 1000, 1500} {
		runs = append(runs, run{fault: loginpages.SlowScript, timeout: 5 * time.Second, cancelAfter: time.Duration(ms) * time.Millisecond})
	}
	runs = append(runs,
		run{fault: loginpages.Healthy, timeout: 5 * time.Second, panics: true},
		run{fault: loginpages.SlowScript, timeout: 5 * time.Second, panics: true},
		run{fault: loginpages.Healthy, timeout: 5 * time.Second},
		run{fault: loginpages.Popup, timeout: 5 * time.Second})

	for i, r := range runs {
		c := New().(*pageCheck)
		c.tempDir = dir
		if r.panics {
			c.hook = func(string) { panic("injected") }
		}
		limit := r.timeout
		if r.cancelAfter > 0 {
			limit = r.cancelAfter
		}
		start := time.Now()
		res, panicked := runOnce(t, c, srv.URL(r.fault), r.timeout, r.cancelAfter)
		took := time.Since(start)
		if r.panics != panicked {
			t.Errorf("run %d: panicked=%t, want %t", i, panicked, r.panics)
		}
		// The check returns by its deadline; only a brief last wait for
		// the browser to go (minCloseWait) may follow; a second of slack for
		// a busy machine (a cleanup done in line would take 5 s).
		if took > limit+minCloseWait+time.Second && !r.panics {
			t.Errorf("run %d (%v/%v): took %v", i, r.timeout, r.cancelAfter, took)
		}
		// Cut short while Chrome was still starting, the check says so
		// (CHECK_ERROR: the tool's own limit), never a network finding.
		launchCut := res.Code == checks.CodeCheckError && strings.Contains(res.Summary, "Chrome did not")
		if !r.panics && r.fault != loginpages.Healthy && res.Code != CodeTimeout && res.Code != CodePopupBlocked && !launchCut {
			t.Errorf("run %d: code %s (%s), want %s (or Chrome's start cut short)", i, res.Code, res.Summary, CodeTimeout)
		}
	}

	deadline := time.Now().Add(15 * time.Second)
	for {
		procs, dirs := chromeProcs(t, dir), leftDirs(t, dir)
		if len(procs) == 0 && len(dirs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: processes %v, profile dirs %v", procs, dirs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// runOnce runs the check, cancelling after cancelAfter (if > 0), and
// reports whether it panicked.
func runOnce(t *testing.T, c *pageCheck, rawURL string, timeout, cancelAfter time.Duration) (res checks.Result, panicked bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if cancelAfter > 0 {
		stop := time.AfterFunc(cancelAfter, cancel)
		defer stop.Stop()
	}
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	u := mustURL(t, rawURL)
	return c.Run(ctx, checks.NewEnv(checks.Target{URL: u}), nil), false
}

// chromeProcs lists the processes whose command line mentions dir.
func chromeProcs(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		testenv.Unavailable(t, "no /proc: %v", err)
	}
	var out []string
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil || e.Name() == self {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmd), dir) {
			continue
		}
		out = append(out, e.Name()+": "+strings.ReplaceAll(string(cmd[:min(len(cmd), 80)]), "\x00", " "))
	}
	return out
}

// leftDirs lists our profile directories under dir.
func leftDirs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, profilePrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPoolNoChromeLeftBehind runs the check through one pool with
// deadlines from "before Chrome starts" to "while the page hangs",
// cancellations and injected panics, then closes the pool: no Chromium
// process of its profile directory and no profile directory is left.
func TestPoolNoChromeLeftBehind(t *testing.T) {
	needChrome(t)
	srv := startPages(t, loginpages.Options{})
	dir := shortTempDir(t)
	p := NewPool(PoolOptions{Size: 2, TempDir: dir})
	type run struct {
		fault                loginpages.Fault
		timeout, cancelAfter time.Duration
		panics               bool
	}
	runs := []run{
		{fault: loginpages.NeverLoads, timeout: 10 * time.Millisecond},
		{fault: loginpages.NeverLoads, timeout: 400 * time.Millisecond},
		{fault: loginpages.NeverLoads, timeout: 1500 * time.Millisecond},
		{fault: loginpages.SlowScript, timeout: 5 * time.Second, cancelAfter: 200 * time.Millisecond},
		{fault: loginpages.SlowScript, timeout: 5 * time.Second, cancelAfter: 1000 * time.Millisecond},
		{fault: loginpages.Healthy, timeout: 5 * time.Second, panics: true},
		{fault: loginpages.Healthy, timeout: 5 * time.Second},
		{fault: loginpages.Popup, timeout: 5 * time.Second},
	}
	for i, r := range runs {
		c := New().(*pageCheck)
		if r.panics {
			c.hook = func(string) { panic("injected") }
		}
		env := checks.NewEnv(checks.Target{URL: mustURL(t, srv.URL(r.fault))})
		env.Browsers = p
		if i%2 == 1 {
			env.BrowserHostRules = "MAP other.example.test 127.0.0.1" // a second key
		}
		_, panicked := runOnceEnv(t, c, env, r.timeout, r.cancelAfter)
		if panicked != r.panics {
			t.Errorf("run %d: panicked=%t, want %t", i, panicked, r.panics)
		}
	}
	if len(chromeProcs(t, dir)) == 0 && p.Size() == 0 {
		t.Error("no pool browser was running before the close")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if procs, dirs := chromeProcs(t, dir), leftDirs(t, dir); len(procs)+len(dirs) > 0 {
		t.Fatalf("left behind after Close: processes %v, profile dirs %v", procs, dirs)
	}
	if r := runPooled(t, p, srv.URL(loginpages.Healthy), time.Second); r.Status != checks.StatusError {
		t.Errorf("a run on a closed pool: %s %s, want CHECK_ERROR", r.Code, r.Summary)
	}
	if procs, dirs := chromeProcs(t, dir), leftDirs(t, dir); len(procs)+len(dirs) > 0 {
		t.Fatalf("a closed pool launched: processes %v, profile dirs %v", procs, dirs)
	}
}

// runOnceEnv is runOnce with a prepared env.
func runOnceEnv(t *testing.T, c *pageCheck, env *checks.Env, timeout, cancelAfter time.Duration) (res checks.Result, panicked bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if cancelAfter > 0 {
		stop := time.AfterFunc(cancelAfter, cancel)
		defer stop.Stop()
	}
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	return c.Run(ctx, env, nil), false
}
