package dnsresolve

import (
	"context"
	"net/netip"
	"sync"

	"github.com/logindoctor/logindoctor/checks"
)

// target is one host to resolve and the URL whose route applies to it.
type target struct {
	host  string
	role  Role
	port  string // the port the login connects to on this host
	route checks.Route
	// routeErr is why the route could not be decided (then: direct).
	routeErr error
}

// observation is everything learnt about one host before classifying.
type observation struct {
	target
	literal  bool // the host is an IP address: nothing to resolve
	sysAddrs []netip.Addr
	sysErr   error
	// direct[s][q] is nameserver s's answer to question q (A, AAAA).
	direct [][2]answer
	// refs[r][q] is reference resolver r's answer.
	refs  [][2]answer
	hosts []netip.Addr
	// tried is the connect test of a system answer that disagrees with a
	// reference resolver's (nil when not tried).
	tried *connectTest
}

// gatherer runs the lookups of one check run.
type gatherer struct {
	sys         checks.Resolver
	x           exchanger
	nameservers []string
	references  []string
	hosts       hostsTable
}

// observe looks every target up concurrently and waits for all of them.
func (g gatherer) observe(ctx context.Context, ts []target) []observation {
	obs := make([]observation, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Go(func() { obs[i] = g.observeOne(ctx, t) })
	}
	wg.Wait()
	return obs
}

func (g gatherer) observeOne(ctx context.Context, t target) observation {
	o := observation{target: t, hosts: g.hosts[t.host]}
	if ip, err := netip.ParseAddr(t.host); err == nil {
		o.literal = true
		o.sysAddrs = []netip.Addr{ip.Unmap()}
		return o
	}
	o.direct = make([][2]answer, len(g.nameservers))
	o.refs = make([][2]answer, len(g.references))
	var wg sync.WaitGroup
	wg.Go(func() {
		o.sysAddrs, o.sysErr = checks.LookupNetIP(ctx, g.sys, t.host)
	})
	ask := func(dst *[2]answer, server string) {
		for q := range dst {
			wg.Go(func() { dst[q] = g.x.Exchange(ctx, t.host, qtype(q), server) })
		}
	}
	for i, s := range g.nameservers {
		ask(&o.direct[i], s)
	}
	for i, s := range g.references {
		ask(&o.refs[i], s)
	}
	wg.Wait()
	return o
}

// queryContext leaves the check time to report after the lookups: they
// end checks.DNSReserve (at most a fifth of the time left) before the
// check's own deadline, and take at most maxQueryWait.
func queryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return checks.Budget{Reserve: checks.DNSReserve, Share: 5, Cap: maxQueryWait}.Context(ctx)
}
