package reach

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/testenv"
)

// checkTimeout is the check's deadline in these tests.
const checkTimeout = 600 * time.Millisecond

// listen starts an accepting TCP listener on addr ("127.0.0.1:0", "[::1]:N").
func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln
}

func port(ln net.Listener) string { return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) }

// dualListen listens on the same port on 127.0.0.1 and ::1; it skips the
// test when the machine has no IPv6 loopback.
func dualListen(t *testing.T) string {
	t.Helper()
	for range 20 {
		v4 := listen(t, "127.0.0.1:0")
		ln, err := net.Listen("tcp", "[::1]:"+port(v4))
		if err == nil {
			ln.Close()
			listen(t, "[::1]:"+port(v4))
			return port(v4)
		}
	}
	noIPv6(t, errors.New("no free port on both 127.0.0.1 and [::1]"))
	return ""
}

// requireIPv6 stops the test when the machine has no IPv6 loopback: a skip
// on a developer's machine, a failure in CI (CI=true), where an IPv6 test
// that silently passes would hide a broken family.
func requireIPv6(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		noIPv6(t, err)
	}
	ln.Close()
}

func noIPv6(t *testing.T, err error) {
	t.Helper()
	testenv.Unavailable(t, "no IPv6 loopback here: %v", err)
}

// closedPort is a loopback port that refuses connections for the test.
func closedPort(t *testing.T) string {
	t.Helper()
	addr, release, err := faultnet.RefusingAddr()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// dnsFacts are dns.resolve's facts with hosts resolving to addrs.
func dnsFacts(hosts map[string][]string) dnsresolve.Facts {
	var f dnsresolve.Facts
	for h, addrs := range hosts {
		hf := dnsresolve.HostFacts{Host: h, Code: checks.CodeOK, Status: checks.StatusPass}
		for _, a := range addrs {
			ip := netip.MustParseAddr(a)
			hf.Addrs = append(hf.Addrs, ip)
			hf.Private = ip.IsPrivate()
		}
		hf.Internal = hf.Private
		if len(addrs) == 0 {
			hf.Code, hf.Status = dnsresolve.CodeNXDomain, checks.StatusFail
		}
		f.Hosts = append(f.Hosts, hf)
	}
	return f
}

// deps are passing proxy.route (with route) and dns.resolve (with facts).
func deps(route checks.Route, facts dnsresolve.Facts) checks.Deps {
	rr := checks.Pass("route")
	rr.Data = route
	dr := checks.Pass("dns")
	dr.Data = facts
	return checks.Deps{depRoute: rr, depDNS: dr}
}

func direct() checks.Route { return checks.Route{Source: checks.SourceDirect} }

func env(t *testing.T, rawURL string, d checks.Dialer, endpoints, regions []string) *checks.Env {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	e := checks.NewEnv(checks.Target{URL: u, Endpoints: endpoints, Regions: regions})
	if d != nil {
		e.Dialer = d
	}
	return e
}

// run runs the check under checkTimeout and fails the test if it returned
// after its deadline.
func run(t *testing.T, c checks.Check, e *checks.Env, d checks.Deps) checks.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	res := c.Run(ctx, e, d)
	if ctx.Err() != nil {
		t.Fatalf("the check returned after its deadline: %v", ctx.Err())
	}
	return res
}

// slowDialer delays connects to the addresses in slow, then dials for real.
type slowDialer struct {
	slow  map[string]time.Duration
	inner net.Dialer
}

func (s *slowDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if d, ok := s.slow[addr]; ok {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.inner.DialContext(ctx, network, addr)
}

// connectProxy is an HTTP proxy on loopback that answers CONNECT with a
// fixed status (200: "established", without dialing anywhere).
type connectProxy struct {
	status int
	ln     net.Listener
	mu     sync.Mutex
	seen   []string
}

func startProxy(t *testing.T, status int) *connectProxy {
	t.Helper()
	p := &connectProxy{status: status, ln: listenRaw(t)}
	go p.serve()
	return p
}

func listenRaw(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func (p *connectProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *connectProxy) handle(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(io.LimitReader(c, 8<<10)))
	if err != nil {
		return
	}
	p.mu.Lock()
	p.seen = append(p.seen, req.Host)
	p.mu.Unlock()
	if p.status != http.StatusOK {
		io.WriteString(c, "HTTP/1.1 "+strconv.Itoa(p.status)+" "+http.StatusText(p.status)+"\r\nContent-Length: 0\r\n\r\n")
		return
	}
	// A real tunnel is not needed to tell "connected": never dial out.
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
}

func (p *connectProxy) hosts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func (p *connectProxy) route() checks.Route {
	return checks.Route{Proxy: &url.URL{Scheme: "http", Host: p.ln.Addr().String()}, Source: checks.SourcePAC,
		Rule: "PROXY " + p.ln.Addr().String()}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
