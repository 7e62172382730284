package dnsresolve

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
)

// checkTimeout is the check's deadline in these tests.
const checkTimeout = 600 * time.Millisecond

// setup describes one run against fixture servers.
type setup struct {
	url        string
	endpoints  []string
	regions    []string
	zone       dnsserver.Zone
	hosts      string // hosts file content
	references []dnsserver.Zone
	nsAddr     string // overrides the fixture's address (e.g. a dead port)
	route      *checks.Route
	dialer     checks.Dialer
	goos       string
}

func startDNS(t *testing.T, z dnsserver.Zone) *dnsserver.Server {
	t.Helper()
	s, err := dnsserver.Start(z)
	if err != nil {
		t.Fatalf("dns fixture: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fixtureResolver is a Go resolver whose every query goes to addr.
func fixtureResolver(addr string, d checks.Dialer) *net.Resolver {
	return dnsserver.ResolverAt(addr, d)
}

func (s setup) run(t *testing.T) checks.Result {
	t.Helper()
	ns := startDNS(t, s.zone)
	addr := ns.Addr()
	if s.nsAddr != "" {
		addr = s.nsAddr
	}
	dir := t.TempDir()
	resolvConf := filepath.Join(dir, "resolv.conf")
	hostsFile := filepath.Join(dir, "hosts")
	write(t, resolvConf, "# fixture\nnameserver "+addr+"\noptions timeout:1\n")
	write(t, hostsFile, s.hosts)

	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	tgt := checks.Target{URL: u, Endpoints: s.endpoints, Regions: s.regions}
	for _, z := range s.references {
		tgt.DNS.ReferenceResolvers = append(tgt.DNS.ReferenceResolvers, startDNS(t, z).Addr())
	}
	env := checks.NewEnv(tgt)
	env.ResolvConf, env.HostsFile, env.GOOS = resolvConf, hostsFile, "linux"
	if s.goos != "" {
		env.GOOS = s.goos
	}
	if s.dialer != nil {
		env.Dialer = s.dialer
	}
	if s.route != nil {
		r := *s.route
		env.RouteFinder = func(context.Context, *checks.Env, *url.URL) (checks.Route, error) { return r, nil }
	}
	env.Resolver = fixtureResolver(addr, env.Dialer)
	c := New()
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	res := c.Run(ctx, env, checks.Deps{})
	if ctx.Err() != nil {
		t.Fatalf("the check returned after its deadline (%v)", ctx.Err())
	}
	return res
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// deadUDP returns a loopback UDP address nothing listens on.
func deadUDP(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

func TestCodes(t *testing.T) {
	proxy := checks.Route{Proxy: &url.URL{Scheme: "http", Host: "127.0.0.1:3128"}, Source: checks.SourceConfig}
	tests := []struct {
		name     string
		s        setup
		code     string
		status   checks.Status
		severity checks.Severity
		variant  string
		evidence map[string]any
		params   map[string]string
	}{
		{name: "ok both families", s: setup{url: "https://crm.test/login",
			zone: dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10", "2001:db8::10")}},
			code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
			evidence: map[string]any{"a": true, "aaaa": true, "resolver": "", "rcode": "NOERROR"}},
		{name: "ok ipv4 only", s: setup{url: "https://crm.test/",
			zone: dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10")}},
			code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
			evidence: map[string]any{"a": true, "aaaa": false}},
		{name: "nxdomain", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{}},
			code: CodeNXDomain, status: checks.StatusFail, severity: checks.SeverityCritical,
			evidence: map[string]any{"rcode": "NXDOMAIN"}, params: map[string]string{"host": "crm.test"}},
		{name: "servfail", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{"crm.test": dnsserver.Fail(dnsserver.ServFail)}},
			code: CodeServFail, status: checks.StatusFail, severity: checks.SeverityCritical,
			evidence: map[string]any{"rcode": "SERVFAIL"}},
		{name: "refused rcode", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{"crm.test": dnsserver.Fail(dnsserver.Refused)}},
			code: CodeServFail, status: checks.StatusFail, severity: checks.SeverityCritical,
			evidence: map[string]any{"rcode": "REFUSED"}},
		{name: "connection refused", s: setup{url: "https://crm.test/", nsAddr: deadUDP(t)},
			code: CodeServFail, status: checks.StatusFail, severity: checks.SeverityCritical,
			evidence: map[string]any{"rcode": "REFUSED", "dns_detail": "connection refused"}},
		{name: "malformed reply", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{"crm.test": dnsserver.Fail(dnsserver.Malformed)}},
			code: CodeServFail, status: checks.StatusFail, severity: checks.SeverityCritical,
			evidence: map[string]any{"dns_detail": "malformed reply"}},
		{name: "silent server", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{"crm.test": dnsserver.Fail(dnsserver.Silent)}},
			code: CodeTimeout, status: checks.StatusFail, severity: checks.SeverityCritical},
		{name: "no address", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{"crm.test": dnsserver.Fail(dnsserver.NoAddress)}},
			code: CodeNoAddress, status: checks.StatusFail, severity: checks.SeverityCritical,
			evidence: map[string]any{"rcode": "NOERROR", "a": false, "aaaa": false}},
		{name: "truncated udp retried over tcp", s: setup{url: "https://crm.test/",
			zone: dnsserver.Zone{"crm.test": {Mode: dnsserver.Truncated, A: dnsserver.Addrs("192.0.2.10").A}}},
			code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
			evidence: map[string]any{"tcp_fallback": true, "a": true}},
		{name: "hosts file override", s: setup{url: "https://crm.test/",
			zone:  dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10")},
			hosts: "127.0.0.1 localhost\n10.9.9.9\tCRM.test  # old server\n"},
			code: CodeHostsOverride, status: checks.StatusFail, severity: checks.SeverityHigh,
			params: map[string]string{"host": "crm.test", "hosts_addr": "10.9.9.9", "dns_addrs": "192.0.2.10", "proxy": ""}},
		{name: "hosts file agrees", s: setup{url: "https://crm.test/",
			zone:  dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10")},
			hosts: "192.0.2.10 crm.test\n"},
			code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo},
		{name: "reference disagrees", s: setup{url: "https://crm.test/",
			zone:       dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10")},
			references: []dnsserver.Zone{{"crm.test": dnsserver.Addrs("198.51.100.7")}},
			// Neither address is tried for real (they are not loopback):
			// both refuse, so nothing tells which answer is right.
			dialer: faultnet.ByAddr{Rules: map[string]faultnet.Dialer{
				"192.0.2.10:443": faultnet.Refuse{}, "198.51.100.7:443": faultnet.Refuse{}}}},
			code: CodeMismatch, status: checks.StatusWarn, severity: checks.SeverityLow,
			params:   map[string]string{"host": "crm.test", "system_addrs": "192.0.2.10", "reference_addrs": "198.51.100.7", "unreachable": ""},
			evidence: map[string]any{"system_connect": "192.0.2.10:443: refused", "reference_connect": "198.51.100.7:443: refused"}},
		{name: "reference says nxdomain", s: setup{url: "https://crm.test/",
			zone:       dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10")},
			references: []dnsserver.Zone{{}}},
			code: CodeMismatch, status: checks.StatusWarn, severity: checks.SeverityLow,
			params: map[string]string{"reference_addrs": "NXDOMAIN"}},
		{name: "reference agrees in part", s: setup{url: "https://crm.test/",
			zone:       dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10", "192.0.2.11")},
			references: []dnsserver.Zone{{"crm.test": dnsserver.Addrs("192.0.2.11")}}},
			code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo},
		{name: "silent reference is unknown, not a mismatch", s: setup{url: "https://crm.test/",
			zone:       dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10")},
			references: []dnsserver.Zone{{"crm.test": dnsserver.Fail(dnsserver.Silent)}}},
			code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo},
		{name: "split dns behind a proxy", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{}, route: &proxy},
			code: CodeNXDomain, status: checks.StatusWarn, severity: checks.SeverityLow, variant: "split",
			params:   map[string]string{"host": "crm.test", "proxy": "127.0.0.1:3128"},
			evidence: map[string]any{"route": "via proxy http://127.0.0.1:3128 (config)"}},
		{name: "internal name needs vpn", s: setup{url: "https://crm.corp/", zone: dnsserver.Zone{}},
			code: CodeNXDomain, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "vpn"},
		{name: "endpoint fails while login resolves", s: setup{url: "https://crm.test/",
			endpoints: []string{"sso.test:443", "crm.test:8443"},
			zone:      dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10")}},
			code: CodeNXDomain, status: checks.StatusFail, severity: checks.SeverityHigh,
			params: map[string]string{"host": "sso.test"}},
		{name: "region timeout", s: setup{url: "https://crm.test/", regions: []string{"https://eu.crm.test/login"},
			zone: dnsserver.Zone{"crm.test": dnsserver.Addrs("192.0.2.10"), "eu.crm.test": dnsserver.Fail(dnsserver.Silent)}},
			code: CodeTimeout, status: checks.StatusFail, severity: checks.SeverityHigh,
			params: map[string]string{"host": "eu.crm.test"}},
		{name: "windows: system resolver only", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{}, goos: "windows"},
			code: CodeNXDomain, status: checks.StatusFail, severity: checks.SeverityCritical},
		{name: "ip literal", s: setup{url: "https://192.0.2.1/", zone: dnsserver.Zone{}},
			code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
			evidence: map[string]any{"addresses": []string{"192.0.2.1"}}},
		{name: "everything black-holed", s: setup{url: "https://crm.test/", zone: dnsserver.Zone{}, dialer: faultnet.BlackHole{}},
			code: CodeTimeout, status: checks.StatusFail, severity: checks.SeverityCritical},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := tc.s.run(t)
			if res.Code != tc.code || res.Status != tc.status || res.Severity != tc.severity || res.Variant != tc.variant {
				t.Fatalf("got %s/%s/%s variant %q; want %s/%s/%s variant %q\nsummary: %s\nevidence: %v",
					res.Status, res.Code, res.Severity, res.Variant, tc.status, tc.code, tc.severity, tc.variant, res.Summary, res.Evidence)
			}
			for k, want := range tc.evidence {
				got, ok := res.Evidence[k]
				if !ok {
					t.Errorf("evidence %q missing (%v)", k, res.Evidence)
					continue
				}
				if s, isStr := want.(string); isStr && s == "" {
					continue // present is enough
				}
				if !equalAny(got, want) {
					t.Errorf("evidence %q = %v, want %v", k, got, want)
				}
			}
			for k, want := range tc.params {
				if got := res.Params[k]; got != want {
					t.Errorf("param %q = %q, want %q", k, got, want)
				}
			}
			if _, ok := res.Data.(Facts); !ok {
				t.Errorf("Data is %T, want Facts", res.Data)
			}
		})
	}
}

func equalAny(got, want any) bool {
	if ws, ok := want.([]string); ok {
		gs, ok := got.([]string)
		return ok && slices.Equal(gs, ws)
	}
	return got == want
}

// TestQueryBudgetFits: a query's cap and the reserve after it fit inside
// the default check timeout.
func TestQueryBudgetFits(t *testing.T) {
	if maxQueryWait+checks.DNSReserve > checks.DefaultCheckTimeout {
		t.Errorf("maxQueryWait %v + DNSReserve %v exceed the %v default check timeout", maxQueryWait, checks.DNSReserve, checks.DefaultCheckTimeout)
	}
}
