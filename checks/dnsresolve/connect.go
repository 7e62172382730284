package dnsresolve

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// maxConnectTest bounds the connects that tell a wrong DNS answer from a
// CDN's differing but working one.
const maxConnectTest = 1500 * time.Millisecond

// connectTest is a connect to the system's and to the reference's address
// on the login port: a wrong answer does not connect, the right one does.
type connectTest struct {
	port                 string
	sys, ref             string // the host:port tried
	sysOK, refOK         bool   // it connected
	sysDetail, refDetail string // "connected", "refused", "timed out" …
}

// wrong reports a system answer that does not connect while the
// reference's does.
func (c *connectTest) wrong() bool { return c != nil && !c.sysOK && c.refOK }

// tryMismatches connects, for every host whose direct route meets a system
// answer that a reference resolver contradicts with other addresses, to
// one address of each, concurrently, within maxConnectTest. Behind a proxy
// the proxy resolves: nothing to try.
func tryMismatches(ctx context.Context, d checks.Dialer, obs []observation, references []string) {
	if d == nil {
		d = &net.Dialer{}
	}
	cctx, cancel := checks.Budget{Reserve: checks.DNSReserve, Share: 5, Cap: maxConnectTest}.Context(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i := range obs {
		o := &obs[i]
		ref, ok := disagreeingRef(*o, references)
		if !ok || !o.route.Direct() || o.literal || o.port == "" || len(o.sysAddrs) == 0 {
			continue
		}
		o.tried = &connectTest{port: o.port,
			sys: net.JoinHostPort(first(o.sysAddrs).String(), o.port),
			ref: net.JoinHostPort(first(ref.addrs).String(), o.port)}
		wg.Go(func() { o.tried.sysOK, o.tried.sysDetail = connect(cctx, d, o.tried.sys) })
		wg.Go(func() { o.tried.refOK, o.tried.refDetail = connect(cctx, d, o.tried.ref) })
	}
	wg.Wait()
}

// disagreeingRef is the first reference answer (as judge reads them) that
// contradicts the system's with addresses of its own.
func disagreeingRef(o observation, references []string) (view, bool) {
	for i := range o.refs {
		r := combineServers(o.refs[i:i+1], references[i:i+1])
		if disagrees(r, o.sysAddrs) {
			return r, r.kind == kindOK && len(r.addrs) > 0
		}
	}
	return view{}, false
}

// first prefers an IPv4 address (the family every network carries).
func first(addrs []netip.Addr) netip.Addr {
	for _, a := range addrs {
		if a.Is4() {
			return a
		}
	}
	return addrs[0]
}

// connect reports whether addr accepts a TCP connection, and why not.
func connect(ctx context.Context, d checks.Dialer, addr string) (bool, string) {
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		f := netfail.Dial(fmt.Errorf("connect %s: %w", addr, err))
		if f.Detail != "" {
			return false, f.Detail
		}
		return false, f.Code
	}
	conn.Close()
	return true, "connected"
}
