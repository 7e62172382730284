package dnsresolve

import (
	"context"
	"net"
	"net/url"
	"strings"
	"sync"

	"github.com/logindoctor/logindoctor/checks"
)

// hostRef is a host to resolve and the URL whose route applies to it.
type hostRef struct {
	host string
	role Role
	u    *url.URL
}

// port is the port the login connects to on the ref's host.
func (r hostRef) port() string {
	if p := r.u.Port(); p != "" {
		return p
	}
	if r.u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// hostRefs lists the login host, every endpoint's host and every region's
// host, each once (the first role wins), the login host first.
func hostRefs(t checks.Target) []hostRef {
	var out []hostRef
	seen := map[string]bool{}
	add := func(host string, role Role, u *url.URL) {
		host = normName(host)
		if host == "" || seen[host] {
			return
		}
		seen[host] = true
		out = append(out, hostRef{host: host, role: role, u: u})
	}
	if t.URL != nil {
		add(t.URL.Hostname(), RoleLogin, t.URL)
	}
	for _, ep := range t.Endpoints {
		host := endpointHost(ep)
		add(host, RoleEndpoint, &url.URL{Scheme: "https", Host: strings.TrimSpace(ep)})
	}
	for _, r := range t.Regions {
		if u, err := url.Parse(strings.TrimSpace(r)); err == nil && u.Host != "" {
			add(u.Hostname(), RoleRegion, u)
		}
	}
	return out
}

// endpointHost is the host of "host:port", "host", "[v6]:port" or a URL.
func endpointHost(ep string) string {
	ep = strings.TrimSpace(ep)
	if strings.Contains(ep, "://") {
		if u, err := url.Parse(ep); err == nil {
			return u.Hostname()
		}
	}
	if h, _, err := net.SplitHostPort(ep); err == nil {
		return h
	}
	return strings.Trim(ep, "[]")
}

// targetsOf are refs with the direct route, until withRoutes decides.
func targetsOf(refs []hostRef) []target {
	ts := make([]target, len(refs))
	for i, r := range refs {
		ts[i] = target{host: r.host, role: r.role, port: r.port(), route: checks.Route{Source: checks.SourceDirect}}
	}
	return ts
}

// withRoutes decides every host's route concurrently (memoised by the Env,
// so the same route proxy.route reports); an undecidable route is direct.
func withRoutes(ctx context.Context, env *checks.Env, refs []hostRef) []target {
	ts := make([]target, len(refs))
	var wg sync.WaitGroup
	for i, r := range refs {
		wg.Go(func() {
			route, err := env.Route(ctx, r.u)
			if err != nil {
				route = checks.Route{Source: checks.SourceDirect}
			}
			ts[i] = target{host: r.host, role: r.role, port: r.port(), route: route, routeErr: err}
		})
	}
	wg.Wait()
	return ts
}
