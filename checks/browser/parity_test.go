package browser

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// lateFormPage draws the login form 2.5 s after "load" from a setTimeout;
// noFormPage never draws one. Both leave the network quiet after load.
const (
	lateFormPage = `<!doctype html><title>Sign in</title><div id="app">Loading…</div>
<script>window.addEventListener("load", function () { setTimeout(function () {
  document.getElementById("app").innerHTML = '<form><input name="user"><input type="password" name="pw"><button>Sign in</button></form>';
}, 2500); });</script>`
	noFormPage = `<!doctype html><title>Welcome</title><p>Nothing to sign in to here.</p>`
)

// servePage serves body at every path on loopback, with a session cookie
// as a login page sets one.
func servePage(t *testing.T, body string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/login" {
			http.NotFound(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1", Path: "/", HttpOnly: true})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + "/login"
}

// TestLateFormIsFound: a form a script draws 2.5 s after load is found (a
// browser user sees it); a page with no form still ends in
// BROWSER_NO_LOGIN_FORM, within the deadline.
func TestLateFormIsFound(t *testing.T) {
	needChrome(t)
	const timeout = 20 * time.Second
	r := runCheck(t, testCheck(t), checks.Target{}, servePage(t, lateFormPage), timeout)
	if r.Status != checks.StatusPass || r.Evidence["login_form_found"] != true {
		t.Fatalf("late form: got %s %s: %s (%v)", r.Status, r.Code, r.Summary, r.Evidence["findings"])
	}
	start := time.Now()
	r = runCheck(t, testCheck(t), checks.Target{}, servePage(t, noFormPage), timeout)
	if r.Code != CodeNoLoginForm || r.Evidence["login_form_found"] != false {
		t.Fatalf("no form: got %s %s: %s", r.Status, r.Code, r.Summary)
	}
	if took := time.Since(start); took > timeout {
		t.Errorf("no form: took %v, past the %v deadline", took, timeout)
	}
}

// noDeps is browser.page without its dependency, to run it alone through
// the runner.
type noDeps struct{ *pageCheck }

func (n noDeps) Info() checks.Info {
	in := n.pageCheck.Info()
	in.DependsOn = nil
	return in
}

// TestSlowStartDoesNotEatPageBudget: a real Chromium that takes 4 s and
// more to start (a busy PC) under a 6 s check_timeout: the runner adds the
// check's StartAllowance and the page's budget starts once Chrome is up,
// so the page is checked, not reported as BROWSER_TIMEOUT.
func TestSlowStartDoesNotEatPageBudget(t *testing.T) {
	chrome := needChrome(t)
	wrapper := filepath.Join(t.TempDir(), "slow-chrome")
	script := "#!/bin/sh\nsleep 4\nexec " + chrome + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	c := testCheck(t)
	c.find = func(context.Context, *checks.Env) (string, bool) { return wrapper, true }
	reg, err := checks.NewRegistry(noDeps{c})
	if err != nil {
		t.Fatal(err)
	}
	const checkTimeout = 6 * time.Second
	env := checks.NewEnv(checks.Target{URL: mustURL(t, servePage(t, noFormPage)), CheckTimeout: checkTimeout})
	start := time.Now()
	rs := (&checks.Runner{Registry: reg, CheckTimeout: checkTimeout}).Run(context.Background(), env, nil)
	r := rs[0]
	if r.Code != CodeNoLoginForm {
		t.Fatalf("got %s %s: %s (launch %v ms)", r.Status, r.Code, r.Summary, r.Evidence["launch_ms"])
	}
	if ms, _ := r.Evidence["launch_ms"].(int64); ms < 4000 {
		t.Errorf("launch took %v ms; the wrapper sleeps 4 s", r.Evidence["launch_ms"])
	}
	if took := time.Since(start); took > checkTimeout+StartAllowance+2*time.Second {
		t.Errorf("took %v", took)
	}
}
