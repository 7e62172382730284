// Package reach is the net.reach check: a TCP connect to every endpoint the
// login needs (the login host, `endpoints`, `regions`), along the route the
// browser takes — directly to both address families, or through the proxy
// — telling refused, filtered (timed out) and "no route" apart.
package reach

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
	"github.com/logindoctor/logindoctor/checks/proxyroute"
)

// ID is the check's stable ID.
const ID = "net.reach"

// The checks net.reach depends on.
const (
	depRoute = proxyroute.ID
	depDNS   = dnsresolve.ID
)

// maxDial bounds each connect; it ends checks.DialReserve before the
// check's own deadline so the check can still report what it saw.
const maxDial = 5 * time.Second

// Options are the seams of the check; the zero value is the real system
// without the captive portal probe (which reaches the internet).
type Options struct {
	// PortalProbes find a captive portal when the login host does not
	// connect (DefaultPortalProbes in the real tool); none: not probed.
	PortalProbes []PortalProbe
}

// New returns the net.reach check with the given seams.
func New(o Options) checks.Check { return &check{opts: o} }

type check struct{ opts Options }

var (
	_ checks.Check        = (*check)(nil)
	_ checks.BlockDecider = (*check)(nil)
)

func (c *check) Info() checks.Info {
	return checks.Info{ID: ID, Stage: checks.StageNetwork, DependsOn: []string{depRoute, depDNS}}
}

// BlockedBy blocks on a failed proxy.route always, and on a failed
// dns.resolve only when the route is direct: behind a proxy, the proxy
// resolves names and a local DNS failure is only split DNS.
func (c *check) BlockedBy(deps checks.Deps) string {
	if r, ok := deps[depRoute]; ok && r.Blocks() {
		return depRoute
	}
	route, _ := routeFrom(deps)
	if r, ok := deps[depDNS]; ok && r.Blocks() && route.Direct() && !loginResolved(r, deps) {
		return depDNS
	}
	return ""
}

// loginResolved reports whether dns.resolve found the login host even
// though it failed (for an SSO or API endpoint): the login host can still
// be reached, and the endpoint stays dns.resolve's finding.
func loginResolved(r checks.Result, deps checks.Deps) bool {
	facts, ok := dnsresolve.FactsFrom(deps)
	if !ok || r.Status == checks.StatusError {
		return false
	}
	for _, h := range facts.Hosts {
		if h.Role == dnsresolve.RoleLogin {
			return h.Resolved()
		}
	}
	return false
}

// routeFrom is proxy.route's route to the CRM; direct when absent.
func routeFrom(deps checks.Deps) (checks.Route, bool) {
	if r, ok := proxyroute.RouteFrom(deps); ok {
		return r, true
	}
	return checks.Route{Source: checks.SourceDirect}, false
}

func (c *check) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	if env.Target.URL == nil || env.Target.Host() == "" {
		return checks.NotConfigured("url")
	}
	dctx, cancel, wait := dialContext(ctx)
	defer cancel()
	p := prober{env: env}
	if f, ok := dnsresolve.FactsFrom(deps); ok {
		p.facts = &f
	}
	crm, known := routeFrom(deps)
	eps := endpoints(env.Target)
	found := make([]EndpointFacts, len(eps))
	login := make(chan EndpointFacts, 1)
	portals := make(chan portal, 1)
	go func() { portals <- c.watchPortal(dctx, env, login, wait) }()
	var wg sync.WaitGroup
	for i, ep := range eps {
		wg.Go(func() {
			route := crm
			if ep.role != "login" && known {
				// The check's own context: Env memoises the first
				// caller's answer for every check of the run.
				route = endpointRoute(ctx, env, ep)
			}
			found[i] = p.probe(dctx, ep, route)
			if ep.role == "login" {
				login <- found[i]
			}
		})
	}
	wg.Wait()
	res := verdict(found, wait, p.facts)
	return withPortal(res, <-portals, Facts{Endpoints: found})
}

// watchPortal probes for a captive portal when the login host fails (or
// is slow to connect) and probes are configured. A login host on this
// machine itself never passes a Wi-Fi sign-in page, so it is never a
// reason to ask the internet's probe hosts (and a run against a local
// server — the demo, the tests — stays on the machine).
func (c *check) watchPortal(ctx context.Context, env *checks.Env, login <-chan EndpointFacts, wait time.Duration) portal {
	if len(c.opts.PortalProbes) == 0 || isLoopbackHost(env.Target.Host()) {
		return portal{}
	}
	return watchPortal(ctx, env, c.opts.PortalProbes, login, wait)
}

// withPortal makes a found captive portal the finding, when the login host
// did not connect.
func withPortal(res checks.Result, p portal, f Facts) checks.Result {
	login, ok := f.Login()
	if !p.found || !ok || login.Reachable() || strings.HasPrefix(login.Code, "DNS_") {
		return res
	}
	return captiveResult(res, p, login)
}

// endpointRoute is the route the browser takes to ep (memoised per run);
// a route that cannot be decided is taken as direct.
func endpointRoute(ctx context.Context, env *checks.Env, ep endpoint) checks.Route {
	r, err := env.Route(ctx, ep.u)
	if err != nil {
		return checks.Route{Source: checks.SourceDirect}
	}
	return r
}

// dialContext bounds every connect: at most maxDial, ending
// checks.DialReserve (or a quarter of the time left, if less) before the
// check's deadline. wait is how long a connect may take.
func dialContext(ctx context.Context) (c context.Context, cancel context.CancelFunc, wait time.Duration) {
	now := time.Now()
	end := checks.Budget{Reserve: checks.DialReserve, Share: 4, Cap: maxDial}.Deadline(ctx, now)
	c, cancel = context.WithDeadline(ctx, end)
	return c, cancel, end.Sub(now)
}

// isLoopbackHost reports whether host names this machine: localhost or a
// loopback address literal.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.Unmap().IsLoopback()
}
