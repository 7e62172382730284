package browser

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

// procWatch polls /proc until end: whether any command line holds
// secret, and whether one holds dir (the browser ran).
type procWatch struct {
	leaked, sawBrowser atomic.Bool
	end                func()
}

func watchCmdlines(dir, secret string) *procWatch {
	w := &procWatch{}
	w.end = pollCmdlines(20*time.Millisecond, func(cmdline string) {
		if strings.Contains(cmdline, secret) {
			w.leaked.Store(true)
		}
		if strings.Contains(cmdline, dir) {
			w.sawBrowser.Store(true)
		}
	})
	return w
}

// pollCmdlines calls see with every process's command line (NULs and all),
// every interval, until the returned stop is called; stop waits for the
// pass under way.
func pollCmdlines(interval time.Duration, see func(cmdline string)) (stop func()) {
	quit := make(chan struct{})
	var done sync.WaitGroup
	done.Go(func() {
		for {
			entries, _ := os.ReadDir("/proc")
			for _, e := range entries {
				if _, err := strconv.Atoi(e.Name()); err != nil {
					continue
				}
				b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
				see(string(b))
			}
			select {
			case <-quit:
				return
			case <-time.After(interval):
			}
		}
	})
	return func() { close(quit); done.Wait() }
}

// TestPACKeyNeverOnCommandLine: the route comes from a PAC file whose URL
// carries a key; no process's command line ever shows the key, and the
// page still goes through the proxy the PAC file names.
func TestPACKeyNeverOnCommandLine(t *testing.T) {
	needChrome(t)
	pages := startPages(t, loginpages.Options{})
	px, err := proxy.Start(proxy.Config{Hosts: map[string]string{"login.example.test": "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = px.Close() })
	pac, err := proxy.StartPAC(proxy.PACConfig{Script: `function FindProxyForURL(url, host) {
  if (host == "login.example.test") return "PROXY ` + px.Addr() + `";
  return "DIRECT";
}`})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pac.Close() })
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	secret := "SECRET" + hex.EncodeToString(b)
	route := checks.Route{Source: checks.SourcePAC, PACURL: pac.URL() + "?key=" + secret, Proxy: px.URL(), Rule: "PROXY " + px.Addr()}

	_, port, _ := strings.Cut(pages.Addr(), ":")
	target := checks.Target{URL: mustURL(t, "http://login.example.test:"+port+loginpages.Path(loginpages.Healthy))}
	env := checks.NewEnv(target)
	env.RouteFinder = func(context.Context, *checks.Env, *url.URL) (checks.Route, error) { return route, nil }
	c := testCheck(t)
	w := watchCmdlines(c.tempDir, secret)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.Run(ctx, env, nil)
	env.WaitBackground(ctx)
	w.end()
	if w.leaked.Load() {
		t.Error("the PAC file's key appeared on a command line")
	}
	if !w.sawBrowser.Load() {
		t.Error("no browser process was seen: nothing was checked")
	}
	if r.Code != checks.CodeOK || pac.Requests() == 0 || px.Forwards() == 0 {
		t.Errorf("got %s (%s); PAC fetches %d, proxy forwards %d: want OK through the PAC's proxy", r.Code, r.Summary, pac.Requests(), px.Forwards())
	}
}

// runawayPage serves a login page whose script allocates without end
// while an image never finishes loading (so the check keeps waiting for
// the page, as it would for a slow login page).
func runawayPage(t *testing.T, script string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang.png" {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><title>Login</title><script>` + script + `</script><img src="/hang.png">`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/login"
}

// TestRunawayPageIsStopped: a page that allocates without end (JavaScript
// objects: the heap cap; typed arrays outside the heap: the tree cap) ends
// within the deadline as a script failure that names memory, and the
// browser's memory, sampled all along, never goes far past the cap.
func TestRunawayPageIsStopped(t *testing.T) {
	needChrome(t)
	for name, script := range map[string]string{
		"objects": `let a=[]; setInterval(()=>{for(let i=0;i<1e6;i++)a.push({x:i})},1)`,
		"buffers": `let a=[]; setInterval(()=>{const b=new Uint8Array(64<<20); b.fill(1); a.push(b)},5)`,
	} {
		t.Run(name, func(t *testing.T) {
			c := testCheck(t)
			u := runawayPage(t, script)
			peak := sampleBrowserMemory(t, c.tempDir)
			const timeout = 25 * time.Second
			start := time.Now()
			r := runCheck(t, c, checks.Target{}, u, timeout)
			took := time.Since(start)
			mb := peak()
			t.Logf("%s in %v, peak %d MB: %s %v", r.Code, took, mb, r.Summary, r.Evidence["timeout_phase"])
			if r.Code != CodeJSError || r.Status != checks.StatusFail || !strings.Contains(r.Params["message"], "memory") {
				t.Errorf("got %s/%s %q, want a failing %s about memory", r.Status, r.Code, r.Summary, CodeJSError)
			}
			if took > timeout+time.Second {
				t.Errorf("took %v, deadline %v", took, timeout)
			}
			if mb == 0 || mb > treeCapMB+256 {
				t.Errorf("browser memory peaked at %d MB (cap %d MB)", mb, treeCapMB)
			}
		})
	}
}

// sampleBrowserMemory samples, every 50 ms, the resident anonymous memory
// of the process group of the browser whose profile is under dir; the
// returned function stops and gives the peak in MB.
func sampleBrowserMemory(t *testing.T, dir string) func() int64 {
	t.Helper()
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			for _, pg := range browserGroups(dir) {
				var sum int64
				for _, pid := range groupProcs(pg) {
					sum += anonMB(pid)
				}
				if sum > peak.Load() {
					peak.Store(sum)
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() int64 { close(stop); <-done; return peak.Load() }
}

// browserGroups are the process groups of processes whose command line
// mentions dir.
func browserGroups(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.Contains(string(b), dir) && inGroup(filepath.Join("/proc", e.Name()), pid) {
			out = append(out, pid)
		}
	}
	return out
}

// anonMB is RssAnon of pid from /proc/<pid>/status, in MB.
func anonMB(pid int) int64 {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "RssAnon:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb >> 10
		}
	}
	return 0
}

// TestNothingLeftInTMPDIR: with TMPDIR pointing at a fresh directory, a
// normal run never puts anything at its top level but our own profile
// root (Chromium's singleton and shared-memory directories go into the
// browser's private TMPDIR), and afterwards the directory is empty.
func TestNothingLeftInTMPDIR(t *testing.T) {
	needChrome(t)
	tmp := shortTempDir(t)
	t.Setenv("TMPDIR", tmp)
	srv := startPages(t, loginpages.Options{})
	c := New().(*pageCheck)
	env := checks.NewEnv(checks.Target{URL: mustURL(t, srv.URL(loginpages.Healthy))})
	var stray atomic.Value
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			entries, _ := os.ReadDir(tmp)
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), profilePrefix) {
					stray.Store(e.Name())
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.Run(ctx, env, nil)
	env.WaitBackground(ctx)
	close(stop)
	<-done
	if r.Code != checks.CodeOK {
		t.Errorf("got %s (%s)", r.Code, r.Summary)
	}
	if s := stray.Load(); s != nil {
		t.Errorf("the browser put %q into the shared TMPDIR", s)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left in TMPDIR: %s", e.Name())
	}
}
