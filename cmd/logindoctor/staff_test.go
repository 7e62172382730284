package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/report"
)

// ttyStreams are test streams that claim to be a terminal.
func ttyStreams(env map[string]string, input string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	ios, out, errOut := testStreams(env)
	ios.In = strings.NewReader(input)
	ios.InTTY, ios.OutTTY, ios.ErrTTY = true, true, true
	return ios, out, errOut
}

func TestAsksForTheAddressOnATerminal(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	ios, out, errOut := ttyStreams(w.env(map[string]string{"NO_COLOR": "1"}), w.url+"\n")
	t.Chdir(t.TempDir())
	args := []string{"--ca-file", w.caFile, "--check-timeout", "3s", "--skip", "browser.page,device.browsers"}
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	code := a.execute(context.Background(), args)
	if code != exitPass {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut.String(), "Which address") {
		t.Errorf("no friendly question on the terminal:\n%s", errOut)
	}
	if !strings.Contains(errOut.String(), "Checking…") {
		t.Errorf("no progress shown on a terminal:\n%s", errOut)
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Errorf("colour despite NO_COLOR:\n%q", out)
	}
}

func TestNoProgressOrColourWhenNotATerminal(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	_, out, errOut := runCLI(t, w.env(nil), quick(w)...)
	if strings.Contains(errOut, "Checking") || strings.Contains(out+errOut, "\x1b[") {
		t.Fatalf("progress or colour on a pipe:\nstdout %q\nstderr %q", out, errOut)
	}
}

func TestColourOnATerminal(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	ios, out, _ := ttyStreams(w.env(nil), "")
	t.Chdir(t.TempDir())
	args := quick(w)
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	a.execute(context.Background(), args)
	if !strings.Contains(out.String(), "\x1b[") {
		t.Fatalf("no colour on a terminal:\n%s", out)
	}
}

func TestReportOpensWithVerdictAndStartHere(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	for _, lang := range []string{"en", "zh"} {
		_, out, _ := runCLI(t, w.env(nil), quick(w, "--lang", lang)...)
		lines := strings.Split(out, "\n")
		if len(lines) < 2 || !strings.Contains(lines[0], "LD-") {
			t.Fatalf("%s: first line is not the verdict with the report id:\n%s", lang, out)
		}
		start := map[string]string{"en": "Start here:", "zh": "请先处理"}[lang]
		if !strings.HasPrefix(lines[1], start) {
			t.Errorf("%s: second line does not say where to start:\n%s", lang, out)
		}
		if strings.Contains(out, "evidence") || strings.Contains(out, "not_after") {
			t.Errorf("%s: technical details without -v:\n%s", lang, out)
		}
	}
}

// TestEveryCLIMessageExists finds every message id the CLI looks up
// literally and requires it in both languages.
func TestEveryCLIMessageExists(t *testing.T) {
	re := regexp.MustCompile(`\.t\("([a-z_.\-]+)"`)
	files, _ := os.ReadDir(".")
	ids := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".go") && !strings.HasSuffix(f.Name(), "_test.go") {
			src, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if !strings.HasSuffix(m[1], ".") {
					ids[m[1]] = true
				}
			}
		}
	}
	for _, s := range demoScenarios() {
		ids["demo."+s.name] = true
	}
	reg, err := newApp(&IOStreams{Getenv: func(string) string { return "" }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range reg.registry.IDs() {
		ids["about."+id] = true
		ids["pass."+id+".summary"] = true
	}
	if len(ids) < 30 {
		t.Fatalf("found only %d message ids: is the pattern stale?", len(ids))
	}
	for _, lang := range report.Languages() {
		tr := report.Messages(lang)
		for id := range ids {
			if !tr.Has(id) {
				t.Errorf("%s: message %q is missing", lang, id)
			}
		}
	}
}

func TestDemoInChinese(t *testing.T) {
	code, out, errOut := runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, "demo", "--scenario", "expired-cert", "--lang", "zh", "--skip", "browser.page,device.browsers")
	if code != exitFail || !strings.Contains(out, "证书") || !strings.Contains(out, "请先处理") {
		t.Fatalf("demo --lang zh: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestDemoScenariosGiveTheirCode(t *testing.T) {
	want := map[string]string{
		"healthy": "", "expired-cert": "TLS_EXPIRED", "wrong-host": "TLS_HOSTNAME_MISMATCH", "unknown-ca": "TLS_UNTRUSTED",
		"maintenance": "HTTP_STATUS", "server-error": "HTTP_STATUS", "redirect-loop": "HTTP_REDIRECT_LOOP",
		"windows-signin": "HTTP_NEGOTIATE", "clock-skew": "CLOCK_SKEW", "sso-expired": "TLS_EXPIRED",
		"dns-nxdomain": "DNS_NXDOMAIN", "hosts-override": "DNS_HOSTS_OVERRIDE", "account-locked": "ACCOUNT_LOCKED",
		"domain-account-locked": "ACCOUNT_LOCKED",
		"password-expired":      "ACCOUNT_PASSWORD_EXPIRED", "outside-hours": "POLICY_OUTSIDE_HOURS", "ip-not-allowed": "POLICY_IP_NOT_ALLOWED",
		"slow": "HTTP_SLOW", "proxy-auth": "PROXY_AUTH_REQUIRED", "pac-broken": "PAC_ERROR", "via-pac-proxy": "",
		"clock-behind": "CLOCK_SKEW", "dns-servfail": "DNS_SERVFAIL", "dns-timeout": "DNS_TIMEOUT",
		"proxy-denied": "PROXY_DENIED", "proxy-down": "PROXY_UNREACHABLE", "pac-unreachable": "PROXY_PAC_UNREACHABLE", "port-closed": "NET_REFUSED", "firewall": "NET_TIMEOUT",
		"captive-portal": "NET_CAPTIVE_PORTAL", "wrong-dns-answer": "DNS_MISMATCH", "high-latency": "NET_HIGH_LATENCY",
		"slow-link": "NET_SLOW_LINK", "packet-loss": "NET_PACKET_LOSS", "incomplete-chain": "TLS_INCOMPLETE_CHAIN",
		"client-certificate": "TLS_CLIENT_CERT_REQUIRED", "plain-http": "TLS_PLAINTEXT",
		"proxy-windows-signin": "PROXY_AUTH_REQUIRED", "pac-failover": "PROXY_UNREACHABLE",
	}
	// shown: the status (and variant) of the first fix's finding, where
	// the scenario is about that one.
	shown := map[string]string{
		"wrong-dns-answer": "fail wrong_address", "incomplete-chain": "warn", "plain-http": "warn",
		"proxy-windows-signin": "fail windows_sso", "pac-failover": "warn failover",
	}
	browserWant := map[string]string{
		"cookie-rejected": "BROWSER_COOKIE_REJECTED", "script-error": "BROWSER_JS_ERROR", "blocked-file": "BROWSER_RESOURCE_BLOCKED",
		"no-form": "BROWSER_NO_LOGIN_FORM", "popup-blocked": "BROWSER_POPUP_BLOCKED",
	}
	for _, sc := range demoScenarios() {
		code, ok := want[sc.name]
		skip := "browser.page,device.browsers"
		if bc, isBrowser := browserWant[sc.name]; isBrowser {
			code, ok, skip = bc, true, "device.browsers"
		}
		if !ok {
			t.Errorf("scenario %s has no expected code in this test", sc.name)
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			if skip == "device.browsers" {
				requireBrowser(t)
			} else {
				t.Parallel()
			}
			_, out, errOut := runCLIParallel(t, map[string]string{"PATH": os.Getenv("PATH")}, "demo", "--scenario", sc.name, "--format", "json", "--skip", skip)
			r := decode(t, out)
			if code == "" {
				if r.Verdict != "pass" {
					t.Fatalf("healthy demo verdict %s\n%s", r.Verdict, out)
				}
				return
			}
			if len(r.Fixes) == 0 || r.Fixes[0].Code != code {
				t.Fatalf("first fix %+v, want %s\n%s", r.Fixes, code, errOut)
			}
			if want, ok := shown[sc.name]; ok {
				if got := findingShown(t, out, r.Fixes[0].Check); got != want {
					t.Fatalf("%s's finding is %q, want %q\n%s", r.Fixes[0].Check, got, want, out)
				}
			}
		})
	}
}

// findingShown is check's status in the JSON report, and its variant
// after a space when it has one.
func findingShown(t *testing.T, out, check string) string {
	t.Helper()
	var r struct {
		Results []struct {
			Check, Status, Variant string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, res := range r.Results {
		if res.Check == check {
			return strings.TrimSpace(res.Status + " " + res.Variant)
		}
	}
	return ""
}

// runCLIParallel is runCLI without changing the working directory, so
// that parallel subtests may use it.
func runCLIParallel(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	ios, out, errOut := testStreams(env)
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	code := a.execute(context.Background(), args)
	return code, out.String(), errOut.String()
}

// requireBrowser skips a test that needs Chrome/Chromium when none is
// installed — except in CI, where a missing browser is a failure.
func requireBrowser(t *testing.T) {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge"} {
		if _, err := exec.LookPath(name); err == nil {
			return
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chrome/Chromium found, and CI is set: `make test` installs Debian's chromium as root")
	}
	t.Skip("no Chrome/Chromium found: install one (Debian: apt-get install chromium) to run this test")
}
