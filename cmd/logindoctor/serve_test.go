package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/report"
)

// syncBuffer is a log sink safe to read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServe is a running `serve` on loopback.
type testServe struct {
	s       *server
	base    string
	log     *syncBuffer
	signals chan os.Signal
	// done is closed once serve returned, with its error in err.
	done chan struct{}
	err  error
}

// officeModules is a modules file whose module "office" trusts w's CA and
// asks w's NTP server, so probes never leave the machine.
func officeModules(w world, extra string) string {
	return fmt.Sprintf("modules:\n  office:\n    ca_file: %q\n    check_timeout: 3s\n    clock:\n      ntp_servers: [%q]\n%s", w.caFile, w.ntp, extra)
}

func writeModules(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "modules.yml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startServe starts a server with the modules file at path.
func startServe(t *testing.T, path string, tweak func(*serveOptions)) *testServe {
	t.Helper()
	ios, _, _ := testStreams(map[string]string{"LANG": "en_US.UTF-8", "PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")})
	a, err := newApp(ios, nil)
	if err != nil {
		t.Fatal(err)
	}
	return startServeApp(t, a, path, tweak)
}

// startServeApp starts a server of app a.
func startServeApp(t *testing.T, a *app, path string, tweak func(*serveOptions)) *testServe {
	t.Helper()
	o := serveOptions{Listen: "127.0.0.1:0", Modules: path, AllowRoot: true, MaxProbes: 4, MaxBrowser: 1, MaxQueue: 8,
		TimeoutOffset: defaultTimeoutOffset, LogLevel: "debug", DrainTimeout: 3 * time.Second}
	if tweak != nil {
		tweak(&o)
	}
	log := &syncBuffer{}
	s, err := newServer(a, o, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServe{s: s, base: "http://" + ln.Addr().String(), log: log, signals: make(chan os.Signal, 1), done: make(chan struct{})}
	go func() {
		ts.err = s.serve(context.Background(), ln, ts.signals)
		close(ts.done)
	}()
	t.Cleanup(func() {
		select {
		case ts.signals <- syscall.SIGTERM:
		default:
		}
		select {
		case <-ts.done:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop within 10 s of SIGTERM")
		}
	})
	return ts
}

// get fetches path with an optional scrape-timeout header.
func (ts *testServe) get(t *testing.T, path string, scrapeTimeout string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if scrapeTimeout != "" {
		req.Header.Set(scrapeTimeoutHeader, scrapeTimeout)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func probePath(target, module string, more ...string) string {
	q := url.Values{"target": {target}}
	if module != "" {
		q.Set("module", module)
	}
	for i := 0; i+1 < len(more); i += 2 {
		q.Set(more[i], more[i+1])
	}
	return "/probe?" + q.Encode()
}

// metricLine reports whether the exposition has a sample whose line
// starts with prefix (name and labels as written) and ends in value.
func hasSample(body, prefix, value string) bool {
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, prefix) && strings.HasSuffix(line, " "+value) {
			return true
		}
	}
	return false
}

func TestServeProbeHealthyCRM(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	ts := startServe(t, writeModules(t, officeModules(w, "")), nil)
	code, hdr, body := ts.get(t, probePath(w.url, "office"), "10")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("status %d %s\n%s", code, hdr.Get("Content-Type"), body)
	}
	for _, want := range []struct{ prefix, value string }{
		{"logindoctor_probe_success", "1"},
		{`logindoctor_check_status{check="tls.certificate",code="OK",stage="network",status="pass"}`, "1"},
		{`logindoctor_check_status{check="http.login",code="OK",stage="network",status="pass"}`, "1"},
	} {
		if !hasSample(body, want.prefix, want.value) {
			t.Errorf("no sample %s %s in\n%s", want.prefix, want.value, body)
		}
	}
	for _, name := range []string{"logindoctor_probe_duration_seconds ", `logindoctor_check_duration_seconds{check="net.reach"}`,
		`logindoctor_tls_not_after_timestamp_seconds{host="127.0.0.1"}`, "logindoctor_clock_skew_seconds ", `logindoctor_rtt_seconds{host="127.0.0.1"}`} {
		if !strings.Contains(body, "\n"+name) {
			t.Errorf("no %s in\n%s", name, body)
		}
	}
	// By default a probe leaves the browsers out.
	if strings.Contains(body, `check="browser.page"`) || strings.Contains(body, `check="device.browsers"`) {
		t.Errorf("browser checks ran by default:\n%s", body)
	}
	if strings.Contains(body, "logindoctor_top_fix_info{") {
		t.Errorf("a healthy CRM has a top fix:\n%s", body)
	}
}

func TestServeProbeExpiredCertificate(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	ts := startServe(t, writeModules(t, officeModules(w, "")), nil)
	code, _, body := ts.get(t, probePath(w.url, "office"), "10")
	if code != http.StatusOK {
		t.Fatalf("status %d\n%s", code, body)
	}
	for _, want := range []struct{ prefix, value string }{
		{"logindoctor_probe_success", "0"},
		{`logindoctor_check_status{check="tls.certificate",code="TLS_EXPIRED",stage="network",status="fail"}`, "1"},
		{`logindoctor_top_fix_info{check="tls.certificate",code="TLS_EXPIRED",owner="admin",severity="critical"}`, "1"},
	} {
		if !hasSample(body, want.prefix, want.value) {
			t.Errorf("no sample %s %s in\n%s", want.prefix, want.value, body)
		}
	}
	if !strings.Contains(body, "\nlogindoctor_tls_not_after_timestamp_seconds{") {
		t.Errorf("an expired certificate's expiry is a figure too:\n%s", body)
	}
}

func TestServeProbeJSONIsTheRedactedV1Report(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	ts := startServe(t, writeModules(t, officeModules(w, "")), nil)
	code, hdr, body := ts.get(t, probePath(w.url+"?session=s3cr3tvalue", "office", "format", "json", "lang", "zh"), "")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %s\n%s", code, hdr.Get("Content-Type"), body)
	}
	rep, err := report.ReadJSON(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not a v1 report: %v\n%s", err, body)
	}
	if rep.Verdict != "pass" || rep.Lang != "zh" {
		t.Errorf("verdict %s lang %s", rep.Verdict, rep.Lang)
	}
	if strings.Contains(body, "s3cr3tvalue") || strings.Contains(ts.log.String(), "s3cr3tvalue") {
		t.Errorf("a URL's query value leaked")
	}
}

func TestServeProbeRefusesBadRequests(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	ts := startServe(t, writeModules(t, officeModules(w, "")), nil)
	for _, c := range []struct{ name, path, header, want string }{
		{"missing target", "/probe?module=office", "", "target parameter is missing"},
		{"unknown module", probePath(w.url, "nowhere"), "", `unknown module "nowhere"`},
		{"no default module", "/probe?target=" + url.QueryEscape(w.url), "", `unknown module "default"`},
		{"not a URL", probePath("crm.example.com", "office"), "", "http:// or https://"},
		{"other scheme", probePath("ftp://crm.example.com/", "office"), "", "http:// or https://"},
		{"credentials", probePath("https://u:p@crm.example.com/", "office"), "", "credentials"},
		{"bad format", probePath(w.url, "office", "format", "xml"), "", "format"},
		{"bad scrape timeout", probePath(w.url, "office"), "soon", scrapeTimeoutHeader},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, body := ts.get(t, c.path, c.header)
			if code != http.StatusBadRequest || !strings.Contains(body, c.want) {
				t.Fatalf("status %d %q, want 400 with %q", code, body, c.want)
			}
		})
	}
	_, _, metrics := ts.get(t, "/metrics", "")
	if !hasSample(metrics, "logindoctor_serve_bad_requests_total", "8") {
		t.Errorf("bad requests not counted:\n%s", metrics)
	}
}

// A probe answers before Prometheus gives up, even when the CRM hangs.
func TestServeProbeHonoursScrapeTimeout(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{Hang: true})
	ts := startServe(t, writeModules(t, officeModules(w, "")), nil)
	start := time.Now()
	code, _, body := ts.get(t, probePath(w.url, "office"), "2.5")
	took := time.Since(start)
	if code != http.StatusOK || !hasSample(body, "logindoctor_probe_success", "0") {
		t.Fatalf("status %d\n%s", code, body)
	}
	if took > 2500*time.Millisecond {
		t.Errorf("probe took %s, Prometheus waits 2.5 s", took)
	}
}

func TestServeProbeTimeout(t *testing.T) {
	m := &module{Timeout: 30 * time.Second}
	for _, c := range []struct {
		header string
		want   time.Duration
	}{
		{"", 30 * time.Second},
		{"10", 9500 * time.Millisecond},
		{"120", 30 * time.Second},
		{"0.25", 250 * time.Millisecond},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/probe", nil)
		if c.header != "" {
			r.Header.Set(scrapeTimeoutHeader, c.header)
		}
		got, err := probeTimeout(r, m, defaultTimeoutOffset)
		if err != nil || got != c.want {
			t.Errorf("header %q: %s %v, want %s", c.header, got, err, c.want)
		}
	}
}
