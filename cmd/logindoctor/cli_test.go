package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/idp"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

// world is a loopback fake CRM with a certificate of some kind, the CA
// file that trusts it and an NTP server, so a run never leaves the machine.
type world struct {
	url    string
	caFile string
	ntp    string
}

func newWorld(t *testing.T, kind certs.Kind, opts crm.Options) world {
	t.Helper()
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := f.Leaf(kind, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	opts.Cert = &cert
	srv, err := crm.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ntp, err := ntpserver.Start(ntpserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ntp.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := f.Root.WritePEM(ca); err != nil {
		t.Fatal(err)
	}
	return world{url: srv.URL(), caFile: ca, ntp: ntp.Addr()}
}

// env is the environment of a test run: no proxies, English, the world's
// NTP server, nothing from the machine.
func (w world) env(extra map[string]string) map[string]string {
	m := map[string]string{"LANG": "en_US.UTF-8", "LOGINDOCTOR_CLOCK_NTP_SERVERS": w.ntp, "PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// runCLI runs logindoctor in-process in a temp working directory.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, out, errOut := testStreams(env)
	t.Chdir(t.TempDir())
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	code = a.execute(context.Background(), args)
	return code, out.String(), errOut.String()
}

// quick are the flags that keep a CLI run fast and on loopback.
func quick(w world, more ...string) []string {
	return append([]string{w.url, "--ca-file", w.caFile, "--check-timeout", "3s", "--skip", "browser.page,device.browsers"}, more...)
}

type jsonReport struct {
	Schema   string         `json:"schema"`
	ReportID string         `json:"report_id"`
	Verdict  string         `json:"verdict"`
	Counts   map[string]int `json:"counts"`
	Fixes    []struct {
		Rank  int    `json:"rank"`
		Check string `json:"check"`
		Code  string `json:"code"`
		Title string `json:"title"`
	} `json:"fixes"`
	Results []struct {
		Check  string `json:"check"`
		Status string `json:"status"`
		Code   string `json:"code"`
	} `json:"results"`
}

func decode(t *testing.T, s string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return r
}

func TestHealthyCRMPasses(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	code, out, errOut := runCLI(t, w.env(nil), quick(w, "--format", "json")...)
	r := decode(t, out)
	if code != exitPass || r.Verdict != "pass" || r.Counts["warn"] != 0 {
		t.Fatalf("healthy CRM: exit %d verdict %s counts %v\n%s\n%s", code, r.Verdict, r.Counts, out, errOut)
	}
}

func TestExpiredCertificateRanksFirstAndFails(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	code, out, _ := runCLI(t, w.env(nil), quick(w, "--format", "json")...)
	r := decode(t, out)
	if code != exitFail {
		t.Fatalf("exit %d, want 1", code)
	}
	if len(r.Fixes) == 0 || r.Fixes[0].Code != "TLS_EXPIRED" || r.Fixes[0].Check != "tls.certificate" {
		t.Fatalf("first fix = %+v, want tls.certificate TLS_EXPIRED", r.Fixes)
	}
}

func TestJSONMatchesContractFieldForField(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	_, out, _ := runCLI(t, w.env(nil), quick(w, "--format", "json")...)
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "report_id", "tool", "target", "started_at", "duration_ms", "lang", "verdict", "counts", "fixes", "results"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	if raw["schema"] != "logindoctor/report/v1" {
		t.Errorf("schema = %v", raw["schema"])
	}
	counts := raw["counts"].(map[string]any)
	for _, k := range []string{"pass", "warn", "fail", "skip", "error"} {
		if _, ok := counts[k]; !ok {
			t.Errorf("counts lacks %q", k)
		}
	}
	fix := raw["fixes"].([]any)[0].(map[string]any)
	for _, k := range []string{"rank", "check", "code", "severity", "owner", "title", "steps"} {
		if _, ok := fix[k]; !ok {
			t.Errorf("fix lacks %q", k)
		}
	}
	for _, res := range raw["results"].([]any) {
		m := res.(map[string]any)
		for _, k := range []string{"check", "stage", "status", "code", "severity", "summary", "evidence", "blocked_by", "duration_ms"} {
			if _, ok := m[k]; !ok {
				t.Errorf("result %v lacks %q", m["check"], k)
			}
		}
	}
}

func TestJUnitIsValidXML(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	out := filepath.Join(t.TempDir(), "junit.xml")
	code, _, _ := runCLI(t, w.env(nil), quick(w, "--format", "junit", "--output", out)...)
	if code != exitFail {
		t.Fatalf("exit %d", code)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		XMLName xml.Name
		Cases   []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Type string `xml:"type,attr"`
			} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatalf("junit is not valid XML: %v\n%s", err, data)
	}
	failed := false
	for _, c := range suites.Cases {
		if c.Name == "tls.certificate" && c.Failure != nil && c.Failure.Type == "TLS_EXPIRED" {
			failed = true
		}
	}
	if !failed {
		t.Fatalf("no failing tls.certificate testcase carrying TLS_EXPIRED:\n%s", data)
	}
}

func TestUsageAndConfigErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("url: https://crm.example.com\nclock:\n  max_skew: often\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad config value", []string{"--config", bad}, "clock.max_skew"},
		{"unknown flag", []string{"--frobnicate"}, "frobnicate"},
		{"stray rod flag", []string{"-rod=x", "https://crm.example.com"}, "rod"},
		{"bad format", []string{"https://crm.example.com", "--format", "pdf"}, "pdf"},
		{"unknown check", []string{"https://crm.example.com", "--only", "dns.nope"}, "dns.nope"},
		{"bad fail-on", []string{"https://crm.example.com", "--fail-on", "medium"}, "medium"},
		{"too many args", []string{"a.example", "b.example"}, "arg"},
		{"no url, no terminal", nil, "No CRM address"},
		{"url without host", []string{"https://"}, "no host name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, map[string]string{"LANG": "C"}, tc.args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and a message naming %q", code, errOut, tc.want)
			}
		})
	}
}

func TestOutputIsWrittenAtomically(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	code, stdout, _ := runCLI(t, w.env(nil), quick(w, "--format", "json", "--output", out)...)
	// stdout is no terminal here: a CI log, which gets the one-line verdict.
	if code != exitPass || strings.Count(stdout, "\n") != 1 || !strings.HasPrefix(stdout, "✓ ") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	r := decode(t, string(must(os.ReadFile(out))))
	if r.Schema != "logindoctor/report/v1" {
		t.Fatalf("written report schema %q", r.Schema)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left beside the report: %v", entries)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestReportRender(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	saved := filepath.Join(t.TempDir(), "r.json")
	runCLI(t, w.env(nil), quick(w, "--format", "json", "--output", saved)...)
	id := decode(t, string(must(os.ReadFile(saved)))).ReportID

	for _, format := range []string{"text", "markdown", "html", "junit"} {
		code, out, errOut := runCLI(t, w.env(nil), "report", "render", saved, "--format", format, "--lang", "zh")
		if code != exitPass || !strings.Contains(out, id) {
			t.Fatalf("render %s: exit %d, report id %s missing\n%s%s", format, code, id, out, errOut)
		}
	}
	_, zh, _ := runCLI(t, w.env(nil), "report", "render", saved, "--lang", "zh")
	if !strings.ContainsAny(zh, "证书过期") {
		t.Errorf("--lang zh rendering has no Chinese:\n%s", zh)
	}

	other := filepath.Join(t.TempDir(), "other.json")
	os.WriteFile(other, []byte(`{"schema":"logindoctor/report/v9"}`), 0o600)
	notReport := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(notReport, []byte("hello"), 0o600)
	for _, f := range []string{other, notReport, filepath.Join(t.TempDir(), "missing.json")} {
		if code, _, errOut := runCLI(t, nil, "report", "render", f); code != exitUsage || errOut == "" {
			t.Errorf("render %s: exit %d, stderr %q; want 2 with a clear error", f, code, errOut)
		}
	}
}

func TestBundleHasEverythingAndNoSecret(t *testing.T) {
	const canary = "CANARY-s3cr3t-7f1c2b"
	w := newWorld(t, certs.Expired, crm.Options{})
	bundle := filepath.Join(t.TempDir(), "ticket.zip")
	env := w.env(map[string]string{
		"LOGINDOCTOR_ACCOUNT_TOKEN": canary,
		"HTTPS_PROXY":               "http://alice:" + canary + "@127.0.0.1:1",
		"NO_PROXY":                  "127.0.0.1",
	})
	code, out, errOut := runCLI(t, env, quick(w, "--bundle", bundle, "-v")...)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if strings.Contains(out+errOut, canary) {
		t.Fatal("the canary secret appears in the output")
	}
	zr, err := zip.OpenReader(bundle)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(data, []byte(canary)) {
			t.Errorf("%s contains the canary secret", f.Name)
		}
		if f.Name == "README.txt" && !bytes.Contains(data, []byte("LD-")) {
			t.Errorf("README.txt does not name the report id:\n%s", data)
		}
		if f.Name == "environment.json" && !bytes.Contains(data, []byte("127.0.0.1:1")) {
			t.Errorf("environment.json lacks the (redacted) proxy setting:\n%s", data)
		}
	}
	for _, want := range []string{"report.md", "report.html", "report.json", "environment.json", "README.txt"} {
		if !names[want] {
			t.Errorf("bundle lacks %s (has %v)", want, names)
		}
	}
}

func TestSmokeExitCodes(t *testing.T) {
	good := newWorld(t, certs.Valid, crm.Options{})
	if code, out, _ := runCLI(t, good.env(nil), "smoke", good.url, "--ca-file", good.caFile, "--check-timeout", "3s", "--skip", "browser.page"); code != exitPass {
		t.Fatalf("smoke on a healthy CRM: exit %d\n%s", code, out)
	}
	bad := newWorld(t, certs.Valid, crm.Options{Status: 503})
	code, out, _ := runCLI(t, bad.env(nil), "smoke", bad.url, "--ca-file", bad.caFile, "--check-timeout", "3s", "--skip", "browser.page", "--format", "json")
	r := decode(t, out)
	if code != exitFail {
		t.Fatalf("smoke on a 503: exit %d", code)
	}
	for _, res := range r.Results {
		switch res.Check {
		case "clock.skew", "account.status", "policy.hours", "policy.network", "device.browsers":
			t.Errorf("smoke ran %s", res.Check)
		}
	}
}

func TestChineseReport(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	_, out, _ := runCLI(t, w.env(map[string]string{"LANG": "zh_CN.UTF-8"}), quick(w)...)
	if !strings.Contains(out, "证书") {
		t.Fatalf("zh locale did not give a Chinese report:\n%s", out)
	}
}

func TestProxyAuthRanksFirst(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	p, err := proxy.Start(proxy.Config{User: "alice", Password: "right"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	for name, env := range map[string]map[string]string{
		"no credentials":    {"HTTPS_PROXY": p.URL().String()},
		"wrong credentials": {"HTTPS_PROXY": p.URLWithAuth("alice", "Wr0ngCanary9").String()},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, _ := runCLI(t, w.env(env), quick(w, "--format", "json")...)
			r := decode(t, out)
			if code != exitFail || len(r.Fixes) == 0 || r.Fixes[0].Code != "PROXY_AUTH_REQUIRED" {
				t.Fatalf("exit %d, fixes %+v; want PROXY_AUTH_REQUIRED first", code, r.Fixes)
			}
			if strings.Contains(out, "Wr0ngCanary9") {
				t.Fatal("the proxy password appears in the report")
			}
		})
	}
	t.Run("right credentials", func(t *testing.T) {
		code, out, _ := runCLI(t, w.env(map[string]string{"HTTPS_PROXY": p.URLWithAuth("alice", "right").String()}), quick(w, "--format", "json")...)
		if code != exitPass {
			t.Fatalf("exit %d through an accepting proxy\n%s", code, out)
		}
		if p.Connects() == 0 {
			t.Fatal("the run did not go through the proxy")
		}
	})
}

// TestCanaryTokenNeverAppears plants a canary API token that the fake
// identity provider really receives and echoes back, and scans every
// output format and the bundle for it.
func TestCanaryTokenNeverAppears(t *testing.T) {
	const canary = "CANARY-tok-5b9e0c3d1a"
	w := newWorld(t, certs.Valid, crm.Options{})
	for _, mode := range []idp.Mode{idp.ModeNormal, idp.ModeEcho500} {
		api, err := idp.Start(idp.Options{Token: canary, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { api.Close() })
		dir := t.TempDir()
		profile := filepath.Join(dir, "p.yaml")
		yaml := "account:\n  provider: keycloak\n  base_url: " + api.URL() + "\n  realm: " + api.Realm() + "\n  user: locked\n"
		if err := os.WriteFile(profile, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		env := w.env(map[string]string{"LOGINDOCTOR_ACCOUNT_TOKEN": canary})
		for _, format := range []string{"text", "json", "markdown", "html", "junit"} {
			bundle := filepath.Join(dir, format+".zip")
			_, out, errOut := runCLI(t, env, quick(w, "--config", profile, "--format", format, "-v", "--bundle", bundle)...)
			if format == "json" && mode == idp.ModeNormal && !strings.Contains(out, "ACCOUNT_LOCKED") {
				t.Fatalf("the account check did not use the token (no ACCOUNT_LOCKED):\n%s", out)
			}
			if strings.Contains(out+errOut, canary) {
				t.Fatalf("%s/%s: the token appears in the output", mode, format)
			}
			zr, err := zip.OpenReader(bundle)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				rc, _ := f.Open()
				data, _ := io.ReadAll(rc)
				rc.Close()
				if bytes.Contains(data, []byte(canary)) {
					t.Errorf("%s/%s: bundle file %s contains the token", mode, format, f.Name)
				}
			}
			zr.Close()
		}
	}
}

// TestProfileInWorkingDirectory: with no arguments, ./logindoctor.yaml is used.
func TestProfileInWorkingDirectory(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	ios, out, errOut := testStreams(w.env(nil))
	dir := t.TempDir()
	t.Chdir(dir)
	// ca_file is a flag: a profile found in the working directory may not
	// choose whom TLS trusts.
	yaml := "url: " + w.url + "\ncheck_timeout: 3s\n"
	if err := os.WriteFile(filepath.Join(dir, "logindoctor.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--ca-file", w.caFile, "--skip", "browser.page,device.browsers", "--format", "json"}
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	if code := a.execute(context.Background(), args); code != exitFail {
		t.Fatalf("exit %d with ./logindoctor.yaml\n%s\n%s", code, out, errOut)
	}
	if r := decode(t, out.String()); r.Fixes[0].Code != "TLS_EXPIRED" {
		t.Fatalf("profile not used: %+v", r.Fixes)
	}
}

// TestUnreachableEndpointDoesNotHideTheLoginPage: an SSO endpoint that
// refuses is net.reach's finding, and the login host's certificate and
// page are still checked.
func TestUnreachableEndpointDoesNotHideTheLoginPage(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	closed, release, err := faultnet.RefusingAddr()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	env := w.env(map[string]string{"LOGINDOCTOR_ENDPOINTS": closed})
	code, out, _ := runCLI(t, env, quick(w, "--format", "json")...)
	r := decode(t, out)
	if code != exitFail || len(r.Fixes) == 0 || r.Fixes[0].Code != "NET_REFUSED" {
		t.Fatalf("exit %d, fixes %+v; want NET_REFUSED first", code, r.Fixes)
	}
	for _, res := range r.Results {
		if (res.Check == "tls.certificate" || res.Check == "http.login") && res.Status != "pass" {
			t.Errorf("%s = %s %s; the login host itself is fine", res.Check, res.Status, res.Code)
		}
	}
}
