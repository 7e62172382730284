package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/builtin"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/hostile"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
)

// The hostile tests run the real CLI in-process against misbehaving
// servers on loopback. Each run gets a short check timeout and must end
// within it plus one second, with a clear finding (or exit 2), never a
// panic or a hang.

// hostileCheckTimeout and hostileRunTimeout are every hostile run's limits.
const (
	hostileCheckTimeout = time.Second
	hostileRunTimeout   = 4 * time.Second
	// deadlineSlack is how long past --check-timeout a run may take to
	// stop, write its report and return.
	deadlineSlack = time.Second
)

// cleanEnv is a CLI environment without proxies or profile, in English.
func cleanEnv(extra map[string]string) map[string]string {
	m := map[string]string{"LANG": "en_US.UTF-8", "PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// cliResult is one in-process CLI run.
type cliResult struct {
	code        int
	out, errOut string
	elapsed     time.Duration
}

// cliRun runs the CLI in-process with env and ctx, without changing the
// working directory (so tests using it may run in parallel). tweak, if
// set, adjusts every run environment the CLI makes (a dialer, a resolver).
func cliRun(t testing.TB, ctx context.Context, env map[string]string, tweak func(*checks.Env), args ...string) cliResult {
	t.Helper()
	ios, out, errOut := testStreams(env)
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		a.newEnv = func(tg checks.Target) *checks.Env {
			e := builtin.NewEnv(tg)
			tweak(e)
			return e
		}
	}
	start := time.Now()
	code := a.execute(ctx, args)
	return cliResult{code: code, out: out.String(), errOut: errOut.String(), elapsed: time.Since(start)}
}

// writeConfig writes a profile into a fresh directory and returns its path.
func writeConfig(t testing.TB, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "logindoctor.yaml")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loopbackProfile is a profile whose only time server is a loopback NTP
// fixture (so no run ever asks pool.ntp.org) plus any extra YAML.
func loopbackProfile(t testing.TB, extra string) string {
	t.Helper()
	ntp, err := ntpserver.Start(ntpserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ntp.Close() })
	return writeConfig(t, []byte("clock:\n  ntp_servers: [\""+ntp.Addr()+"\"]\n"+extra))
}

// caFor writes the PEM of a trust anchor and returns its path.
func caFor(t testing.TB, pem []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// validLeaf is a certificate for 127.0.0.1 and the CA file trusting it.
func validLeaf(t testing.TB) (*tls.Certificate, string) {
	t.Helper()
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := f.Leaf(certs.Valid, "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	return &cert, caFor(t, f.Root.PEM())
}

// hostileArgs are the flags of every hostile run.
func hostileArgs(profile string, more ...string) []string {
	return append([]string{"--config", profile, "--format", "json",
		"--check-timeout", hostileCheckTimeout.String(), "--timeout", hostileRunTimeout.String(),
		"--skip", "browser.page,device.browsers"}, more...)
}

// resultOf finds check id in a JSON report.
type reportResult struct {
	Check    string         `json:"check"`
	Status   string         `json:"status"`
	Code     string         `json:"code"`
	Summary  string         `json:"summary"`
	Evidence map[string]any `json:"evidence"`
	Duration int64          `json:"duration_ms"`
}

type fullReport struct {
	Verdict    string         `json:"verdict"`
	DurationMS int64          `json:"duration_ms"`
	Results    []reportResult `json:"results"`
}

func parseReport(t testing.TB, r cliResult) fullReport {
	t.Helper()
	var rep fullReport
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("exit %d, no JSON report: %v\nstdout:\n%s\nstderr:\n%s", r.code, err, r.out, r.errOut)
	}
	return rep
}

func (r fullReport) result(id string) reportResult {
	for _, res := range r.Results {
		if res.Check == id {
			return res
		}
	}
	return reportResult{}
}

func (r fullReport) codes() string {
	var b strings.Builder
	for _, res := range r.Results {
		b.WriteString(res.Check + "=" + res.Status + "/" + res.Code + " ")
	}
	return b.String()
}

// withinDeadline fails t when a run took longer than --check-timeout plus
// the slack (or --timeout, when that is shorter).
func withinDeadline(t testing.TB, r cliResult, checkTimeout time.Duration) {
	t.Helper()
	if limit := checkTimeout + deadlineSlack; r.elapsed >= limit {
		t.Errorf("the run took %s, want < %s (check timeout %s + %s)", r.elapsed.Round(time.Millisecond), limit, checkTimeout, deadlineSlack)
	}
}

// noPanic fails t when the output shows a crash.
func noPanic(t testing.TB, r cliResult) {
	t.Helper()
	for _, s := range []string{r.out, r.errOut} {
		if strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") || strings.Contains(s, "the check crashed") {
			t.Fatalf("a crash shows in the output:\n%s", s)
		}
	}
}

// TestHostileServers runs the whole diagnosis against servers that hang,
// trickle, flood, speak garbage, present a 100-certificate chain or
// redirect a hundred times.
func TestHostileServers(t *testing.T) {
	leaf, ca := validLeaf(t)
	tests := []struct {
		name  string
		start func(t *testing.T) (url, ca string)
		check string
		codes []string
		exit  int
	}{
		{"accepts and never answers", func(t *testing.T) (string, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.Silent})
			return s.URL(), ca
		}, "tls.certificate", []string{"TLS_HANDSHAKE_FAILED", "NET_TIMEOUT"}, exitFail},
		{"answers one byte a second", func(t *testing.T) (string, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.Trickle, Cert: leaf})
			return s.URL(), ca
		}, "http.login", []string{"HTTP_TIMEOUT"}, exitFail},
		{"hangs after TLS", func(t *testing.T) (string, string) {
			s := startCRM(t, crm.Options{Cert: leaf, Hang: true})
			return s.URL(), ca
		}, "http.login", []string{"HTTP_TIMEOUT"}, exitFail},
		{"sends a 1 GiB body", func(t *testing.T) (string, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.HugeBody, Cert: leaf})
			return s.URL(), ca
		}, "http.login", []string{"OK", "HTTP_SLOW"}, -1},
		{"random bytes instead of TLS", func(t *testing.T) (string, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.Garbage})
			return s.URL(), ca
		}, "tls.certificate", []string{"TLS_HANDSHAKE_FAILED"}, exitFail},
		{"an oversized TLS record", func(t *testing.T) (string, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.GarbageRecord})
			return s.URL(), ca
		}, "tls.certificate", []string{"TLS_HANDSHAKE_FAILED"}, exitFail},
		{"plain HTTP on the TLS port", func(t *testing.T) (string, string) {
			s := startCRM(t, crm.Options{Garbage: true})
			return s.URL(), ca
		}, "tls.certificate", []string{"TLS_HANDSHAKE_FAILED"}, exitFail},
		{"a trusted chain of 100 certificates", func(t *testing.T) (string, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.LongChain, ChainLength: 100})
			return s.URL(), caFor(t, s.RootPEM())
		}, "tls.certificate", []string{"OK"}, exitPass},
		{"an untrusted chain of 100 certificates", func(t *testing.T) (string, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.LongChain, ChainLength: 100})
			return s.URL(), ca
		}, "tls.certificate", []string{"TLS_UNTRUSTED"}, exitFail},
		{"redirects 100 times", func(t *testing.T) (string, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.Redirects, Redirects: 100, Cert: leaf})
			return s.URL(), ca
		}, "http.login", []string{"HTTP_REDIRECT_LOOP"}, exitFail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, ca := tc.start(t)
			r := cliRun(t, context.Background(), cleanEnv(nil), nil, hostileArgs(loopbackProfile(t, ""), url, "--ca-file", ca)...)
			noPanic(t, r)
			rep := parseReport(t, r)
			t.Logf("%s in %s: %s", tc.name, r.elapsed.Round(time.Millisecond), rep.codes())
			got := rep.result(tc.check)
			if !slices.Contains(tc.codes, got.Code) {
				t.Errorf("%s = %s/%s (%s), want one of %v", tc.check, got.Status, got.Code, got.Summary, tc.codes)
			}
			if tc.exit >= 0 && r.code != tc.exit {
				t.Errorf("exit %d, want %d", r.code, tc.exit)
			}
			withinDeadline(t, r, hostileCheckTimeout)
		})
	}
}

func startHostile(t testing.TB, o hostile.Options) *hostile.Server {
	t.Helper()
	s, err := hostile.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func startCRM(t testing.TB, o crm.Options) *crm.Server {
	t.Helper()
	s, err := crm.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// useDNS points every name lookup of a run at addr: the system resolver,
// the resolv.conf dns.resolve reads, and an empty hosts file.
func useDNS(t testing.TB, addr string) func(*checks.Env) {
	t.Helper()
	dir := t.TempDir()
	resolvConf, hosts := filepath.Join(dir, "resolv.conf"), filepath.Join(dir, "hosts")
	if err := os.WriteFile(resolvConf, []byte("nameserver "+addr+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hosts, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return func(env *checks.Env) {
		env.ResolvConf, env.HostsFile = resolvConf, hosts
		env.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
	}
}

// TestHostileDNS runs dns.resolve through the CLI against DNS replies that
// are malformed, truncated, huge, about another name, looping or spoofed.
func TestHostileDNS(t *testing.T) {
	const host = "crm.hostile.test"
	tests := []struct {
		name  string
		start func(t *testing.T) string
		codes []string
	}{
		{"malformed", func(t *testing.T) string {
			return startZone(t, dnsserver.Zone{host: dnsserver.Fail(dnsserver.Malformed)})
		}, []string{"DNS_SERVFAIL"}},
		{"truncated over UDP, whole over TCP", func(t *testing.T) string {
			e := dnsserver.Addrs("127.0.0.1")
			e.Mode = dnsserver.Truncated
			return startZone(t, dnsserver.Zone{host: e})
		}, []string{"OK"}},
		{"huge (4000 records over TCP)", func(t *testing.T) string { return startHostileDNS(t, hostile.DNSHuge) }, []string{"OK"}},
		// Go's resolver reads the first 1232 bytes of an oversized datagram
		// and keeps the records that fit: the name resolves.
		{"huge in one UDP datagram", func(t *testing.T) string { return startHostileDNS(t, hostile.DNSHugeUDP) }, []string{"OK", "DNS_SERVFAIL", "DNS_TIMEOUT"}},
		// Go's resolver (and dns.resolve's own queries) take an A record about
		// another name as the answer, as the program's own connections would.
		{"about another name", func(t *testing.T) string { return startHostileDNS(t, hostile.DNSOtherName) }, []string{"OK", "DNS_NO_ADDRESS", "DNS_SERVFAIL"}},
		{"compression pointer loop", func(t *testing.T) string { return startHostileDNS(t, hostile.DNSPointerLoop) }, []string{"DNS_SERVFAIL"}},
		{"another message ID", func(t *testing.T) string { return startHostileDNS(t, hostile.DNSWrongID) }, []string{"DNS_TIMEOUT"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := tc.start(t)
			r := cliRun(t, context.Background(), cleanEnv(nil), useDNS(t, addr),
				hostileArgs(loopbackProfile(t, ""), "https://"+host+"/login", "--only", "dns.resolve")...)
			noPanic(t, r)
			rep := parseReport(t, r)
			got := rep.result("dns.resolve")
			t.Logf("%s in %s: %s/%s, report %d KiB", tc.name, r.elapsed.Round(time.Millisecond), got.Status, got.Code, len(r.out)>>10)
			if !slices.Contains(tc.codes, got.Code) {
				t.Errorf("dns.resolve = %s/%s (%s), want one of %v", got.Status, got.Code, got.Summary, tc.codes)
			}
			if got.Code != "OK" && r.code != exitFail {
				t.Errorf("exit %d, want 1", r.code)
			}
			// The largest DNS message is 64 KiB; the report stays within a
			// small multiple of it (dns.resolve lists every address).
			if len(r.out) > 1<<20 {
				t.Errorf("the report is %d KiB: evidence is not bounded", len(r.out)>>10)
			}
			withinDeadline(t, r, hostileCheckTimeout)
		})
	}
}

func startZone(t testing.TB, z dnsserver.Zone) string {
	t.Helper()
	s, err := dnsserver.Start(z)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.Addr()
}

func startHostileDNS(t testing.TB, m hostile.DNSMode) string {
	t.Helper()
	s, err := hostile.StartDNS(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.Addr()
}
