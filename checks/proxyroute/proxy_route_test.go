package proxyroute

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const canary = "CANARY-s3cr3t-pw"

func run(t *testing.T, env *checks.Env) checks.Result {
	t.Helper()
	return runWithin(t, env, 10*time.Second)
}

// runWithin is run with a check deadline of d: short for the cases where a
// proxy never answers, which wait for the deadline by design.
func runWithin(t *testing.T, env *checks.Env, d time.Duration) checks.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	r := New().Run(ctx, env, nil)
	if el := time.Since(start); el > d+time.Second {
		t.Errorf("check took %v: it overran its %v deadline", el, d)
	}
	if _, ok := r.Data.(checks.Route); !ok {
		t.Errorf("Result.Data is %T, want checks.Route", r.Data)
	}
	noSecrets(t, r)
	return r
}

// noSecrets fails if the canary password appears anywhere in r.
func noSecrets(t *testing.T, r checks.Result) {
	t.Helper()
	b, err := json.Marshal(struct {
		checks.Result
		Data any `json:"-"`
	}{Result: r})
	if err != nil {
		t.Fatal(err)
	}
	for what, s := range map[string]string{"json": string(b), "summary": r.Summary, "route": r.Data.(checks.Route).String()} {
		if strings.Contains(s, canary) || strings.Contains(s, "alice:") {
			t.Errorf("credentials leak in %s: %s", what, s)
		}
	}
}

func TestCodes(t *testing.T) {
	crm := startCRM(t)
	type want struct {
		status  checks.Status
		code    string
		owner   checks.Owner
		variant string
		params  map[string]string
		source  string
	}
	tests := []struct {
		name  string
		setup func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig)
		want  want
		after func(t *testing.T, r checks.Result)
		// within is the check's deadline when not run's.
		within time.Duration
	}{
		{
			name: "direct, nothing configured",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{}
			},
			want: want{status: checks.StatusPass, code: "OK", source: checks.SourceDirect},
		},
		{
			name: "config proxy works",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				p := startProxy(t, proxy.Config{}, crm)
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{URL: p.URL().String()}
			},
			want: want{status: checks.StatusPass, code: "OK", source: checks.SourceConfig},
		},
		{
			name: "env proxy with credentials works",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				p := startProxy(t, proxy.Config{User: "alice", Password: canary}, crm)
				return testFinder(SystemSettings{}), map[string]string{"HTTPS_PROXY": p.URLWithAuth("alice", canary).String()}, checks.ProxyConfig{}
			},
			want: want{status: checks.StatusPass, code: "OK", source: checks.SourceEnv},
		},
		{
			name: "proxy answers 502: pass, net.reach's business",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				p := startProxy(t, proxy.Config{Hosts: map[string]string{crmHost: closedAddr(t)}}, crm)
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{URL: p.URL().String()}
			},
			want: want{status: checks.StatusPass, code: "OK", source: checks.SourceConfig},
			after: func(t *testing.T, r checks.Result) {
				if r.Evidence["connect_status"] != http.StatusBadGateway {
					t.Errorf("connect_status = %v, want 502", r.Evidence["connect_status"])
				}
			},
		},
		{
			name: "407 without credentials in HTTPS_PROXY",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				p := startProxy(t, proxy.Config{User: "alice", Password: canary}, crm)
				return testFinder(SystemSettings{}), map[string]string{"HTTPS_PROXY": p.URL().String()}, checks.ProxyConfig{}
			},
			want: want{status: checks.StatusFail, code: CodeAuthRequired, owner: checks.OwnerYou, variant: VariantCredentialsMissing,
				params: map[string]string{"setting": "HTTPS_PROXY", "status": "407"}, source: checks.SourceEnv},
		},
		{
			name: "wrong password in proxy.url, tinyproxy's 401",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				p := startProxy(t, proxy.Config{User: "alice", Password: "right", WrongCredentialsStatus: 401}, crm)
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{URL: p.URLWithAuth("alice", canary).String()}
			},
			want: want{status: checks.StatusFail, code: CodeAuthRequired, owner: checks.OwnerYou, variant: VariantCredentialsWrong,
				params: map[string]string{"setting": "proxy.url", "status": "401"}, source: checks.SourceConfig},
		},
		{
			name: "407 from a PAC proxy is IT's",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				p := startProxy(t, proxy.Config{User: "alice", Password: "pw"}, crm)
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: pacFile(t, pacProxyTo(p.Addr()))}
			},
			want: want{status: checks.StatusFail, code: CodeAuthRequired, owner: checks.OwnerIT, params: map[string]string{"status": "407"}, source: checks.SourcePAC},
		},
		{
			name: "403 from the proxy",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				p := startProxy(t, proxy.Config{Deny: []string{crmHost}}, crm)
				return testFinder(SystemSettings{Proxies: map[string]string{"https": p.Addr()}}), nil, checks.ProxyConfig{}
			},
			want: want{status: checks.StatusFail, code: CodeDenied, owner: checks.OwnerIT,
				params: map[string]string{"host": crmHost + ":443", "status": "403"}, source: checks.SourceSystem},
		},
		{
			name: "nothing listens at the proxy",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				return testFinder(SystemSettings{}), map[string]string{"HTTPS_PROXY": "http://alice:" + canary + "@" + closedAddr(t)}, checks.ProxyConfig{}
			},
			want: want{status: checks.StatusFail, code: CodeUnreachable, owner: checks.OwnerIT, variant: VariantEnv,
				params: map[string]string{"setting": "HTTPS_PROXY"}, source: checks.SourceEnv},
		},
		{
			name: "the proxy accepts but never answers",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				f := testFinder(SystemSettings{})
				f.ProbeTimeout = 200 * time.Millisecond
				return f, nil, checks.ProxyConfig{URL: "http://" + hangingProxy(t)}
			},
			within: time.Second,
			want:   want{status: checks.StatusFail, code: CodeUnreachable, owner: checks.OwnerIT, variant: VariantConfig, source: checks.SourceConfig},
		},
		{
			name: "proxy.url is not a URL",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{URL: "http://alice:" + canary + "@[::1"}
			},
			want: want{status: checks.StatusFail, code: CodeUnreachable, owner: checks.OwnerIT, variant: VariantInvalid,
				params: map[string]string{"setting": "proxy.url", "proxy": ""}, source: checks.SourceConfig},
		},
		{
			name: "PAC server answers 404",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				s := startPAC(t, proxy.PACConfig{Status: 404})
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: s.URL()}
			},
			want: want{status: checks.StatusFail, code: CodePACUnreachable, owner: checks.OwnerIT, params: map[string]string{"status": "404"}, source: checks.SourcePAC},
		},
		{
			name: "PAC server hangs",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				s := startPAC(t, proxy.PACConfig{Hang: true})
				f := testFinder(SystemSettings{})
				f.PACFetchTimeout = 300 * time.Millisecond
				return f, nil, checks.ProxyConfig{PACURL: s.URL()}
			},
			want: want{status: checks.StatusFail, code: CodePACUnreachable, owner: checks.OwnerIT, params: map[string]string{"status": ""}, source: checks.SourcePAC},
		},
		{
			name: "PAC file missing",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: t.TempDir() + "/missing.pac"}
			},
			want: want{status: checks.StatusFail, code: CodePACUnreachable, owner: checks.OwnerIT, variant: VariantFile, source: checks.SourcePAC},
		},
		{
			name: "system PAC unreachable",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				return testFinder(SystemSettings{PACURL: "http://" + closedAddr(t) + "/proxy.pac"}), nil, checks.ProxyConfig{}
			},
			want: want{status: checks.StatusFail, code: CodePACUnreachable, owner: checks.OwnerIT, source: checks.SourcePAC},
		},
		{
			name: "PAC returns garbage",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				s := startPAC(t, proxy.PACConfig{Script: `function FindProxyForURL(u, h) { if (h == "x") return "DIRECT"; }`})
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: s.URL()}
			},
			want: want{status: checks.StatusFail, code: CodePACError, owner: checks.OwnerIT, source: checks.SourcePAC},
		},
		{
			name: "PAC recurses without end",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: pacFile(t, `function f(){ return f() } function FindProxyForURL(u,h){ return f() }`)}
			},
			want: want{status: checks.StatusFail, code: CodePACError, owner: checks.OwnerIT, source: checks.SourcePAC},
		},
		{
			name: "PAC of 50 MB announced",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				s := startPAC(t, proxy.PACConfig{HugeSize: 50 << 20, SendLength: true})
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: s.URL()}
			},
			want: want{status: checks.StatusFail, code: CodePACError, owner: checks.OwnerIT, variant: VariantTooLarge,
				params: map[string]string{"limit": "1 MiB"}, source: checks.SourcePAC},
		},
		{
			name: "PAC of 50 MB, chunked and slow",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				s := startPAC(t, proxy.PACConfig{HugeSize: 50 << 20, Chunk: 256 << 10, ChunkDelay: 5 * time.Millisecond})
				// The size limit must decide, not the fetch deadline: give
				// the 1 MiB (five chunks) room on a loaded machine.
				f := testFinder(SystemSettings{})
				f.PACFetchTimeout = 5 * time.Second
				return f, nil, checks.ProxyConfig{PACURL: s.URL()}
			},
			want: want{status: checks.StatusFail, code: CodePACError, variant: VariantTooLarge, owner: checks.OwnerIT, source: checks.SourcePAC},
		},
		{
			name: "PAC file of 2 MiB on disk",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				return testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: pacFile(t, "//"+strings.Repeat("x", 2<<20))}
			},
			want: want{status: checks.StatusFail, code: CodePACError, variant: VariantTooLarge, owner: checks.OwnerIT, source: checks.SourcePAC},
		},
		{
			name: "PAC loops for ever",
			setup: func(t *testing.T) (*Finder, map[string]string, checks.ProxyConfig) {
				s := startPAC(t, proxy.PACConfig{Script: `function FindProxyForURL(u, h) { while (true) {} }`})
				f := testFinder(SystemSettings{})
				f.PAC.Timeout = 300 * time.Millisecond
				return f, nil, checks.ProxyConfig{PACURL: s.URL()}
			},
			want: want{status: checks.StatusFail, code: CodePACTimeout, owner: checks.OwnerIT, params: map[string]string{"limit": "300ms"}, source: checks.SourcePAC},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, vars, cfg := tt.setup(t)
			r := runWithin(t, testEnv(t, f, vars, cfg), cmp.Or(tt.within, 10*time.Second))
			w := tt.want
			if r.Status != w.status || r.Code != w.code || r.Owner != w.owner || r.Variant != w.variant {
				t.Fatalf("got %s %s owner %q variant %q (%s); want %s %s owner %q variant %q",
					r.Status, r.Code, r.Owner, r.Variant, r.Summary, w.status, w.code, w.owner, w.variant)
			}
			for k, v := range w.params {
				if got, ok := r.Params[k]; !ok || got != v {
					t.Errorf("param %s = %q (set %v), want %q", k, got, ok, v)
				}
			}
			if r.Evidence["source"] != w.source {
				t.Errorf("evidence source = %v, want %s", r.Evidence["source"], w.source)
			}
			if r.Code != "OK" && (r.Severity == checks.SeverityInfo || r.Summary == "") {
				t.Errorf("finding without severity or summary: %+v", r)
			}
			if tt.after != nil {
				tt.after(t, r)
			}
			t.Logf("%s: %s %v %v", r.Code, r.Summary, r.Params, r.Evidence)
		})
	}
}

func TestViaPACWhenDirectIsBlocked(t *testing.T) {
	crm := startCRM(t)
	p := startProxy(t, proxy.Config{}, crm)
	f := testFinder(SystemSettings{})
	env := testEnv(t, f, nil, checks.ProxyConfig{PACURL: pacFile(t, pacProxyTo(p.Addr()))})
	env.Dialer = &onlyDialer{allowed: map[string]bool{p.Addr(): true}}
	r := run(t, env)
	if r.Status != checks.StatusPass {
		t.Fatalf("got %s %s: %s", r.Status, r.Code, r.Summary)
	}
	route := r.Data.(checks.Route)
	if route.ProxyHost() != p.Addr() || route.Source != checks.SourcePAC || route.Rule != "PROXY "+p.Addr() {
		t.Fatalf("route %+v", route)
	}
	if want := "via proxy http://" + p.Addr() + " (PAC rule PROXY " + p.Addr() + ")"; r.Evidence["route"] != want {
		t.Errorf("evidence route = %q, want %q", r.Evidence["route"], want)
	}
	if p.Connects() != 1 {
		t.Errorf("proxy served %d CONNECTs, want 1", p.Connects())
	}
	// And the same network without the PAC: direct, which the firewall blocks.
	direct := testEnv(t, testFinder(SystemSettings{}), nil, checks.ProxyConfig{})
	direct.Dialer = env.Dialer
	if _, err := direct.DialRoute(context.Background(), checks.Route{}, crm); err == nil {
		t.Error("the test firewall lets direct connections through")
	}
}

// TestPACFailsOverToReachableProxy: "PROXY dead; PROXY live; DIRECT" is
// what a browser survives (it fails over to the live proxy): a warning
// naming the dead proxy, and the route every check takes is the live one.
func TestPACFailsOverToReachableProxy(t *testing.T) {
	crm := startCRM(t)
	p := startProxy(t, proxy.Config{}, crm)
	dead := closedAddr(t)
	srv := startPAC(t, proxy.PACConfig{Script: `function FindProxyForURL(u, h) { return "PROXY ` + dead + `; PROXY ` + p.Addr() + `; DIRECT"; }`})
	env := testEnv(t, testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: srv.URL()})
	r := run(t, env)
	if r.Status != checks.StatusWarn || r.Code != CodeUnreachable || r.Variant != VariantFailover || r.Severity != checks.SeverityLow {
		t.Fatalf("got %s %s %s %s: %s", r.Status, r.Code, r.Variant, r.Severity, r.Summary)
	}
	if r.Params["proxy"] != dead || r.Params["next"] != p.Addr() || !strings.Contains(r.Summary, dead) {
		t.Errorf("the warning names %v (next %v), want the dead proxy %s and %s: %s", r.Params["proxy"], r.Params["next"], dead, p.Addr(), r.Summary)
	}
	if got := r.Evidence["dead_proxies"]; fmt.Sprint(got) != "["+dead+"]" {
		t.Errorf("evidence dead_proxies = %v", got)
	}
	if r.Data.(checks.Route).ProxyHost() != p.Addr() {
		t.Fatalf("route %v, want via %s", r.Evidence["route"], p.Addr())
	}
	// Every other check asks env.Route: the memoised decision is the live proxy.
	route, err := env.Route(context.Background(), env.Target.URL)
	if err != nil || route.ProxyHost() != p.Addr() {
		t.Fatalf("env.Route = %v, %v; want via %s", route, err, p.Addr())
	}
	conn, err := env.DialRoute(context.Background(), route, crmHost+":443")
	if err != nil {
		t.Fatalf("dialling the CRM along the decided route: %v", err)
	}
	conn.Close()
	if p.Connects() != 2 {
		t.Errorf("live proxy served %d CONNECTs, want 2 (the check's and the dial's)", p.Connects())
	}

	// All proxies dead and DIRECT listed: the browser goes direct; a warning too.
	script := `function FindProxyForURL(u, h) { return "PROXY ` + dead + `; DIRECT"; }`
	r = run(t, testEnv(t, testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: pacFile(t, script)}))
	if r.Status != checks.StatusWarn || !r.Data.(checks.Route).Direct() || r.Evidence["pac_fallback"] == nil || r.Params["proxy"] != dead || r.Params["next"] != "DIRECT" {
		t.Fatalf("got %s %s %v %v", r.Status, r.Code, r.Params, r.Evidence)
	}
	// Nothing skipped: a plain pass.
	script = `function FindProxyForURL(u, h) { return "PROXY ` + p.Addr() + `; PROXY ` + dead + `"; }`
	r = run(t, testEnv(t, testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: pacFile(t, script)}))
	if r.Status != checks.StatusPass {
		t.Fatalf("first proxy alive: got %s %s: %s", r.Status, r.Code, r.Summary)
	}
}

// TestPACSeesLowercaseHost: browsers lowercase the host before the PAC
// sees it, in host and in url (the path keeps its case).
func TestPACSeesLowercaseHost(t *testing.T) {
	crm := startCRM(t)
	p := startProxy(t, proxy.Config{}, crm)
	script := `function FindProxyForURL(url, host) {
	if (host === "crm.example.test" && (url === "https://crm.example.test/" || url === "http://crm.example.test/Login?X=1")) return "PROXY ` + p.Addr() + `";
	return "DIRECT";
}`
	srv := startPAC(t, proxy.PACConfig{Script: script})
	for _, raw := range []string{"https://CRM.Example.TEST/login", "HTTP://Crm.EXAMPLE.test/Login?X=1"} {
		env := testEnv(t, testFinder(SystemSettings{}), nil, checks.ProxyConfig{PACURL: srv.URL()})
		u := mustURL(t, raw)
		env.Target.URL = u
		route, err := env.Route(context.Background(), u)
		if err != nil || route.ProxyHost() != p.Addr() {
			t.Errorf("%s: route %v, %v; the PAC did not see the lowercased host", raw, route, err)
		}
	}
}

func TestCanaryNeverLeaks(t *testing.T) {
	crm := startCRM(t)
	authed := startProxy(t, proxy.Config{User: "alice", Password: "other"}, crm)
	denied := startProxy(t, proxy.Config{Deny: []string{crmHost}}, crm)
	open := startProxy(t, proxy.Config{}, crm)
	with := func(addr string) string { return "http://alice:" + canary + "@" + addr }
	cases := []struct {
		vars   map[string]string
		cfg    checks.ProxyConfig
		within time.Duration
	}{
		{cfg: checks.ProxyConfig{URL: with(open.Addr())}},
		{cfg: checks.ProxyConfig{URL: with(authed.Addr())}},
		{cfg: checks.ProxyConfig{URL: with(denied.Addr())}},
		{cfg: checks.ProxyConfig{URL: with(closedAddr(t))}},
		{cfg: checks.ProxyConfig{URL: with(hangingProxy(t))}, within: time.Second},
		{cfg: checks.ProxyConfig{URL: "http://alice:" + canary + "@host:port:bad"}},
		{vars: map[string]string{"HTTPS_PROXY": with(authed.Addr())}},
		{vars: map[string]string{"https_proxy": with(closedAddr(t))}},
		{vars: map[string]string{"HTTPS_PROXY": "gopher://alice:" + canary + "@x"}},
		{vars: map[string]string{"HTTPS_PROXY": with(open.Addr())}},
	}
	for _, c := range cases {
		f := testFinder(SystemSettings{})
		env := testEnv(t, f, c.vars, c.cfg)
		r := runWithin(t, env, cmp.Or(c.within, 10*time.Second)) // scans the marshalled Result and Summary
		_, err := f.Find(context.Background(), env, env.Target.URL)
		if err != nil && strings.Contains(err.Error(), canary) {
			t.Errorf("error leaks the password: %v", err)
		}
		if strings.Contains(r.Evidence["route"].(string), canary) {
			t.Errorf("route leaks: %v", r.Evidence["route"])
		}
	}
	// The errors of a dial through a proxy with credentials.
	route := checks.Route{Proxy: mustURL(t, with(closedAddr(t))), Source: checks.SourceConfig}
	if _, err := route.Dial(context.Background(), &net.Dialer{}, crmHost+":443"); err == nil || strings.Contains(err.Error(), canary) {
		t.Errorf("dial error: %v", err)
	}
}

func TestFindRouteDefaultFinderUsesConfig(t *testing.T) {
	env := testEnv(t, nil, nil, checks.ProxyConfig{URL: "proxy.corp.example:3128"})
	r, err := FindRoute(context.Background(), env, env.Target.URL)
	if err != nil || r.ProxyHost() != "proxy.corp.example:3128" || r.Source != checks.SourceConfig || r.Rule != "proxy.url" {
		t.Fatalf("FindRoute = %+v, %v", r, err)
	}
}

func TestNotConfiguredWithoutURL(t *testing.T) {
	r := New().Run(context.Background(), &checks.Env{}, nil)
	if r.Code != checks.CodeNotConfigured {
		t.Fatalf("got %s", r.Code)
	}
}

// TestRefusalAgreesWithNetReach: proxy.route judges a CONNECT answer with
// the same table as net.reach (netfail.ProxyStatus): what the proxy could
// not reach passes here and is net.reach's finding; the rest is the proxy's.
func TestRefusalAgreesWithNetReach(t *testing.T) {
	route := checks.Route{Proxy: mustURL(t, "http://p:3128"), Source: checks.SourceSystem}
	for status, want := range map[int]string{
		401: CodeAuthRequired, 407: CodeAuthRequired,
		403: CodeDenied, 400: CodeDenied, 501: CodeDenied,
		500: checks.CodeOK, 502: checks.CodeOK, 503: checks.CodeOK, 504: checks.CodeOK,
	} {
		r := refusal(route, "crm.test:443", &checks.ProxyError{Proxy: "p:3128", StatusCode: status, Status: http.StatusText(status)})
		if r.Code != want || r.Evidence["connect_status"] != status {
			t.Errorf("CONNECT answered %d: %s (connect_status %v), want %s", status, r.Code, r.Evidence["connect_status"], want)
		}
	}
}

// TestPACAsksTheRunsResolver: a PAC's dnsResolve goes to the run's
// resolver (here a loopback DNS server), never around it to the machine's
// own DNS servers.
func TestPACAsksTheRunsResolver(t *testing.T) {
	crm := startCRM(t)
	p := startProxy(t, proxy.Config{}, crm)
	ns, err := dnsserver.Start(dnsserver.Zone{"pac-probe.example.test": dnsserver.Addrs("127.0.0.9")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	script := `function FindProxyForURL(url, host) {
	if (dnsResolve("pac-probe.example.test") == "127.0.0.9") return "PROXY ` + p.Addr() + `";
	return "DIRECT";
}`
	srv := startPAC(t, proxy.PACConfig{Script: script})
	f := testFinder(SystemSettings{})
	env := testEnv(t, f, nil, checks.ProxyConfig{PACURL: srv.URL()})
	env.Resolver = ns.Resolver()
	route, err := env.Route(context.Background(), env.Target.URL)
	if err != nil || route.ProxyHost() != p.Addr() {
		t.Fatalf("route %v, %v: the PAC's dnsResolve did not ask the run's resolver", route, err)
	}
}
