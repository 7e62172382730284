package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
)

// A real Prometheus scrapes serve with the relabelling of deploy/: a
// healthy CRM reads as success 1; the same CRM restarted with an expired
// certificate as success 0 with TLS_EXPIRED.
func TestServeScrapedByRealPrometheus(t *testing.T) {
	prom := needTool(t, "prometheus")
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	startCRM := func(kind certs.Kind, listen string) *crm.Server {
		cert, err := f.Leaf(kind, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		srv, err := crm.Start(crm.Options{Cert: &cert, Listen: listen})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	site := startCRM(certs.Valid, "")
	t.Cleanup(func() { site.Close() })
	ntp, err := ntpserver.Start(ntpserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ntp.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := f.Root.WritePEM(ca); err != nil {
		t.Fatal(err)
	}
	w := world{url: site.URL(), caFile: ca, ntp: ntp.Addr()}
	ts := startServe(t, writeModules(t, officeModules(w, "")), nil)

	api := startPrometheus(t, prom, w.url, strings.TrimPrefix(ts.base, "http://"))
	waitQuery(t, api, `logindoctor_probe_success{site="office"} == 1`, "a healthy CRM")

	addr := site.Addr()
	site.Close()
	site = startCRM(certs.Expired, addr)
	waitQuery(t, api, `logindoctor_probe_success{site="office"} == 0`, "the CRM with an expired certificate")
	waitQuery(t, api, `logindoctor_check_status{site="office",check="tls.certificate",code="TLS_EXPIRED"} == 1`, "TLS_EXPIRED")
}

// startPrometheus runs Prometheus on a loopback port with its own storage,
// scraping serve at serveAddr for target every second, and returns its
// HTTP API's base URL.
func startPrometheus(t *testing.T, bin, target, serveAddr string) string {
	t.Helper()
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: logindoctor_office
    metrics_path: /probe
    scrape_interval: 2s
    scrape_timeout: 2s
    static_configs:
      - targets: [%q]
        labels: {site: office}
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [site]
        target_label: __param_module
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: %q
`, target, serveAddr)
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+listen, "--storage.tsdb.retention.time=1h", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logFile.Name()); err == nil {
				t.Logf("prometheus log:\n%s", b)
			}
		}
	})
	base := "http://" + listen
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/-/ready", nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready within 30 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitQuery polls Prometheus' query API until query returns a series.
func waitQuery(t *testing.T, api, query, what string) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		n, body, err := promQuery(api, query)
		if err == nil && n > 0 {
			return
		}
		last = fmt.Sprintf("%v %s", err, body)
		time.Sleep(250 * time.Millisecond)
	}
	_, all, _ := promQuery(api, `{__name__=~"logindoctor_probe_success|logindoctor_check_status|up"}`)
	t.Fatalf("%s: %s never held within 45 s (last answer %s)\nseries now: %s", what, query, last, all)
}

// promQuery runs an instant query and returns how many series it found.
func promQuery(api, query string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/api/v1/query?query="+url.QueryEscape(query), nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var out struct {
		Status string `json:"status"`
		Data   struct {
			Result []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	dec := json.NewDecoder(resp.Body)
	if err := dec.Decode(&out); err != nil {
		return 0, "", err
	}
	var parts []string
	for _, r := range out.Data.Result {
		parts = append(parts, string(r))
	}
	if out.Status != "success" {
		return 0, strings.Join(parts, "\n"), fmt.Errorf("status %s", out.Status)
	}
	return len(out.Data.Result), strings.Join(parts, "\n"), nil
}
