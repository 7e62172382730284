package browser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
)

// testPool is a pool of size whose profiles go to a private dir; it is
// closed (and checked to leave nothing) when the test ends.
func testPool(t *testing.T, size int) (*Pool, string) {
	t.Helper()
	return testPoolWith(t, PoolOptions{Size: size})
}

// testPoolWith is testPool with o (its TempDir set by the test).
func testPoolWith(t *testing.T, o PoolOptions) (*Pool, string) {
	t.Helper()
	dir := shortTempDir(t)
	o.TempDir = dir
	p := NewPool(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		if procs, dirs := chromeProcs(t, dir), leftDirs(t, dir); len(procs)+len(dirs) > 0 {
			t.Errorf("the closed pool left processes %v, profile dirs %v", procs, dirs)
		}
	})
	return p, dir
}

// runPooled runs browser.page on rawURL with env.Browsers = p.
func runPooled(t testing.TB, p *Pool, rawURL string, timeout time.Duration) checks.Result {
	t.Helper()
	target := checks.Target{URL: mustURL(t, rawURL), CheckTimeout: timeout}
	env := checks.NewEnv(target)
	env.Browsers = p
	c := New().(*pageCheck)
	ctx, cancel := context.WithTimeout(context.Background(), timeout+c.Info().StartAllowance)
	defer cancel()
	return c.Run(ctx, env, nil)
}

// poolPIDs lists the pool's browser process ids.
func poolPIDs(p *Pool) []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for _, in := range p.all {
		if isClosed(in.ready) && in.s != nil && in.s.proc != nil {
			out = append(out, in.s.proc.pid())
		}
	}
	return out
}

// stickyPage is a login page that sets a cookie and a localStorage item
// and reports (by the requests it gets) whether a previous visit's were
// still there.
type stickyPage struct {
	mu                 sync.Mutex
	visits, withCookie int
	storageSeen        int
	srv                *httptest.Server
}

func startSticky(t *testing.T) *stickyPage {
	t.Helper()
	sp := &stickyPage{}
	sp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sp.mu.Lock()
		defer sp.mu.Unlock()
		switch r.URL.Path {
		case "/storage-seen":
			sp.storageSeen++
			w.WriteHeader(http.StatusNoContent)
		case "/login":
			sp.visits++
			if _, err := r.Cookie("pool_probe"); err == nil {
				sp.withCookie++
			}
			http.SetCookie(w, &http.Cookie{Name: "pool_probe", Value: "1", Path: "/", MaxAge: 3600, SameSite: http.SameSiteLaxMode})
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<!doctype html><title>Login</title><script>
if (localStorage.getItem("pool_probe")) fetch("/storage-seen");
localStorage.setItem("pool_probe", "1");
</script><form><input name=u><input type=password name=p></form>`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(sp.srv.Close)
	return sp
}

// TestPoolSharesBrowserNotState: two runs in a row on one pool use the
// same Chrome process, and the second sees neither the cookie nor the
// localStorage item the first left.
func TestPoolSharesBrowserNotState(t *testing.T) {
	needChrome(t)
	p, _ := testPool(t, 1)
	sp := startSticky(t)
	var pids [][]int
	for i := range 2 {
		r := runPooled(t, p, sp.srv.URL+"/login", 10*time.Second)
		if r.Code != checks.CodeOK {
			t.Fatalf("run %d: %s: %s", i, r.Code, r.Summary)
		}
		if warm := r.Evidence["browser_warm"]; i == 1 && warm != true {
			t.Errorf("run %d: browser_warm = %v, want true", i, warm)
		}
		pids = append(pids, poolPIDs(p))
	}
	if len(pids[0]) != 1 || len(pids[1]) != 1 || pids[0][0] != pids[1][0] || p.Launches() != 1 {
		t.Errorf("browser processes %v, launches %d: want one shared browser", pids, p.Launches())
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.visits != 2 || sp.withCookie != 0 || sp.storageSeen != 0 {
		t.Errorf("visits %d, with the first run's cookie %d, with its localStorage %d: want 2, 0, 0", sp.visits, sp.withCookie, sp.storageSeen)
	}
}

// TestPoolReplacesDeadBrowser: a pool browser killed between runs is
// closed and replaced; the next run passes.
func TestPoolReplacesDeadBrowser(t *testing.T) {
	needChrome(t)
	p, _ := testPool(t, 1)
	srv := startPages(t, loginpages.Options{})
	if r := runPooled(t, p, srv.URL(loginpages.Healthy), 10*time.Second); r.Code != checks.CodeOK {
		t.Fatalf("first run: %s: %s", r.Code, r.Summary)
	}
	p.mu.Lock()
	in := p.all[0]
	p.mu.Unlock()
	in.s.proc.kill()
	if !in.s.proc.wait(5 * time.Second) {
		t.Fatal("the killed browser did not exit")
	}
	if r := runPooled(t, p, srv.URL(loginpages.Healthy), 10*time.Second); r.Code != checks.CodeOK {
		t.Fatalf("run after the kill: %s: %s", r.Code, r.Summary)
	}
	if p.Restarts() != 1 || p.Launches() != 2 || p.Size() != 1 {
		t.Errorf("restarts %d, launches %d, size %d: want 1, 2, 1", p.Restarts(), p.Launches(), p.Size())
	}
}

// TestPoolKeysByRoute: a run whose launch settings differ (host-resolver
// rules here) does not get the other run's browser.
func TestPoolKeysByRoute(t *testing.T) {
	needChrome(t)
	p, _ := testPool(t, 1)
	srv := startPages(t, loginpages.Options{})
	u := srv.URL(loginpages.Healthy)
	if r := runPooled(t, p, u, 10*time.Second); r.Code != checks.CodeOK {
		t.Fatalf("%s: %s", r.Code, r.Summary)
	}
	env := checks.NewEnv(checks.Target{URL: mustURL(t, u), CheckTimeout: 10 * time.Second})
	env.Browsers = p
	env.BrowserHostRules = "MAP nowhere.example.test 127.0.0.1"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if r := New().Run(ctx, env, nil); r.Code != checks.CodeOK {
		t.Fatalf("%s: %s", r.Code, r.Summary)
	}
	if p.Launches() != 2 || p.Size() != 1 || p.Restarts() != 0 {
		t.Errorf("launches %d, size %d, restarts %d: want 2, 1, 0", p.Launches(), p.Size(), p.Restarts())
	}
}

// TestPoolWarmThenTake: Warm starts the browser before the check asks;
// the check then finds it up (or starting) and does not launch another.
func TestPoolWarmThenTake(t *testing.T) {
	needChrome(t)
	p, _ := testPool(t, 1)
	srv := startPages(t, loginpages.Options{})
	env := checks.NewEnv(checks.Target{URL: mustURL(t, srv.URL(loginpages.Healthy)), CheckTimeout: 10 * time.Second})
	env.Browsers = p
	p.Warm(env)
	deadline := time.Now().Add(10 * time.Second)
	for len(poolPIDs(p)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := New().Run(ctx, env, nil)
	if r.Code != checks.CodeOK || r.Evidence["browser_warm"] != true || p.Launches() != 1 {
		t.Errorf("%s (%s), warm %v, launches %d: want a pass on the warmed browser", r.Code, r.Summary, r.Evidence["browser_warm"], p.Launches())
	}
}
