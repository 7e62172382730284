package reach

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
	"github.com/logindoctor/logindoctor/checks/netfail"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/testenv"
)

type want struct {
	code     string
	status   checks.Status
	severity checks.Severity
	variant  string
	evidence map[string]any
	params   map[string]string
}

func (w want) check(t *testing.T, res checks.Result) {
	t.Helper()
	if res.Code != w.code || res.Status != w.status || res.Severity != w.severity || res.Variant != w.variant {
		t.Fatalf("got %s/%s/%s variant %q; want %s/%s/%s variant %q\nsummary: %s\nevidence: %v",
			res.Status, res.Code, res.Severity, res.Variant, w.status, w.code, w.severity, w.variant, res.Summary, res.Evidence)
	}
	for k, v := range w.evidence {
		if got := res.Evidence[k]; got != v {
			t.Errorf("evidence %q = %v, want %v (all: %v)", k, got, v, res.Evidence)
		}
	}
	for k, v := range w.params {
		if got := res.Params[k]; got != v {
			t.Errorf("param %q = %q, want %q", k, got, v)
		}
	}
	if _, ok := res.Data.(Facts); !ok {
		t.Errorf("Data is %T, want Facts", res.Data)
	}
}

func TestBothFamiliesWork(t *testing.T) {
	p := dualListen(t)
	e := env(t, "https://crm.test:"+p+"/login", nil, nil, nil)
	res := run(t, New(Options{}), e, deps(direct(), dnsFacts(map[string][]string{"crm.test": {"127.0.0.1", "::1"}})))
	want{code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
		evidence: map[string]any{"family": "ipv4+ipv6", "route": "direct"}}.check(t, res)
}

func TestOneFamilyEnough(t *testing.T) {
	v4 := listen(t, "127.0.0.1:0") // nothing on [::1] at this port
	e := env(t, "https://crm.test:"+port(v4)+"/", nil, nil, nil)
	res := run(t, New(Options{}), e, deps(direct(), dnsFacts(map[string][]string{"crm.test": {"::1", "127.0.0.1"}})))
	want{code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
		evidence: map[string]any{"family": "ipv4", "address": "127.0.0.1:" + port(v4)}}.check(t, res)
	ep := res.Data.(Facts).Endpoints[0]
	if len(ep.Attempts) != 2 || ep.Attempts[1].Family != "ipv6" || ep.Attempts[1].Code != CodeRefused {
		t.Fatalf("the IPv6 attempt must be there and refused: %+v", ep.Attempts)
	}
}

// TestHappyEyeballs: the login host has an IPv6 and an IPv4 address (from
// a real DNS server on loopback) and one family black-holes: a browser
// uses the other, so net.reach passes, says which family worked and names
// the broken one, without waiting out its whole connect budget.
func TestHappyEyeballs(t *testing.T) {
	requireIPv6(t)
	for _, tt := range []struct {
		broken, works, listenOn, blackHole string
	}{
		{broken: "ipv6", works: "ipv4", listenOn: "127.0.0.1:0", blackHole: "[::1]"},
		{broken: "ipv4", works: "ipv6", listenOn: "[::1]:0", blackHole: "127.0.0.1"},
	} {
		t.Run(tt.broken+" broken", func(t *testing.T) {
			ln := listen(t, tt.listenOn)
			srv, err := dnsserver.Start(dnsserver.Zone{"crm.test": dnsserver.Addrs("::1", "127.0.0.1")})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			dead := net.JoinHostPort(strings.Trim(tt.blackHole, "[]"), port(ln))
			d := faultnet.ByAddr{Rules: map[string]faultnet.Dialer{dead: faultnet.BlackHole{}}}
			e := env(t, "https://crm.test:"+port(ln)+"/", d, nil, nil)
			e.Resolver = srv.Resolver()
			start := time.Now()
			res := run(t, New(Options{}), e, deps(direct(), dnsresolve.Facts{}))
			elapsed := time.Since(start)
			want{code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
				evidence: map[string]any{"family": tt.works, "failed_family": tt.broken, "failed_family_code": CodeTimeout}}.check(t, res)
			if !strings.Contains(res.Summary, tt.broken+" did not connect") || !strings.Contains(res.Summary, "over "+tt.works) {
				t.Errorf("summary does not say which family worked and which did not: %s", res.Summary)
			}
			ep := res.Data.(Facts).Endpoints[0]
			if len(ep.Attempts) != 2 {
				t.Fatalf("want one attempt per family: %+v", ep.Attempts)
			}
			if elapsed > connectAttemptDelay+250*time.Millisecond {
				t.Errorf("took %v: the black-holed family must not hold the check once the other connected", elapsed)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	loginFacts := func(addrs ...string) dnsresolve.Facts {
		return dnsFacts(map[string][]string{"crm.test": addrs})
	}
	tests := []struct {
		name   string
		dialer checks.Dialer
		port   func(t *testing.T) string
		facts  dnsresolve.Facts
		want   want
	}{
		{"refused: nothing listening", nil, closedPort, loginFacts("127.0.0.1"),
			want{code: CodeRefused, status: checks.StatusFail, severity: checks.SeverityCritical,
				evidence: map[string]any{"detail": "refused"}, params: map[string]string{"host": "crm.test"}}},
		{"reset", faultnet.Reset{}, closedPort, loginFacts("127.0.0.1"),
			want{code: CodeRefused, status: checks.StatusFail, severity: checks.SeverityCritical,
				evidence: map[string]any{"detail": "reset"}}},
		{"timeout: black hole", faultnet.BlackHole{}, closedPort, loginFacts("127.0.0.1", "::1"),
			want{code: CodeTimeout, status: checks.StatusFail, severity: checks.SeverityCritical,
				evidence: map[string]any{"detail": "timed out"}}},
		{"unreachable", faultnet.Unreachable{}, closedPort, loginFacts("192.0.2.10"),
			want{code: CodeUnreachable, status: checks.StatusFail, severity: checks.SeverityCritical}},
		{"private address needs vpn", faultnet.Unreachable{}, closedPort, loginFacts("10.1.2.3"),
			want{code: CodeUnreachable, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "vpn",
				evidence: map[string]any{"private": true}}},
		{"filtered private address needs vpn", faultnet.BlackHole{}, closedPort, loginFacts("172.16.4.4"),
			want{code: CodeTimeout, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "vpn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.port(t)
			e := env(t, "https://crm.test:"+p+"/", tc.dialer, nil, nil)
			res := run(t, New(Options{}), e, deps(direct(), tc.facts))
			tc.want.check(t, res)
			if res.Params["port"] != p || res.Params["endpoint"] != "crm.test:"+p || res.Params["timeout"] == "" {
				t.Errorf("params %v", res.Params)
			}
		})
	}
}

func TestTimeoutFullBacklog(t *testing.T) {
	b, err := faultnet.StartFullBacklog()
	if err != nil {
		testenv.Unavailable(t, "no full-backlog listener: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	_, p, _ := net.SplitHostPort(b.Addr())
	e := env(t, "https://crm.test:"+p+"/", nil, nil, nil)
	res := run(t, New(Options{}), e, deps(direct(), dnsFacts(map[string][]string{"crm.test": {"127.0.0.1"}})))
	want{code: CodeTimeout, status: checks.StatusFail, severity: checks.SeverityCritical}.check(t, res)
}

func TestUnreachableRealNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := (faultnet.Isolated{}).DialContext(ctx, "tcp", "10.0.0.1:443"); !errors.Is(err, syscall.ENETUNREACH) {
		testenv.Unavailable(t, "no empty network namespace here (needs root on Linux): %v", err)
	}
	e := env(t, "https://crm.corp.test/", faultnet.Isolated{}, nil, nil)
	res := run(t, New(Options{}), e, deps(direct(), dnsFacts(map[string][]string{"crm.corp.test": {"10.0.0.1"}})))
	want{code: CodeUnreachable, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "vpn",
		evidence: map[string]any{"detail": "no route"}}.check(t, res)
}

func TestEndpointsAndRegions(t *testing.T) {
	login := listen(t, "127.0.0.1:0")
	eu := listen(t, "127.0.0.1:0")
	us := listen(t, "127.0.0.1:0")
	dead := closedPort(t)
	facts := dnsFacts(map[string][]string{"crm.test": {"127.0.0.1"}, "sso.test": {"127.0.0.1"},
		"eu.crm.test": {"127.0.0.1"}, "us.crm.test": {"127.0.0.1"}, "ap.crm.test": {"127.0.0.1"}})
	slow := &slowDialer{slow: map[string]time.Duration{"127.0.0.1:" + port(us): 80 * time.Millisecond}}
	euURL, usURL := "https://eu.crm.test:"+port(eu)+"/", "https://us.crm.test:"+port(us)+"/"

	t.Run("fastest region named", func(t *testing.T) {
		e := env(t, "https://crm.test:"+port(login)+"/", slow, nil, []string{usURL, euURL})
		res := run(t, New(Options{}), e, deps(direct(), facts))
		want{code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
			evidence: map[string]any{"fastest_region": euURL}, params: map[string]string{"fastest": euURL}}.check(t, res)
	})
	t.Run("one region down while another works", func(t *testing.T) {
		e := env(t, "https://crm.test:"+port(login)+"/", slow, nil, []string{euURL, "https://ap.crm.test:" + dead + "/"})
		res := run(t, New(Options{}), e, deps(direct(), facts))
		want{code: CodeRefused, status: checks.StatusWarn, severity: checks.SeverityLow,
			params: map[string]string{"host": "ap.crm.test", "fastest": euURL}}.check(t, res)
	})
	t.Run("endpoint refused while login works", func(t *testing.T) {
		e := env(t, "https://crm.test:"+port(login)+"/", nil, []string{"sso.test:" + dead}, nil)
		res := run(t, New(Options{}), e, deps(direct(), facts))
		want{code: CodeRefused, status: checks.StatusFail, severity: checks.SeverityHigh,
			params: map[string]string{"endpoint": "sso.test:" + dead}}.check(t, res)
	})
	t.Run("login failure ranks before endpoint failure", func(t *testing.T) {
		e := env(t, "https://crm.test:"+dead+"/", nil, []string{"sso.test:" + dead + "1"}, nil)
		res := run(t, New(Options{}), e, deps(direct(), facts))
		want{code: CodeRefused, status: checks.StatusFail, severity: checks.SeverityCritical,
			params: map[string]string{"host": "crm.test"}}.check(t, res)
	})
}

func TestThroughProxy(t *testing.T) {
	tests := []struct {
		status int
		want   want
	}{
		{http.StatusOK, want{code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
			evidence: map[string]any{"family": "proxy"}}},
		{http.StatusBadGateway, want{code: CodeRefused, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "proxy"}},
		{http.StatusServiceUnavailable, want{code: CodeRefused, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "proxy"}},
		{http.StatusGatewayTimeout, want{code: CodeTimeout, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "proxy"}},
		{http.StatusForbidden, want{code: netfail.ProxyDenied, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "proxy"}},
		{http.StatusProxyAuthRequired, want{code: netfail.ProxyAuthRequired, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "proxy"}},
		// tinyproxy answers wrong credentials with 401: still the proxy's sign-in.
		{http.StatusUnauthorized, want{code: netfail.ProxyAuthRequired, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "proxy"}},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			p := startProxy(t, tc.status)
			// The name is not resolvable here: the proxy resolves it.
			e := env(t, "https://crm.test/", nil, nil, nil)
			facts := dnsFacts(map[string][]string{"crm.test": nil})
			res := run(t, New(Options{}), e, deps(p.route(), facts))
			tc.want.check(t, res)
			if res.Status != checks.StatusPass && res.Params["proxy"] != p.ln.Addr().String() {
				t.Errorf("param proxy = %q", res.Params["proxy"])
			}
			if got := res.Evidence["route"]; got != p.route().String() {
				t.Errorf("route evidence %v", got)
			}
			if seen := p.hosts(); len(seen) != 1 || seen[0] != "crm.test:443" {
				t.Errorf("proxy saw %v, want one CONNECT crm.test:443", seen)
			}
		})
	}
}

func TestProxyItselfUnreachable(t *testing.T) {
	r := direct()
	r.Proxy, r.Source = mustURL(t, "http://127.0.0.1:"+closedPort(t)), checks.SourceEnv
	e := env(t, "https://crm.test/", nil, nil, nil)
	res := run(t, New(Options{}), e, deps(r, dnsresolve.Facts{}))
	want{code: netfail.ProxyUnreachable, status: checks.StatusFail, severity: checks.SeverityCritical, variant: "proxy"}.check(t, res)
}

func TestBlockedBy(t *testing.T) {
	fail := checks.Finding(checks.StatusFail, "X", checks.SeverityHigh, checks.OwnerIT, "x")
	pass := checks.Pass("ok")
	proxied := pass
	proxied.Data = checks.Route{Proxy: mustURL(t, "http://127.0.0.1:3128"), Source: checks.SourceConfig}
	tests := []struct {
		name string
		deps checks.Deps
		want string
	}{
		{"all pass", checks.Deps{depRoute: pass, depDNS: pass}, ""},
		{"route failed", checks.Deps{depRoute: fail, depDNS: pass}, depRoute},
		{"dns failed, direct", checks.Deps{depRoute: pass, depDNS: fail}, depDNS},
		{"dns failed, no route known", checks.Deps{depDNS: fail}, depDNS},
		{"dns failed behind a proxy", checks.Deps{depRoute: proxied, depDNS: fail}, ""},
		{"dns warn", checks.Deps{depRoute: pass, depDNS: checks.Finding(checks.StatusWarn, "DNS_MISMATCH", checks.SeverityLow, checks.OwnerIT, "")}, ""},
		{"dns failed for an endpoint only", checks.Deps{depRoute: pass, depDNS: dnsFailed(true)}, ""},
		{"dns failed for the login host", checks.Deps{depRoute: pass, depDNS: dnsFailed(false)}, depDNS},
	}
	c := New(Options{}).(checks.BlockDecider)
	for _, tc := range tests {
		if got := c.BlockedBy(tc.deps); got != tc.want {
			t.Errorf("%s: BlockedBy = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestAllBlackHoledEndsInTime(t *testing.T) {
	e := env(t, "https://crm.test/", faultnet.BlackHole{}, []string{"sso.test:443", "api.test:8443"},
		[]string{"https://eu.crm.test/", "https://us.crm.test/"})
	facts := dnsFacts(map[string][]string{"crm.test": {"192.0.2.1", "2001:db8::1"}, "sso.test": {"192.0.2.2"},
		"api.test": {"192.0.2.3"}, "eu.crm.test": {"192.0.2.4"}, "us.crm.test": {"192.0.2.5"}})
	res := run(t, New(Options{}), e, deps(direct(), facts))
	want{code: CodeTimeout, status: checks.StatusFail, severity: checks.SeverityCritical}.check(t, res)
	if n := len(res.Data.(Facts).Endpoints); n != 5 {
		t.Fatalf("%d endpoints, want 5", n)
	}
}

// TestWithoutDNSFacts covers net.reach run alone (dns.resolve not
// selected): it looks hosts up itself, through the injected resolver.
func TestWithoutDNSFacts(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	ns, err := dnsserver.Start(dnsserver.Zone{"crm.test": dnsserver.Addrs("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	c := New(Options{})
	routeOnly := checks.Deps{depRoute: deps(direct(), dnsresolve.Facts{})[depRoute]}

	e := env(t, "https://crm.test:"+port(ln)+"/", nil, nil, nil)
	e.Resolver = ns.Resolver()
	want{code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
		evidence: map[string]any{"family": "ipv4"}}.check(t, run(t, c, e, routeOnly))

	e = env(t, "https://crm.test:"+port(ln)+"/", nil, []string{"gone.test:443"}, nil)
	e.Resolver = ns.Resolver()
	want{code: dnsresolve.CodeNXDomain, status: checks.StatusFail, severity: checks.SeverityHigh,
		params: map[string]string{"host": "gone.test"}}.check(t, run(t, c, e, checks.Deps{}))
}

// dnsFailed is a failed dns.resolve whose facts say whether the login host
// resolved (an SSO endpoint did not).
func dnsFailed(loginResolved bool) checks.Result {
	r := checks.Finding(checks.StatusFail, "DNS_NXDOMAIN", checks.SeverityHigh, checks.OwnerIT, "x")
	login := dnsresolve.HostFacts{Host: "crm.test", Role: dnsresolve.RoleLogin, Code: "DNS_NXDOMAIN"}
	if loginResolved {
		login.Code, login.Addrs = "OK", []netip.Addr{netip.MustParseAddr("192.0.2.1")}
	}
	r.Data = dnsresolve.Facts{Hosts: []dnsresolve.HostFacts{login, {Host: "sso.test", Role: dnsresolve.RoleEndpoint, Code: "DNS_NXDOMAIN"}}}
	return r
}

// TestDialBudgetFits: a connect's cap and the reserve after it fit inside
// the default check timeout, so a black-holed endpoint is reported as
// NET_TIMEOUT by the check, not abandoned by the runner.
func TestDialBudgetFits(t *testing.T) {
	if maxDial+checks.DialReserve > checks.DefaultCheckTimeout {
		t.Errorf("maxDial %v + DialReserve %v exceed the %v default check timeout", maxDial, checks.DialReserve, checks.DefaultCheckTimeout)
	}
}
