package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	"github.com/logindoctor/logindoctor/fixtures/idp"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
	"github.com/logindoctor/logindoctor/fixtures/testenv"
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
		res := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			if err == nil {
				// Go's resolver reads until its own timeout (5 s a try), not
				// until the lookup is cancelled: end the read on cancel.
				context.AfterFunc(ctx, func() { c.Close() })
			}
			return c, err
		}}
		env.Resolver = res
		// Names dialed directly (clock.skew's Date probe) must not reach
		// the machine's own resolver either.
		env.Dialer = &net.Dialer{Resolver: res}
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

// TestHostileAccountPayloads runs account.status through the CLI against an
// identity provider whose answers are huge, deeply nested, of the wrong
// types, not JSON, or never come.
func TestHostileAccountPayloads(t *testing.T) {
	tests := []struct {
		mode idp.Mode
		code string
	}{
		{idp.ModeHuge, "ACCOUNT_API_UNREACHABLE"},
		{idp.ModeNested, "ACCOUNT_API_UNREACHABLE"},
		{idp.ModeWrongType, "ACCOUNT_API_UNREACHABLE"},
		{idp.ModeGarbage, "ACCOUNT_API_UNREACHABLE"},
		{idp.ModeHang, "ACCOUNT_API_UNREACHABLE"},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			t.Parallel()
			srv, err := idp.Start(idp.Options{Mode: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			profile := loopbackProfile(t, "account:\n  provider: okta\n  base_url: "+srv.URL()+"\n  user: active@example.com\n")
			env := cleanEnv(map[string]string{"LOGINDOCTOR_ACCOUNT_TOKEN": srv.Token()})
			r := cliRun(t, context.Background(), env, nil, hostileArgs(profile, "https://127.0.0.1:1/login", "--only", "account.status")...)
			noPanic(t, r)
			got := parseReport(t, r).result("account.status")
			t.Logf("%s in %s: %s/%s %s", tc.mode, r.elapsed.Round(time.Millisecond), got.Status, got.Code, got.Summary)
			// Unknown is not fail: an unusable API is a warning, exit 0.
			if got.Code != tc.code || got.Status != "warn" || r.code != exitPass {
				t.Errorf("account.status = %s/%s (%s), exit %d; want warn/%s and exit 0", got.Status, got.Code, got.Summary, r.code, tc.code)
			}
			if strings.Contains(r.out+r.errOut, srv.Token()) {
				t.Error("the API token appears in the output")
			}
			withinDeadline(t, r, hostileCheckTimeout)
		})
	}
}

// mkfifo makes a named pipe, or skips when the system has no mkfifo.
func mkfifo(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("mkfifo")
	if err != nil || runtime.GOOS == "windows" {
		testenv.Unavailable(t, "no mkfifo here")
	}
	path := filepath.Join(t.TempDir(), "pipe")
	if out, err := exec.Command(bin, path).CombinedOutput(); err != nil {
		testenv.Unavailable(t, "mkfifo: %v %s", err, out)
	}
	return path
}

// TestHostileFiles feeds the CLI profiles, CA files and saved reports that
// are empty, binary, endless, huge, of the wrong types or shapes, or not
// files at all (a directory, a named pipe nobody writes to). Each must be
// a clear error with exit 2, at once. (config_test.go checks the loader's
// messages for many bad values; this runs the whole command line.)
func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const url = "https://127.0.0.1:1/login"
	endless := "/dev/zero"
	if _, err := os.Stat(endless); err != nil {
		endless = ""
	}
	tests := []struct {
		name string
		args func(t *testing.T) []string
		want string // in stderr
	}{
		{"empty profile and no address", func(*testing.T) []string { return []string{"--config", file("empty.yaml", nil)} }, "No CRM address"},
		{"only a comment", func(*testing.T) []string { return []string{"--config", file("comment.yaml", []byte("# nothing\n"))} }, "No CRM address"},
		{"binary profile", func(*testing.T) []string {
			return []string{"--config", file("bin.yaml", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}), url}
		}, "not text"},
		{"UTF-16 profile", func(*testing.T) []string {
			return []string{"--config", file("utf16.yaml", []byte{0xff, 0xfe, 'u', 0, 'r', 0, 'l', 0, ':', 0}), url}
		}, "config"},
		{"huge profile", func(*testing.T) []string {
			return []string{"--config", file("huge.yaml", append([]byte("url: "+url+"\nendpoints:\n"), bytes.Repeat([]byte("  - a.example:443\n"), 80_000)...))}
		}, "larger than"},
		{"endless profile", func(t *testing.T) []string {
			if endless == "" {
				testenv.Unavailable(t, "no /dev/zero")
			}
			return []string{"--config", endless, url}
		}, "config"},
		{"a directory as profile", func(*testing.T) []string { return []string{"--config", dir, url} }, "config"},
		{"missing profile", func(*testing.T) []string { return []string{"--config", filepath.Join(dir, "nope.yaml"), url} }, "config"},
		{"a pipe as profile", func(t *testing.T) []string { return []string{"--config", mkfifo(t), url} }, "config"},
		{"url is a map", func(*testing.T) []string {
			return []string{"--config", file("urlmap.yaml", []byte("url: {host: crm.example.com}\n"))}
		}, "url"},
		{"url is a list", func(*testing.T) []string { return []string{"--config", file("urllist.yaml", []byte("url: [a, b]\n"))} }, "url"},
		{"url without host", func(*testing.T) []string {
			return []string{"--config", file("nohost.yaml", []byte("url: https:///login\n"))}
		}, "url"},
		{"url with only a port", func(*testing.T) []string {
			return []string{"--config", file("port.yaml", []byte("url: \"https://:443/\"\n"))}
		}, "url"},
		{"the whole file is a list", func(*testing.T) []string {
			return []string{"--config", file("list.yaml", []byte("- url\n- https://a.example\n")), url}
		}, "config"},
		{"a scalar document", func(*testing.T) []string {
			return []string{"--config", file("scalar.yaml", []byte("just words\n")), url}
		}, "config"},
		{"a section given as a value", func(*testing.T) []string {
			return []string{"--config", file("section.yaml", []byte("clock: 5\n")), url}
		}, "clock"},
		{"a timeout given as a list", func(*testing.T) []string {
			return []string{"--config", file("tlist.yaml", []byte("timeout: [1s, 2s]\n")), url}
		}, "timeout"},
		{"a count given as a fraction", func(*testing.T) []string {
			return []string{"--config", file("frac.yaml", []byte("tls:\n  warn_days: 2.5\n")), url}
		}, "tls.warn_days"},
		{"a count beyond int64", func(*testing.T) []string {
			return []string{"--config", file("big.yaml", []byte("tls:\n  warn_days: 99999999999999999999999\n")), url}
		}, "tls.warn_days"},
		{"endpoints as a number", func(*testing.T) []string {
			return []string{"--config", file("ep.yaml", []byte("endpoints: 443\n")), url}
		}, "endpoints"},
		{"unknown keys", func(*testing.T) []string {
			return []string{"--config", file("unknown.yaml", []byte("url: "+url+"\nproxy:\n  url: \"\"\n  pac: http://wpad/\n"))}
		}, "proxy.pac"},
		{"an alias bomb", func(*testing.T) []string { return []string{"--config", file("bomb.yaml", []byte(yamlBomb)), url} }, "config"},
		{"nesting 10000 deep", func(*testing.T) []string {
			return []string{"--config", file("deep.yaml", []byte("url: "+strings.Repeat("[", 10_000)+strings.Repeat("]", 10_000)+"\n"))}
		}, "config"},
		{"a pipe as CA file", func(t *testing.T) []string { return []string{url, "--ca-file", mkfifo(t)} }, "ca_file"},
		{"an endless CA file", func(t *testing.T) []string {
			if endless == "" {
				testenv.Unavailable(t, "no /dev/zero")
			}
			return []string{url, "--ca-file", endless}
		}, "ca_file"},
		{"a CA file without certificates", func(*testing.T) []string {
			return []string{url, "--ca-file", file("ca.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))}
		}, "ca_file"},
		{"a pipe as saved report", func(t *testing.T) []string { return []string{"report", "render", mkfifo(t)} }, "pipe"},
		{"an endless saved report", func(t *testing.T) []string {
			if endless == "" {
				testenv.Unavailable(t, "no /dev/zero")
			}
			return []string{"report", "render", endless}
		}, "zero"},
		{"a saved report nested 100000 deep", func(*testing.T) []string {
			return []string{"report", "render", file("deep.json", []byte(`{"schema":"logindoctor/report/v1","results":`+strings.Repeat("[", 100_000)))}
		}, "report"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// No --timeout flags: they would hide a bad timeout in the file.
			args := tc.args(t)
			if args[0] != "report" {
				args = append(args, "--skip", "browser.page,device.browsers")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			done := make(chan cliResult, 1)
			go func() { done <- cliRun(t, ctx, cleanEnv(nil), nil, args...) }()
			var r cliResult
			select {
			case r = <-done:
			case <-time.After(3 * time.Second):
				unblockPipes(args)
				t.Fatalf("logindoctor %v did not return within 3 s", args)
			}
			noPanic(t, r)
			t.Logf("exit %d in %s: %s", r.code, r.elapsed.Round(time.Millisecond), strings.TrimSpace(r.errOut))
			if r.code != exitUsage || !strings.Contains(r.errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and a message with %q", r.code, r.errOut, tc.want)
			}
			if r.elapsed > time.Second {
				t.Errorf("took %s to refuse", r.elapsed)
			}
		})
	}
}

// yamlBomb is a billion-laughs document: nine levels of nine aliases.
const yamlBomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

// unblockPipes opens every named pipe among args for writing, so that a
// run stuck opening one for reading can finish.
func unblockPipes(args []string) {
	for _, a := range args {
		if st, err := os.Stat(a); err == nil && st.Mode()&os.ModeNamedPipe != 0 {
			if f, err := os.OpenFile(a, os.O_WRONLY, 0); err == nil {
				f.Close()
			}
		}
	}
}

// memoryBound is the most a run against a hostile server may add to the
// heap (measured: see the README's "How fast, how safe").
const memoryBound = 64 << 20

// heapPeak samples HeapInuse until stop is called and returns the highest
// value seen.
func heapPeak() (stop func() uint64) {
	done := make(chan struct{})
	peak := make(chan uint64, 1)
	go func() {
		var m runtime.MemStats
		var hi uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			hi = max(hi, m.HeapInuse)
			select {
			case <-t.C:
			case <-done:
				peak <- hi
				return
			}
		}
	}()
	return func() uint64 { close(done); return <-peak }
}

// TestMemoryStaysBounded measures the heap while the CLI reads a 1 GiB
// body and a 100-certificate chain: the growth stays under memoryBound,
// and the server proves the client stopped reading early.
func TestMemoryStaysBounded(t *testing.T) {
	leaf, ca := validLeaf(t)
	tests := []struct {
		name  string
		start func(t *testing.T) (*hostile.Server, string)
	}{
		{"1 GiB body", func(t *testing.T) (*hostile.Server, string) {
			return startHostile(t, hostile.Options{Mode: hostile.HugeBody, Cert: leaf}), ca
		}},
		{"100-certificate chain", func(t *testing.T) (*hostile.Server, string) {
			s := startHostile(t, hostile.Options{Mode: hostile.LongChain, ChainLength: 100})
			return s, caFor(t, s.RootPEM())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, ca := tc.start(t)
			profile := loopbackProfile(t, "")
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			stop := heapPeak()
			r := cliRun(t, context.Background(), cleanEnv(nil), nil, hostileArgs(profile, srv.URL(), "--ca-file", ca)...)
			peak := stop()
			runtime.GC()
			runtime.ReadMemStats(&after)
			noPanic(t, r)
			rep := parseReport(t, r)
			growth := int64(peak) - int64(before.HeapInuse)
			t.Logf("%s: heap in use %.1f MiB before, peak %.1f MiB (+%.1f MiB), %.1f MiB after GC; allocated %.1f MiB in all; server sent %.1f MiB; report %d KiB; %s",
				tc.name, mib(before.HeapInuse), mib(peak), float64(growth)/(1<<20), mib(after.HeapInuse),
				mib(after.TotalAlloc-before.TotalAlloc), mib(uint64(srv.BytesSent())), len(r.out)>>10, rep.codes())
			if growth > memoryBound {
				t.Errorf("the heap grew by %.1f MiB, want < %d MiB", float64(growth)/(1<<20), memoryBound>>20)
			}
			if srv.BytesSent() > memoryBound {
				t.Errorf("the server could send %.1f MiB: the client did not stop reading", mib(uint64(srv.BytesSent())))
			}
			if r.code == exitBroken || r.code == exitUsage {
				t.Errorf("exit %d", r.code)
			}
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
