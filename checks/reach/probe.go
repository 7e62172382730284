package reach

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// perFamily is how many addresses of each family are tried.
const perFamily = 2

// prober connects to endpoints for one run.
type prober struct {
	env   *checks.Env
	facts *dnsresolve.Facts // nil when dns.resolve did not run
}

// probe connects to ep along route: to its addresses (both families)
// directly, or by name through the proxy, which resolves it.
func (p prober) probe(ctx context.Context, ep endpoint, route checks.Route) EndpointFacts {
	f := EndpointFacts{Endpoint: ep.hostport, Host: ep.host, Port: ep.port, Name: ep.name, Role: ep.role,
		Route: route.String(), Proxied: !route.Direct(), Proxy: route.ProxyHost()}
	if !route.Direct() {
		f.Attempts = []Attempt{p.attempt(ctx, route, ep.hostport, "proxy")}
		return outcome(f)
	}
	addrs, code := p.addresses(ctx, ep.host)
	if code != "" {
		f.Code = code
		return f
	}
	f.Private = allPrivate(addrs)
	f.Attempts = p.race(ctx, route, pick(addrs), ep.port)
	return outcome(f)
}

// connectAttemptDelay is how long the other attempts may still take once
// one address connected: RFC 8305's recommended Connection Attempt Delay
// (browsers race the families the same way and use the first that
// connects). An address that black-holes then costs this, not the whole
// connect budget.
const connectAttemptDelay = 250 * time.Millisecond

// race connects to every picked address at once, as a browser's happy
// eyeballs does; once one connects, the rest get connectAttemptDelay more,
// and an attempt still pending then is a timeout ("no answer while the
// other address connected").
func (p prober) race(ctx context.Context, route checks.Route, picked []netip.Addr, port string) []Attempt {
	attempts := make([]Attempt, len(picked))
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var once sync.Once
	var timer *time.Timer
	won := func() {
		once.Do(func() { timer = time.AfterFunc(connectAttemptDelay, cancel) })
	}
	var wg sync.WaitGroup
	for i, a := range picked {
		wg.Go(func() {
			at := p.attempt(rctx, route, net.JoinHostPort(a.String(), port), family(a))
			if at.Code == checks.CodeOK {
				won()
			} else if ctx.Err() == nil && rctx.Err() != nil {
				at.Code = netfail.NetTimeout
				at.Detail = fmt.Sprintf("no answer within %s after another address connected", roundMS(at.Elapsed))
			}
			attempts[i] = at
		})
	}
	wg.Wait()
	if timer != nil {
		timer.Stop()
	}
	return attempts
}

func (p prober) attempt(ctx context.Context, route checks.Route, addr, fam string) Attempt {
	start := time.Now()
	conn, err := p.env.DialRoute(ctx, route, addr)
	a := Attempt{Address: addr, Family: fam, Elapsed: time.Since(start)}
	if err != nil {
		a.Code, a.Detail = classify(err)
		return a
	}
	conn.Close()
	a.Code = checks.CodeOK
	return a
}

// addresses are the host's addresses: from dns.resolve's facts, else
// resolved here. A host that does not resolve gets its DNS_* code.
func (p prober) addresses(ctx context.Context, host string) ([]netip.Addr, string) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, ""
	}
	if p.facts != nil {
		if hf, ok := p.facts.Lookup(host); ok {
			if hf.Resolved() {
				return hf.Addrs, ""
			}
			return nil, hf.Code
		}
	}
	addrs, err := checks.LookupNetIP(ctx, p.env.Resolver, host)
	if err != nil {
		return nil, netfail.Lookup(err)
	}
	if len(addrs) == 0 {
		return nil, dnsresolve.CodeNoAddress
	}
	return addrs, ""
}

// pick keeps up to perFamily addresses of each family, IPv4 first.
func pick(addrs []netip.Addr) []netip.Addr {
	var v4, v6 []netip.Addr
	for _, a := range addrs {
		if a.Is4() && len(v4) < perFamily {
			v4 = append(v4, a)
		} else if a.Is6() && len(v6) < perFamily {
			v6 = append(v6, a)
		}
	}
	return append(v4, v6...)
}

func family(a netip.Addr) string {
	if a.Is4() {
		return "ipv4"
	}
	return "ipv6"
}

// outcome sums up the attempts: reachable if any connected (naming the
// families that did), else the failure of the first IPv4 attempt — an
// IPv6 "no route" on a network without IPv6 says less than IPv4's answer.
func outcome(f EndpointFacts) EndpointFacts {
	var fams []string
	for _, a := range f.Attempts {
		if a.Code != checks.CodeOK {
			continue
		}
		if f.Address == "" || a.Elapsed < f.Elapsed {
			f.Address, f.Elapsed = a.Address, a.Elapsed
		}
		if !slices.Contains(fams, a.Family) {
			fams = append(fams, a.Family)
		}
	}
	if len(fams) > 0 {
		sort.Strings(fams)
		f.Code, f.Family = checks.CodeOK, strings.Join(fams, "+")
		f.FailedFamily, f.FailedCode = failedFamily(f.Attempts, fams)
		return f
	}
	if len(f.Attempts) == 0 {
		f.Code = dnsresolve.CodeNoAddress
		return f
	}
	f.Code = f.Attempts[0].Code
	return f
}

// failedFamily names the family none of whose attempts connected while
// another family's did (what happy eyeballs hides from the user), with
// its first attempt's code; "" when every family tried connected.
func failedFamily(attempts []Attempt, connected []string) (fam, code string) {
	for _, a := range attempts {
		if a.Family != "proxy" && !slices.Contains(connected, a.Family) {
			return a.Family, a.Code
		}
	}
	return "", ""
}

func allPrivate(addrs []netip.Addr) bool {
	for _, a := range addrs {
		if !a.IsPrivate() {
			return false
		}
	}
	return len(addrs) > 0
}
