package browser

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
)

// kindsWatch collects, until end, the kinds of Chrome process
// (--type=…, --utility-sub-type=…, --top-chrome-webui) whose command line
// holds dir.
type kindsWatch struct {
	mu    sync.Mutex
	kinds map[string]bool
	stop  func()
}

func watchKinds(dir string) *kindsWatch {
	w := &kindsWatch{kinds: map[string]bool{}}
	w.stop = pollCmdlines(10*time.Millisecond, func(cmdline string) {
		if strings.Contains(cmdline, dir) {
			// Helpers forked by the zygote rewrite their command line
			// into one space-separated string.
			w.add(strings.FieldsFunc(cmdline, func(r rune) bool { return r == 0 || r == ' ' }))
		}
	})
	return w
}

func (w *kindsWatch) add(args []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	kind := "browser"
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "--type="):
			kind = strings.TrimPrefix(a, "--type=")
		case strings.HasPrefix(a, "--utility-sub-type="):
			kind += ":" + strings.TrimPrefix(a, "--utility-sub-type=")
		case a == "--top-chrome-webui":
			kind += ":top-chrome-webui"
		}
	}
	w.kinds[kind] = true
}

func (w *kindsWatch) end() map[string]bool {
	w.stop()
	return w.kinds
}

// TestBrowserStartsNoNeedlessHelpers: a pooled browser checking two login
// pages runs the browser and the pages' renderers, not a GPU process, a
// network-service process or a WebUI renderer per window (each tens of
// MB that serve's memory budget with 8 probes cannot spare). Chromium
// renames the features behind these now and then: this fails when a new
// version brings one back.
func TestBrowserStartsNoNeedlessHelpers(t *testing.T) {
	needChrome(t)
	pages := startPages(t, loginpages.Options{})
	p, dir := testPool(t, 1)
	w := watchKinds(dir)
	for range 2 {
		if res := runPooled(t, p, pages.URL(loginpages.Healthy), 15*time.Second); res.Status != checks.StatusPass {
			w.end()
			t.Fatalf("healthy page: %s %s: %s", res.Status, res.Code, res.Summary)
		}
	}
	kinds := w.end()
	if !kinds["browser"] || !kinds["renderer"] {
		t.Fatalf("the watch saw no browser and renderer (kinds %v): it looked at the wrong processes", kinds)
	}
	for k := range kinds {
		if k == "gpu-process" || strings.Contains(k, "NetworkService") || strings.Contains(k, "top-chrome-webui") {
			t.Errorf("a %s process ran (all kinds seen: %v)", k, kinds)
		}
	}
}

// TestPoolRetiresABrowserThatGrew: a browser whose process tree holds more
// than the pool's RetireMB after a run is closed and replaced (counted as
// a restart), and the next run passes in a new one. Every real browser
// holds more than 1 MB, so with RetireMB 1 each run retires its browser;
// the memory is measured, not assumed.
func TestPoolRetiresABrowserThatGrew(t *testing.T) {
	needChrome(t)
	pages := startPages(t, loginpages.Options{})
	p, _ := testPoolWith(t, PoolOptions{Size: 1, RetireMB: 1})
	for i := range 2 {
		if r := runPooled(t, p, pages.URL(loginpages.Healthy), 15*time.Second); r.Status != checks.StatusPass {
			t.Fatalf("run %d: %s %s: %s", i, r.Status, r.Code, r.Summary)
		}
		if i == 0 {
			if got := p.Restarts(); got != 1 {
				t.Errorf("after a run past RetireMB: %d restarts, want 1", got)
			}
		}
	}
	if p.Launches() != 2 || p.Restarts() != 2 {
		t.Errorf("launches %d, restarts %d: want 2 and 2 (each run's browser retired)", p.Launches(), p.Restarts())
	}

	// The default (half the tree's cap) keeps a healthy page's browser.
	q, _ := testPool(t, 1)
	for i := range 2 {
		if r := runPooled(t, q, pages.URL(loginpages.Healthy), 15*time.Second); r.Status != checks.StatusPass {
			t.Fatalf("default pool, run %d: %s %s", i, r.Status, r.Code)
		}
	}
	if q.Launches() != 1 || q.Restarts() != 0 {
		t.Errorf("default RetireMB: launches %d, restarts %d, want 1 and 0", q.Launches(), q.Restarts())
	}
}

// flakyBrowser writes a script that stands in for the browser: its first
// fails runs print "crashed at start-up" and exit, later ones exec bin.
func flakyBrowser(t *testing.T, bin string, fails int) string {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "flaky-chromium")
	text := "#!/bin/sh\nn=$(cat " + dir + "/count 2>/dev/null || echo 0)\necho $((n+1)) > " + dir + "/count\n" +
		"if [ \"$n\" -lt " + strconv.Itoa(fails) + " ]; then echo 'crashed at start-up' >&2; exit 134; fi\nexec " + bin + " \"$@\"\n"
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// TestBrowserCrashAtStartIsRetriedOnce: a browser that exits while
// starting gets one more try (the page is then checked as usual); one that
// keeps exiting is reported with its own last words, not a bare pipe error.
func TestBrowserCrashAtStartIsRetriedOnce(t *testing.T) {
	bin := needChrome(t)
	pages := startPages(t, loginpages.Options{})
	once := flakyBrowser(t, bin, 1)
	r := runCheck(t, testCheck(t), checks.Target{Browser: checks.BrowserConfig{Path: once}}, pages.URL(loginpages.Healthy), pageTimeout)
	if r.Status != checks.StatusPass {
		t.Errorf("a browser that crashed once at start: %s %s: %s", r.Status, r.Code, r.Summary)
	}
	always := flakyBrowser(t, bin, 100)
	r = runCheck(t, testCheck(t), checks.Target{Browser: checks.BrowserConfig{Path: always}}, pages.URL(loginpages.Healthy), pageTimeout)
	if r.Status != checks.StatusError || !strings.Contains(r.Summary, "crashed at start-up") || !strings.Contains(r.Summary, "second try") {
		t.Errorf("a browser that always crashes at start: %s %s: %s", r.Status, r.Code, r.Summary)
	}
}
