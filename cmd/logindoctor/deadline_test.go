package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
)

// hardDeadlineSlack is how far past --timeout a run may end: the time to
// return from the last write, not time to do more work.
const hardDeadlineSlack = 250 * time.Millisecond

// TestTimeoutIsAHardLimit: against a login page that never finishes
// loading (http.login passes, Chrome waits), with checks allowed far longer
// than the run, the whole run —
// checks, Chrome and its clean-up, the report and the bundle — ends by
// --timeout. A deadline's upper bound is a correctness property, so this
// is a plain test, not a benchmark.
func TestTimeoutIsAHardLimit(t *testing.T) {
	requireBrowser(t)
	pages, err := loginpages.Start(loginpages.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pages.Close() })
	dir := t.TempDir()
	for _, timeout := range []time.Duration{2 * time.Second, 3 * time.Second} {
		t.Run(timeout.String(), func(t *testing.T) {
			out, bundle := filepath.Join(dir, timeout.String()+".json"), filepath.Join(dir, timeout.String()+".zip")
			args := []string{pages.URL(loginpages.NeverLoads), "--config", loopbackProfile(t, ""),
				"--timeout", timeout.String(), "--check-timeout", "10s", "--format", "json", "-o", out, "--bundle", bundle}
			r := cliRun(t, context.Background(), cleanEnv(nil), nil, args...)
			noPanic(t, r)
			t.Logf("exit %d in %s", r.code, r.elapsed.Round(time.Millisecond))
			if r.elapsed > timeout+hardDeadlineSlack {
				t.Errorf("--timeout %s: the run took %s, want ≤ %s", timeout, r.elapsed.Round(time.Millisecond), timeout+hardDeadlineSlack)
			}
			// Under heavy load the bundle (or even the report) may not fit in
			// the reserve: then the run says so, exit 3, still on time.
			switch {
			case r.code == exitBroken && strings.Contains(r.errOut, "--timeout"):
				t.Logf("out of time for the output: %s", strings.TrimSpace(r.errOut))
			case r.code == exitFail:
				for _, p := range []string{out, bundle} {
					if st, err := os.Stat(p); err != nil || st.Size() == 0 {
						t.Errorf("%s was not written: %v", filepath.Base(p), err)
					}
				}
			default:
				t.Errorf("exit %d, want 1 (the page never answers)\n%s", r.code, r.errOut)
			}
		})
	}
}

// TestTimeoutHoldsAgainstACheckThatIgnoresItsDeadline: a check that
// ignores its context (a bug, or a library call that cannot be cancelled)
// is reported as unfinished, and the run still ends by --timeout instead
// of waiting for the runner's grace.
func TestTimeoutHoldsAgainstACheckThatIgnoresItsDeadline(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	stuck := fakeCheck{checks.Info{ID: "fake.stuck", Stage: checks.StageNetwork}, func(context.Context) checks.Result {
		<-release // ignores its context
		return checks.Pass("too late")
	}}
	quick := fakeCheck{checks.Info{ID: "fake.quick", Stage: checks.StageDevice}, func(context.Context) checks.Result {
		return checks.Pass("fine")
	}}
	reg, err := checks.NewRegistry(stuck, quick)
	if err != nil {
		t.Fatal(err)
	}
	for _, timeout := range []time.Duration{300 * time.Millisecond, time.Second} {
		t.Run(timeout.String(), func(t *testing.T) {
			args := []string{"https://127.0.0.1:1/", "--config", loopbackProfile(t, ""), "--format", "json",
				"--timeout", timeout.String(), "--check-timeout", "10s"}
			ios, stdout, stderr := testStreams(cleanEnv(nil))
			a, err := newApp(ios, args)
			if err != nil {
				t.Fatal(err)
			}
			a.registry = reg
			start := time.Now()
			code := a.execute(context.Background(), args)
			took := time.Since(start)
			if took > timeout+hardDeadlineSlack {
				t.Errorf("--timeout %s: the run took %s", timeout, took.Round(time.Millisecond))
			}
			rep := parseReport(t, cliResult{code: code, out: stdout.String(), errOut: stderr.String()})
			if s := rep.result("fake.stuck"); s.Status != "error" {
				t.Errorf("the stuck check is %q %q, want an error result", s.Status, s.Summary)
			}
			if q := rep.result("fake.quick"); q.Status != "pass" {
				t.Errorf("the quick check is %q, want its own pass", q.Status)
			}
		})
	}
}
