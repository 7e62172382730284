package proxyroute

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/faultnet"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/proxyroute/pac"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

// crmHost is the CRM's public name in tests; only the fixture proxy (Hosts)
// and the test dialer know where it really is.
const crmHost = "crm.example.test"

// startCRM is a TCP server standing in for the CRM: it accepts and echoes.
func startCRM(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_, _ = io.Copy(c, io.LimitReader(c, 1<<16))
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

func startProxy(t *testing.T, cfg proxy.Config, crm string) *proxy.Server {
	t.Helper()
	if cfg.Hosts == nil {
		cfg.Hosts = map[string]string{crmHost: crm}
	}
	p, err := proxy.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func startPAC(t *testing.T, cfg proxy.PACConfig) *proxy.PACServer {
	t.Helper()
	s, err := proxy.StartPAC(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// pacFile writes a PAC script to a temporary file.
func pacFile(t *testing.T, script string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "proxy.pac")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pacProxyTo(addr string) string {
	return `function FindProxyForURL(url, host) {
	if (dnsDomainIs(host, ".example.test")) return "PROXY ` + addr + `";
	return "DIRECT";
}`
}

// fixedSystem is a SystemReader with fixed settings.
func fixedSystem(s SystemSettings) SystemReader {
	return SystemReaderFunc(func(context.Context, string) (SystemSettings, error) { return s, nil })
}

// testFinder never reads this machine's settings. Its limits leave a
// loaded machine room for a healthy proxy, PAC server or DNS answer (tight
// ones turned slowness into wrong routes); tests of a limit set their own.
func testFinder(sys SystemSettings) *Finder {
	return &Finder{
		System:          fixedSystem(sys),
		PAC:             &pac.Evaluator{Timeout: 3 * time.Second, DNSTimeout: time.Second, MyIPs: func(context.Context) []net.IP { return nil }},
		PACFetchTimeout: 3 * time.Second,
		WPADTimeout:     200 * time.Millisecond,
		ProbeTimeout:    2 * time.Second,
		WPADURL:         "http://127.0.0.1:1/wpad.dat",
	}
}

// noDNS answers nothing: tests never use the machine's resolver.
type noDNS struct{}

func (noDNS) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return nil, &net.DNSError{Err: "no such host (test)", IsNotFound: true}
}

// testEnv is a run environment for https://crm.example.test/login.
func testEnv(t *testing.T, f *Finder, vars map[string]string, tgt checks.ProxyConfig) *checks.Env {
	t.Helper()
	u, _ := url.Parse("https://" + crmHost + "/login")
	return &checks.Env{
		Target:      checks.Target{URL: u, Proxy: tgt},
		Now:         time.Now,
		Getenv:      func(k string) string { return vars[k] },
		GOOS:        "linux",
		Dialer:      &net.Dialer{},
		Resolver:    noDNS{},
		RouteFinder: f.Find,
	}
}

// onlyDialer refuses every address but the allowed ones: a network where
// direct connections are blocked.
type onlyDialer struct {
	allowed map[string]bool
	d       net.Dialer
}

var errBlocked = errors.New("blocked by test firewall")

func (o *onlyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if !o.allowed[addr] {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errBlocked}
	}
	return o.d.DialContext(ctx, network, addr)
}

// hangingProxy accepts connections and never answers.
func hangingProxy(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// closedAddr is a loopback address that refuses connections for the test.
func closedAddr(t *testing.T) string {
	t.Helper()
	addr, release, err := faultnet.RefusingAddr()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return addr
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
