package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
)

// Issue 15: a probe without the browser is measured against what
// blackbox_exporter's http prober does for the same loopback page —
// resolve, connect, TLS, GET — so the README can say how the two compare.

// benchWorld is the fake CRM on loopback with a valid certificate, its CA
// file and an NTP server; opts are the CRM's other options.
type benchWorld struct {
	url, caFile, ntp string
	roots            *x509.CertPool
}

func newBenchWorld(b testing.TB, opts crm.Options) benchWorld {
	b.Helper()
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	cert, err := f.Leaf(certs.Valid, "127.0.0.1", "localhost")
	if err != nil {
		b.Fatal(err)
	}
	opts.Cert = &cert
	srv, err := crm.Start(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	ntp, err := ntpserver.Start(ntpserver.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ntp.Close() })
	ca := filepath.Join(b.TempDir(), "ca.pem")
	if err := f.Root.WritePEM(ca); err != nil {
		b.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(f.Root.PEM())
	return benchWorld{url: srv.URL(), caFile: ca, ntp: ntp.Addr(), roots: roots}
}

// networkChecks are what blackbox_exporter's http prober does for a page
// — resolve, connect (through the proxy if any), TLS, GET — as checks.
const networkChecks = "[dns.resolve, proxy.route, net.reach, tls.certificate, http.login]"

// startBenchServe starts `serve` with three modules that trust w's CA and
// ask w's NTP server: "office", a module's default checks (no browser, no
// device, no link quality), "quality", those and net.quality (also:), and
// "network", only networkChecks. It returns the probe URL of module for
// w's page.
func startBenchServe(b testing.TB, w benchWorld, module string) string {
	b.Helper()
	modules := filepath.Join(b.TempDir(), "modules.yml")
	text := fmt.Sprintf("modules:\n  office:\n    ca_file: %q\n    check_timeout: 3s\n    clock:\n      ntp_servers: [%q]\n", w.caFile, w.ntp) +
		fmt.Sprintf("  quality:\n    ca_file: %q\n    check_timeout: 3s\n    clock:\n      ntp_servers: [%q]\n    also: [net.quality]\n", w.caFile, w.ntp) +
		fmt.Sprintf("  network:\n    ca_file: %q\n    check_timeout: 3s\n    only: %s\n", w.caFile, networkChecks)
	if err := os.WriteFile(modules, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	ios, _, _ := testStreams(map[string]string{"LANG": "en_US.UTF-8", "PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")})
	a, err := newApp(ios, nil)
	if err != nil {
		b.Fatal(err)
	}
	o := serveOptions{Listen: "127.0.0.1:0", Modules: modules, AllowRoot: true, MaxProbes: 8, MaxBrowser: 1, MaxQueue: 64,
		TimeoutOffset: defaultTimeoutOffset, LogLevel: "info", DrainTimeout: 3 * time.Second}
	s, err := newServer(a, o, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		b.Fatal(err)
	}
	signals, done := make(chan os.Signal, 1), make(chan struct{})
	go func() {
		_ = s.serve(context.Background(), ln, signals)
		close(done)
	}()
	b.Cleanup(func() {
		signals <- syscall.SIGTERM
		<-done
	})
	return "http://" + ln.Addr().String() + "/probe?module=" + module + "&target=" + w.url
}

// benchProbe runs one probe and fails unless the CRM was found healthy.
func benchProbe(b testing.TB, client *http.Client, probe string) {
	req, _ := http.NewRequest(http.MethodGet, probe, nil)
	req.Header.Set(scrapeTimeoutHeader, "10")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "\nlogindoctor_probe_success 1\n") {
		b.Fatalf("probe: status %d\n%s", resp.StatusCode, body)
	}
}

// BenchmarkProbeNoBrowser is one warm `serve` probe of the loopback CRM
// with a module's default checks (no browser, no device, no link quality):
// resolve, route, reach, TLS, the sign-in walk, the clock against a
// loopback NTP server, rendered as Prometheus metrics. probes/s is the throughput of
// that many probes at once (GOMAXPROCS concurrent clients).
func BenchmarkProbeNoBrowser(b *testing.B) {
	w := newBenchWorld(b, crm.Options{})
	probe := startBenchServe(b, w, "office")
	client := &http.Client{Timeout: 30 * time.Second}
	benchProbe(b, client, probe) // warm: first-use costs are not a probe's
	b.Run("serial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			benchProbe(b, client, probe)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				benchProbe(b, client, probe)
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "probes/s")
	})
}

// BenchmarkBaselineHTTPSGet is blackbox_exporter's http prober on the same
// page: a fresh resolve, connect, TLS handshake and GET, body read.
func BenchmarkBaselineHTTPSGet(b *testing.B) {
	w := newBenchWorld(b, crm.Options{})
	get := func() {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: w.roots}, DisableKeepAlives: true}
		resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(w.url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		get()
	}
}

// blackboxExporter is Debian's prometheus-blackbox-exporter (make bench
// installs it), or "" when it is not on this machine.
func blackboxExporter() string {
	for _, name := range []string{"prometheus-blackbox-exporter", "blackbox_exporter"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startBlackbox starts blackbox_exporter on loopback with one http module
// that trusts w's CA, and returns its probe URL for w's page.
func startBlackbox(b *testing.B, bin string, w benchWorld) string {
	b.Helper()
	dir := b.TempDir()
	conf := filepath.Join(dir, "blackbox.yml")
	text := fmt.Sprintf("modules:\n  https:\n    prober: http\n    timeout: 10s\n    http:\n      preferred_ip_protocol: ip4\n      tls_config:\n        ca_file: %q\n", w.caFile)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	addr := freeLoopbackAddr(b)
	cmd := exec.Command(bin, "--config.file="+conf, "--web.listen-address="+addr, "--log.level=error")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "http://" + addr
	waitHealthy(b, base, "blackbox_exporter")
	return base + "/probe?module=https&target=" + w.url
}

// freeLoopbackAddr is a loopback address with a port free at the moment,
// for a server started as a separate program.
func freeLoopbackAddr(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHealthy waits up to 10 s for base's /-/healthy to answer (serve and
// blackbox_exporter both have it).
func waitHealthy(b *testing.B, base, name string) {
	b.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(base + "/-/healthy")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s did not start on %s: %v", name, base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// blackboxProbe runs one blackbox_exporter probe and fails unless it
// succeeded.
func blackboxProbe(b *testing.B, client *http.Client, probe string) {
	resp, err := client.Get(probe)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "\nprobe_success 1\n") {
		b.Fatalf("blackbox_exporter probe failed:\n%s", body)
	}
}

// BenchmarkProbeVsBlackbox is the side-by-side: a warm `serve`
// probe without the browser and the real blackbox_exporter's http probe of
// the same loopback page, alternating, each through its own HTTP /probe
// endpoint. ratio is logindoctor's mean over blackbox_exporter's. network
// runs the checks that do what blackbox_exporter does (networkChecks);
// office a module's default checks, which also ask NTP and the server for
// the time; quality adds net.quality (six round trips and a download).
func BenchmarkProbeVsBlackbox(b *testing.B) {
	bin := blackboxExporter()
	if bin == "" {
		b.Skip("prometheus-blackbox-exporter is not installed (Debian: apt-get install prometheus-blackbox-exporter; make bench does it as root)")
	}
	w := newBenchWorld(b, crm.Options{})
	theirs := startBlackbox(b, bin, w)
	client := &http.Client{Timeout: 30 * time.Second}
	blackboxProbe(b, client, theirs)
	for _, module := range []string{"network", "office", "quality"} {
		ours := startBenchServe(b, w, module)
		benchProbe(b, client, ours)
		b.Run(module, func(b *testing.B) {
			var tOurs, tTheirs time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				benchProbe(b, client, ours)
				mid := time.Now()
				blackboxProbe(b, client, theirs)
				tOurs, tTheirs = tOurs+mid.Sub(start), tTheirs+time.Since(mid)
			}
			b.ReportMetric(float64(tOurs.Microseconds())/1000/float64(b.N), "logindoctor-ms")
			b.ReportMetric(float64(tTheirs.Microseconds())/1000/float64(b.N), "blackbox-ms")
			b.ReportMetric(float64(tOurs)/float64(tTheirs), "ratio")
		})
	}
}
