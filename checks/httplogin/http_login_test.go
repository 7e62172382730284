package httplogin_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/httplogin"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
)

// checkTimeout is the check's deadline in tests; lateness is how far past
// it a check may return on a loaded machine (the runner's own grace).
const (
	checkTimeout = 1500 * time.Millisecond
	lateness     = 500 * time.Millisecond
)

// world is one test's servers: a certificate factory and a DNS server that
// the hop resolver asks (never the machine's own resolver).
type world struct {
	t   *testing.T
	f   *certs.Factory
	dns *dnsserver.Server
}

func newWorld(t *testing.T, zone dnsserver.Zone) *world {
	t.Helper()
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if zone == nil {
		zone = dnsserver.Zone{}
	}
	zone["sso.test"] = dnsserver.Addrs("127.0.0.1")
	d, err := dnsserver.Start(zone)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return &world{t: t, f: f, dns: d}
}

func (w *world) cert(k certs.Kind, hosts ...string) *tls.Certificate {
	w.t.Helper()
	c, err := w.f.Leaf(k, hosts...)
	if err != nil {
		w.t.Fatal(err)
	}
	return &c
}

func (w *world) start(o crm.Options) *crm.Server {
	w.t.Helper()
	s, err := crm.Start(o)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { s.Close() })
	return s
}

// crmWithIdP starts an IdP named sso.test (on 127.0.0.1) with idp options
// and a CRM on 127.0.0.1 that signs in there.
func (w *world) crmWithIdP(idp crm.Options) *crm.Server {
	w.t.Helper()
	idp.IdP, idp.Hosts = true, []string{"sso.test"}
	if idp.Cert == nil {
		idp.Cert = w.cert(certs.Valid, "sso.test")
	}
	sso := w.start(idp)
	return w.start(crm.Options{Cert: w.cert(certs.Valid, "127.0.0.1"), SSO: sso.BaseURL()})
}

func (w *world) env(rawURL string) *checks.Env {
	w.t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		w.t.Fatal(err)
	}
	env := checks.NewEnv(checks.Target{URL: u})
	env.RootCAs = w.f.Root.Pool()
	env.Resolver = w.dns.Resolver()
	return env
}

func (w *world) run(env *checks.Env) checks.Result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	check := httplogin.New()
	start := time.Now()
	res := check.Run(ctx, env, checks.Deps{})
	if d := time.Since(start); d > checkTimeout+lateness {
		w.t.Errorf("check took %v, beyond its %v deadline", d, checkTimeout)
	}
	return res
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

type want struct {
	status  checks.Status
	code    string
	variant string
	hop     string
	params  map[string]string
}

func check(t *testing.T, res checks.Result, w want) {
	t.Helper()
	if res.Status != w.status || res.Code != w.code {
		t.Fatalf("got %s/%s (%s) evidence %v, want %s/%s", res.Status, res.Code, res.Summary, res.Evidence, w.status, w.code)
	}
	if res.Variant != w.variant {
		t.Errorf("variant %q, want %q", res.Variant, w.variant)
	}
	if got, _ := res.Evidence["hop"].(string); got != w.hop {
		t.Errorf("evidence.hop %q, want %q", got, w.hop)
	}
	for k, v := range w.params {
		if res.Params[k] != v {
			t.Errorf("param %s = %q, want %q (all %v)", k, res.Params[k], v, res.Params)
		}
	}
	if _, ok := res.Evidence["hops"]; !ok {
		t.Errorf("no hops in evidence")
	}
}

func TestLoginPage(t *testing.T) {
	w := newWorld(t, nil)
	for _, tc := range []struct {
		name string
		opts crm.Options
		tune func(*checks.Env)
		want want
	}{
		{"ok", crm.Options{}, nil, want{status: checks.StatusPass, code: checks.CodeOK}},
		{"ok ipv6", crm.Options{Listen: "[::1]:0", Cert: w.cert(certs.Valid, "::1")}, nil,
			want{status: checks.StatusPass, code: checks.CodeOK, params: map[string]string{"host": "::1"}}},
		{"500", crm.Options{Status: 500}, nil,
			want{status: checks.StatusFail, code: httplogin.CodeStatus, variant: "server", params: map[string]string{"status": "500"}}},
		{"404", crm.Options{Status: 404}, nil,
			want{status: checks.StatusFail, code: httplogin.CodeStatus, variant: "not_found", params: map[string]string{"status": "404"}}},
		{"503", crm.Options{Status: 503}, nil,
			want{status: checks.StatusFail, code: httplogin.CodeStatus, variant: "unavailable", params: map[string]string{"status": "503"}}},
		{"maintenance page", crm.Options{Maintenance: crm.MaintenancePage}, nil,
			want{status: checks.StatusFail, code: httplogin.CodeStatus, variant: "maintenance", params: map[string]string{"status": "200", "maintenance": "yes"}}},
		{"maintenance retry-after", crm.Options{Maintenance: crm.MaintenanceRetryAfter, RetryAfter: 10 * time.Minute}, nil,
			want{status: checks.StatusFail, code: httplogin.CodeStatus, variant: "maintenance", params: map[string]string{"status": "503", "retry_after": "10", "maintenance": "yes"}}},
		{"redirect loop", crm.Options{RedirectLoop: true}, nil,
			want{status: checks.StatusFail, code: httplogin.CodeRedirectLoop}},
		{"negotiate", crm.Options{Negotiate: true}, nil,
			want{status: checks.StatusFail, code: httplogin.CodeNegotiate, params: map[string]string{"schemes": "Negotiate, NTLM"}}},
		{"slow", crm.Options{Delay: 300 * time.Millisecond}, func(env *checks.Env) { env.Target.HTTP.SlowAfter = 100 * time.Millisecond },
			want{status: checks.StatusWarn, code: httplogin.CodeSlow}},
		{"not slow by default", crm.Options{Delay: 300 * time.Millisecond}, nil,
			want{status: checks.StatusPass, code: checks.CodeOK}},
		{"expired certificate", crm.Options{Cert: w.cert(certs.Expired, "127.0.0.1")}, nil,
			want{status: checks.StatusFail, code: "TLS_EXPIRED", params: map[string]string{"days": "8"}}},
		{"not TLS", crm.Options{Garbage: true}, nil,
			want{status: checks.StatusFail, code: "TLS_HANDSHAKE_FAILED", variant: "not_tls"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.t = t
			if tc.opts.Cert == nil && !tc.opts.Garbage {
				tc.opts.Cert = w.cert(certs.Valid, "127.0.0.1")
			}
			s := w.start(tc.opts)
			env := w.env(s.URL())
			if tc.tune != nil {
				tc.tune(env)
			}
			res := w.run(env)
			check(t, res, tc.want)
		})
	}
}

func TestTimeoutWithinDeadline(t *testing.T) {
	w := newWorld(t, nil)
	s := w.start(crm.Options{Hang: true})
	start := time.Now()
	res := w.run(w.env(s.URL()))
	if res.Code != httplogin.CodeTimeout || time.Since(start) > checkTimeout+lateness {
		t.Fatalf("got %s after %v", res.Code, time.Since(start))
	}
	if res.Params["seconds"] == "" {
		t.Errorf("no seconds param: %v", res.Params)
	}
}

func TestHugeBodyIsNotReadWhole(t *testing.T) {
	w := newWorld(t, nil)
	s := w.start(crm.Options{BodyBytes: 1 << 30})
	res := w.run(w.env(s.URL()))
	if res.Status != checks.StatusPass || res.Evidence["body_truncated"] != true {
		t.Fatalf("got %s/%s truncated=%v", res.Status, res.Code, res.Evidence["body_truncated"])
	}
	if n := res.Evidence["body_bytes"]; n != httplogin.MaxBody {
		t.Errorf("read %v bytes, want %d", n, httplogin.MaxBody)
	}
	if sent := s.BodyBytesSent(); sent > 64<<20 {
		t.Errorf("server sent %d bytes: the body was read far beyond the limit", sent)
	}
}

func TestSSORoundTrip(t *testing.T) {
	w := newWorld(t, nil)
	s := w.crmWithIdP(crm.Options{})
	res := w.run(w.env(s.URL()))
	check(t, res, want{status: checks.StatusPass, code: checks.CodeOK})
	hosts, _ := res.Data.([]string)
	if strings.Join(hosts, ",") != "127.0.0.1,sso.test" {
		t.Errorf("Data = %v, want the chain's hosts", res.Data)
	}
	if !strings.Contains(res.Summary, "after 3 redirects (127.0.0.1 → sso.test → 127.0.0.1)") {
		t.Errorf("summary %q", res.Summary)
	}
	hops, _ := res.Evidence["hops"].([]httplogin.Hop)
	if len(hops) != 4 {
		t.Fatalf("hops %v", hops)
	}
	for _, h := range hops {
		if strings.Contains(h.URL, "code") || strings.Contains(h.URL, "?") {
			t.Errorf("hop URL %q keeps its query (SSO codes are secrets)", h.URL)
		}
	}
}

func TestSSOOverIPv6(t *testing.T) {
	w := newWorld(t, nil)
	idp := w.start(crm.Options{IdP: true, Listen: "[::1]:0", Cert: w.cert(certs.Valid, "::1")})
	s := w.start(crm.Options{Cert: w.cert(certs.Valid, "127.0.0.1"), SSO: idp.BaseURL()})
	res := w.run(w.env(s.URL()))
	check(t, res, want{status: checks.StatusPass, code: checks.CodeOK})
}

func TestHopFailures(t *testing.T) {
	w := newWorld(t, dnsserver.Zone{
		"fail.test":    dnsserver.Fail(dnsserver.ServFail),
		"silent.test":  dnsserver.Fail(dnsserver.Silent),
		"faraway.test": dnsserver.Addrs("127.0.0.1"),
	})
	dead := closedPort(t)
	for _, tc := range []struct {
		name   string
		sso    string      // SSO base URL, when not an IdP server
		idp    crm.Options // else an IdP named sso.test with these options
		dialer func(ssoPort string) checks.Dialer
		want   want
	}{
		{name: "expired", idp: crm.Options{Cert: w.cert(certs.Expired, "sso.test")},
			want: want{status: checks.StatusFail, code: "TLS_EXPIRED", hop: "sso.test", params: map[string]string{"host": "sso.test", "hop": "sso.test", "days": "8"}}},
		{name: "wrong host", idp: crm.Options{Cert: w.cert(certs.WrongHost, "sso.test")},
			want: want{status: checks.StatusFail, code: "TLS_HOSTNAME_MISMATCH", hop: "sso.test"}},
		{name: "unknown CA", idp: crm.Options{Cert: w.cert(certs.UnknownCA, "sso.test")},
			want: want{status: checks.StatusFail, code: "TLS_UNTRUSTED", hop: "sso.test", params: map[string]string{"issuer": "Unknown Test CA"}}},
		{name: "old TLS", idp: crm.Options{MaxTLSVersion: tls.VersionTLS11},
			want: want{status: checks.StatusFail, code: "TLS_OLD_PROTOCOL", hop: "sso.test"}},
		{name: "expiring", idp: crm.Options{Cert: w.cert(certs.Expiring, "sso.test")},
			want: want{status: checks.StatusWarn, code: "TLS_EXPIRING_SOON", hop: "sso.test", params: map[string]string{"days": "5"}}},
		{name: "negotiate", idp: crm.Options{Negotiate: true},
			want: want{status: checks.StatusFail, code: httplogin.CodeNegotiate, hop: "sso.test"}},
		{name: "hang", idp: crm.Options{Hang: true},
			want: want{status: checks.StatusFail, code: httplogin.CodeTimeout, hop: "sso.test"}},
		{name: "nxdomain", sso: "https://nx.invalid",
			want: want{status: checks.StatusFail, code: "DNS_NXDOMAIN", hop: "nx.invalid", params: map[string]string{"host": "nx.invalid"}}},
		{name: "servfail", sso: "https://fail.test",
			want: want{status: checks.StatusFail, code: "DNS_SERVFAIL", hop: "fail.test"}},
		{name: "dns timeout", sso: "https://silent.test",
			want: want{status: checks.StatusFail, code: "DNS_TIMEOUT", hop: "silent.test"}},
		{name: "refused", sso: "https://faraway.test:" + dead,
			want: want{status: checks.StatusFail, code: "NET_REFUSED", hop: "faraway.test",
				params: map[string]string{"host": "faraway.test", "port": dead, "endpoint": "faraway.test:" + dead, "proxy": ""}}},
		{name: "connect timeout", sso: "https://faraway.test:" + dead,
			dialer: func(string) checks.Dialer {
				return faultnet.ByAddr{Rules: map[string]faultnet.Dialer{"127.0.0.1:" + dead: faultnet.BlackHole{}}}
			},
			want: want{status: checks.StatusFail, code: "NET_TIMEOUT", hop: "faraway.test",
				params: map[string]string{"endpoint": "faraway.test:" + dead, "proxy": ""}}},
		{name: "unreachable", sso: "https://faraway.test:" + dead,
			dialer: func(string) checks.Dialer {
				return faultnet.ByAddr{Rules: map[string]faultnet.Dialer{"127.0.0.1:" + dead: faultnet.Unreachable{}}}
			},
			want: want{status: checks.StatusFail, code: "NET_UNREACHABLE", hop: "faraway.test"}},
		{name: "not TLS", sso: "", idp: crm.Options{Garbage: true},
			want: want{status: checks.StatusFail, code: "TLS_HANDSHAKE_FAILED", variant: "not_tls", hop: "sso.test"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.t = t
			var s *crm.Server
			if tc.sso != "" {
				s = w.start(crm.Options{Cert: w.cert(certs.Valid, "127.0.0.1"), SSO: tc.sso})
			} else {
				s = w.crmWithIdP(tc.idp)
			}
			env := w.env(s.URL())
			if tc.dialer != nil {
				env.Dialer = tc.dialer("")
			}
			check(t, w.run(env), tc.want)
		})
	}
}

// TestProxyRouteSkipsLocalLookup sends everything through a CONNECT proxy:
// the hop's name is then the proxy's business, so a name our resolver
// cannot look up must not fail the check.
func TestProxyRouteSkipsLocalLookup(t *testing.T) {
	w := newWorld(t, dnsserver.Zone{"sso.test": dnsserver.Fail(dnsserver.NXDomain)})
	s := w.crmWithIdP(crm.Options{})
	proxy := startConnectProxy(t, map[string]string{"sso.test": "127.0.0.1"})
	env := w.env(s.URL())
	env.RouteFinder = func(context.Context, *checks.Env, *url.URL) (checks.Route, error) {
		return checks.Route{Proxy: &url.URL{Scheme: "http", Host: proxy}, Source: checks.SourceConfig}, nil
	}
	res := w.run(env)
	check(t, res, want{status: checks.StatusPass, code: checks.CodeOK})
	hops, _ := res.Evidence["hops"].([]httplogin.Hop)
	if len(hops) == 0 || !strings.Contains(hops[0].Route, "via proxy") {
		t.Errorf("hops do not say they went via the proxy: %v", hops)
	}
}

// startConnectProxy is a minimal HTTP CONNECT proxy that resolves names
// from hosts (the proxy's own DNS) and tunnels to them.
func startConnectProxy(t *testing.T, hosts map[string]string) string {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(rw, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		host, port, _ := net.SplitHostPort(r.Host)
		if ip, ok := hosts[host]; ok {
			host = ip
		}
		up, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), time.Second)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		conn, _, err := rw.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { defer up.Close(); defer conn.Close(); _, _ = copyConn(up, conn) }()
		go func() { defer up.Close(); defer conn.Close(); _, _ = copyConn(conn, up) }()
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func copyConn(dst, src net.Conn) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := src.Read(buf)
		if m > 0 {
			if _, werr := dst.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
		}
		if err != nil {
			return n, fmt.Errorf("copy: %w", err)
		}
	}
}

// resolverFunc is a hop resolver made of a function.
type resolverFunc func(ctx context.Context, host string) ([]net.IPAddr, error)

func (f resolverFunc) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return f(ctx, host)
}

// TestHopWithoutAddress: Go's resolver reports a name without records as
// "no such host", so an empty answer can only come from a resolver that
// returns none; it is DNS_NO_ADDRESS.
func TestHopWithoutAddress(t *testing.T) {
	w := newWorld(t, nil)
	s := w.start(crm.Options{Cert: w.cert(certs.Valid, "127.0.0.1"), SSO: "https://noaddr.test"})
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	asked := ""
	env := w.env(s.URL())
	env.Resolver = resolverFunc(func(_ context.Context, host string) ([]net.IPAddr, error) {
		asked = host
		return nil, nil
	})
	res := httplogin.New().Run(ctx, env, checks.Deps{})
	if res.Code != "DNS_NO_ADDRESS" || res.Evidence["hop"] != "noaddr.test" || asked != "noaddr.test" {
		t.Fatalf("got %s (%s), hop %v, asked %q", res.Code, res.Summary, res.Evidence["hop"], asked)
	}
}
