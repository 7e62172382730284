package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks/browser"
	"github.com/logindoctor/logindoctor/checks/builtin"
	"github.com/logindoctor/logindoctor/checks/clock"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/checks/quality"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

func TestServeModulesValidatedLikeProfiles(t *testing.T) {
	reg, err := builtin.Registry()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, text, want string }{
		{"unknown key", "modules:\n  sh:\n    proxy:\n      pac: http://wpad/\n", `"proxy.pac"`},
		{"url", "modules:\n  sh:\n    url: https://crm.example.com/\n", `"url" is not allowed`},
		{"bad value", "modules:\n  sh:\n    check_timeout: soon\n", `"check_timeout"`},
		{"unknown check", "modules:\n  sh:\n    only: [dns.nothing]\n", "dns.nothing"},
		{"unknown check in also", "modules:\n  sh:\n    also: [net.qualiti]\n", "net.qualiti"},
		{"also with only", "modules:\n  sh:\n    only: [dns.resolve]\n    also: [net.quality]\n", `with "only", list every check there`},
		{"also and skip", "modules:\n  sh:\n    skip: [net.quality]\n    also: [net.quality]\n", "net.quality is both in also and in skip"},
		{"no modules", "modules: {}\n", "defines no module"},
		{"unknown top-level key", "modulez: {}\n", "modulez"},
		{"bad name", "modules:\n  \"a b\": {}\n", "module name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadModules(writeModules(t, c.text), reg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one naming %s", err, c.want)
			}
			if exitCode(err) != exitUsage {
				t.Errorf("exit code %d, want %d", exitCode(err), exitUsage)
			}
		})
	}
	set, err := loadModules(writeModules(t, "modules:\n  sh:\n    proxy: {pac_url: \"http://wpad.sh.corp/wpad.dat\"}\n    check_timeout: 10s\n  full:\n    only: [tls.certificate, net.quality, browser.page]\n  link:\n    also: [net.quality]\n    skip: [clock.skew]\n"), reg)
	if err != nil {
		t.Fatal(err)
	}
	// By default a probe runs every check but the server's own browsers,
	// its link's quality and a browser; `only` adds them back.
	want := slices.DeleteFunc(reg.IDs(), func(id string) bool { return id == device.ID || id == quality.ID || id == browser.ID })
	if sh := set.Modules["sh"]; sh.Browser || !slices.Equal(sh.IDs, want) {
		t.Errorf("module sh runs %v, want %v", sh.IDs, want)
	}
	if full := set.Modules["full"]; !full.Browser || !slices.Equal(full.IDs, []string{quality.ID, tlscert.ID, browser.ID}) {
		t.Errorf("module full lists net.quality and browser.page but runs %v (browser module: %v)", full.IDs, full.Browser)
	}
	// also adds a check to the defaults (skip still takes others away).
	wantLink := slices.DeleteFunc(reg.IDs(), func(id string) bool { return id == device.ID || id == browser.ID || id == clock.ID })
	if link := set.Modules["link"]; link.Browser || !slices.Equal(link.IDs, wantLink) {
		t.Errorf("module link (also: net.quality, skip: clock.skew) runs %v, want %v", link.IDs, wantLink)
	}
}

// Beyond the slots and the queue, a probe is answered 503 at once; a
// queued probe that gets no slot before its deadline too.
func TestServeBoundsConcurrentProbes(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{Hang: true})
	ts := startServe(t, writeModules(t, officeModules(w, "")), func(o *serveOptions) { o.MaxProbes, o.MaxQueue = 1, 1 })
	path := probePath(w.url, "office")
	type answer struct {
		code  int
		retry string
		took  time.Duration
	}
	// The first probe holds the only slot for 4.5 s; the second waits in
	// the queue for its 1.5 s; the third finds the queue full.
	answers := make([]answer, 3)
	scrape := []string{"5", "2", "2"}
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 200 * time.Millisecond)
			start := time.Now()
			code, hdr, _ := ts.get(t, path, scrape[i])
			answers[i] = answer{code, hdr.Get("Retry-After"), time.Since(start)}
		})
	}
	wg.Wait()
	if answers[0].code != http.StatusOK {
		t.Errorf("first probe: %+v, want 200", answers[0])
	}
	for i, a := range answers[1:] {
		if a.code != http.StatusServiceUnavailable || a.retry == "" {
			t.Errorf("probe %d: %+v, want 503 with Retry-After", i+2, a)
		}
	}
	if answers[2].took > time.Second {
		t.Errorf("a probe beyond the queue waited %s, want an immediate 503", answers[2].took)
	}
	_, _, metrics := ts.get(t, "/metrics", "")
	for _, want := range []struct{ prefix, value string }{
		{`logindoctor_serve_probes_total{module="office",result="rejected"}`, "2"},
		{`logindoctor_serve_probes_total{module="office",result="failure"}`, "1"},
		{"logindoctor_serve_probe_queue_length", "0"},
		{"logindoctor_serve_probes_in_flight", "0"},
		{`logindoctor_serve_probe_duration_seconds_count{module="office"}`, "1"},
	} {
		if !hasSample(metrics, want.prefix, want.value) {
			t.Errorf("no %s %s in /metrics", want.prefix, want.value)
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(metrics, "\n"+name+" ") {
			t.Errorf("no %s in /metrics", name)
		}
	}
}

func TestServeHealthReadyAndReload(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	path := writeModules(t, officeModules(w, ""))
	ts := startServe(t, path, nil)
	for _, p := range []string{"/-/healthy", "/-/ready"} {
		if code, _, body := ts.get(t, p, ""); code != http.StatusOK {
			t.Errorf("%s: %d %s", p, code, body)
		}
	}
	if code, _, _ := ts.get(t, "/-/reload", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload: %d, want 405", code)
	}
	post := func() (int, string) {
		resp, err := http.Post(ts.base+"/-/reload", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// A bad file keeps the modules in use and says why.
	if err := os.WriteFile(path, []byte("modules:\n  office:\n    tls:\n      warn_dayz: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, body := post(); code != http.StatusInternalServerError || !strings.Contains(body, "tls.warn_dayz") {
		t.Errorf("bad reload: %d %q", code, body)
	}
	if !strings.Contains(ts.log.String(), "tls.warn_dayz") {
		t.Errorf("the log does not say why the reload failed:\n%s", ts.log.String())
	}
	_, _, metrics := ts.get(t, "/metrics", "")
	if !hasSample(metrics, "logindoctor_config_last_reload_successful", "0") {
		t.Errorf("reload failure not in /metrics")
	}
	if code, _, _ := ts.get(t, probePath(w.url, "office"), "10"); code != http.StatusOK {
		t.Errorf("module office lost after a bad reload: %d", code)
	}

	// SIGHUP rereads the file: a new module appears.
	if err := os.WriteFile(path, []byte(officeModules(w, "  branch:\n    check_timeout: 2s\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	ts.signals <- syscall.SIGHUP
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, _, metrics = ts.get(t, "/metrics", "")
		if hasSample(metrics, "logindoctor_config_last_reload_successful", "1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload within 5 s:\n%s", ts.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, ok := ts.s.modules.Load().Modules["branch"]; !ok {
		t.Errorf("module branch missing after SIGHUP")
	}
	if code, body := post(); code != http.StatusOK {
		t.Errorf("POST /-/reload of a good file: %d %s", code, body)
	}
}

// SIGTERM lets a probe in flight finish, then the server stops.
func TestServeDrainsProbesOnSIGTERM(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{Delay: 1500 * time.Millisecond})
	ts := startServe(t, writeModules(t, officeModules(w, "")), nil)
	got := make(chan int, 1)
	go func() {
		code, _, _ := ts.get(t, probePath(w.url, "office"), "10")
		got <- code
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, _, metrics := ts.get(t, "/metrics", "")
		if hasSample(metrics, "logindoctor_serve_probes_in_flight", "1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the probe never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.signals <- syscall.SIGTERM
	select {
	case <-ts.done:
		if ts.err != nil {
			t.Errorf("serve: %v", ts.err)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("serve did not stop within its drain time")
	}
	select {
	case code := <-got:
		if code != http.StatusOK {
			t.Errorf("the probe in flight got %d, want 200", code)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the probe in flight got no answer")
	}
	if ts.s.ready.Load() {
		t.Error("still ready after SIGTERM")
	}
}

func TestServeRefusesRootWithoutAllowRoot(t *testing.T) {
	if !isRoot() {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI runs as root, this test needs it")
		}
		t.Skip("needs root")
	}
	ios, _, _ := testStreams(nil)
	a, err := newApp(ios, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = a.runServe(context.Background(), serveOptions{Listen: "127.0.0.1:0", LogLevel: "info"})
	if err == nil || !strings.Contains(err.Error(), "--allow-root") || exitCode(err) != exitUsage {
		t.Fatalf("runServe as root: %v", err)
	}
}

// A check's flag given to serve says where that setting lives instead of
// a bare "unknown option", in the reader's language; exit 2, nothing
// started.
func TestServeSaysWhereCheckFlagsGo(t *testing.T) {
	for _, tc := range []struct {
		lang string
		args []string
		want string
	}{
		{"en_US.UTF-8", []string{"serve", "--ca-file", "ca.pem"}, "set ca_file under a module in the --modules file"},
		{"en_US.UTF-8", []string{"serve", "--check-timeout=3s"}, "set check_timeout under a module"},
		{"zh_CN.UTF-8", []string{"serve", "--only", "dns"}, "模块下设置 only"},
	} {
		code, _, stderr := runCLI(t, map[string]string{"LANG": tc.lang}, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant %q", tc.args, code, stderr, tc.want)
		}
	}
	code, _, stderr := runCLI(t, map[string]string{"LANG": "en_US.UTF-8"}, "serve", "--bogus")
	if code != 2 || strings.Contains(stderr, "modules file") {
		t.Errorf("serve --bogus: exit %d, a module hint for a flag no command has:\n%s", code, stderr)
	}
}

// --browser-retire-mb sets the memory past which a warm browser is
// replaced after a probe (small machines want less than the default); a
// value outside 0…the hard cap is a usage error, exit 2.
func TestServeBrowserRetireFlag(t *testing.T) {
	ts := startServe(t, "", func(o *serveOptions) { o.BrowserRetireMB = 300 })
	if got := ts.s.browsers.RetireMB(); got != 300 {
		t.Errorf("--browser-retire-mb 300: the pool retires past %d MB", got)
	}
	if got := startServe(t, "", nil).s.browsers.RetireMB(); got != browser.DefaultRetireMB {
		t.Errorf("no --browser-retire-mb: the pool retires past %d MB, want the default %d", got, browser.DefaultRetireMB)
	}
	for _, bad := range []string{"-1", fmt.Sprint(browser.MaxRetireMB + 1)} {
		code, _, stderr := runCLI(t, map[string]string{"LANG": "en_US.UTF-8"}, "serve", "--allow-root", "--listen", "127.0.0.1:0", "--browser-retire-mb", bad)
		if code != 2 || !strings.Contains(stderr, "--browser-retire-mb "+bad) {
			t.Errorf("--browser-retire-mb %s: exit %d, stderr:\n%s", bad, code, stderr)
		}
	}
}
