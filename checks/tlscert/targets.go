package tlscert

import (
	"net"
	"net/url"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/reach"
)

// Roles of the hosts tls.certificate judges.
const (
	roleLogin    = "login"
	roleEndpoint = "endpoint"
	roleRegion   = "region"
)

// tlsPorts are the ports on which a bare host:port endpoint speaks TLS
// from the first byte: HTTPS, alternative HTTPS, LDAPS, IMAPS, POP3S,
// SMTPS (submission over TLS), FTPS, and the usual HTTPS alternatives.
func tlsPorts() map[string]bool {
	return map[string]bool{"443": true, "8443": true, "9443": true, "4443": true,
		"636": true, "993": true, "995": true, "465": true, "990": true, "3269": true}
}

// webPorts are TLS ports that serve HTTP (a request may follow the handshake).
func webPorts() map[string]bool {
	return map[string]bool{"443": true, "8443": true, "9443": true, "4443": true}
}

// target is one host:port whose TLS the check judges.
type target struct {
	role     string
	host     string
	hostport string
	// u is the URL the route is decided for.
	u *url.URL
	// web says the port serves HTTP over TLS (a request may be sent).
	web bool
}

// targets lists the login host (when https), every endpoint on a TLS port
// (or given as an https URL) and every https regional URL, each once, in
// that order. Endpoints net.reach could not reach are left out: that is
// its finding.
func targets(t checks.Target, deps checks.Deps) []target {
	var out []target
	seen := map[string]bool{}
	add := func(tg target) {
		tg.host = strings.ToLower(strings.TrimSuffix(tg.host, "."))
		tg.hostport = net.JoinHostPort(tg.host, port(tg.hostport))
		if tg.host == "" || seen[tg.hostport] || (tg.role != roleLogin && unreachable(deps, tg.hostport)) {
			return
		}
		seen[tg.hostport] = true
		out = append(out, tg)
	}
	if t.URL != nil && t.URL.Scheme == "https" {
		add(target{role: roleLogin, host: t.URL.Hostname(), hostport: t.HostPort(), u: t.URL, web: true})
	}
	for _, ep := range t.Endpoints {
		if tg, ok := endpointTarget(strings.TrimSpace(ep)); ok {
			add(tg)
		}
	}
	for _, r := range t.Regions {
		u, err := url.Parse(strings.TrimSpace(r))
		if err == nil && u.Scheme == "https" && u.Host != "" {
			add(target{role: roleRegion, host: u.Hostname(), hostport: net.JoinHostPort(u.Hostname(), portOr(u, "443")), u: u, web: true})
		}
	}
	return out
}

// endpointTarget reads an `endpoints` entry ("host:port", "[v6]:port", a
// bare host meaning port 443, or a URL) and says whether it speaks TLS.
func endpointTarget(ep string) (target, bool) {
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return target{}, false
		}
		return target{role: roleEndpoint, host: u.Hostname(), hostport: net.JoinHostPort(u.Hostname(), portOr(u, "443")), u: u, web: true}, true
	}
	host, p, err := net.SplitHostPort(ep)
	if err != nil {
		host, p = strings.Trim(ep, "[]"), "443"
	}
	if !tlsPorts()[p] {
		return target{}, false
	}
	hp := net.JoinHostPort(host, p)
	return target{role: roleEndpoint, host: host, hostport: hp, u: &url.URL{Scheme: "https", Host: hp}, web: webPorts()[p]}, true
}

// unreachable reports whether net.reach found hostport unreachable.
func unreachable(deps checks.Deps, hostport string) bool {
	facts, ok := reach.FactsFrom(deps)
	if !ok {
		return false
	}
	for _, e := range facts.Endpoints {
		if strings.EqualFold(e.Endpoint, hostport) {
			return !e.Reachable()
		}
	}
	return false
}

func portOr(u *url.URL, def string) string {
	if p := u.Port(); p != "" {
		return p
	}
	return def
}

func port(hostport string) string {
	_, p, _ := net.SplitHostPort(hostport)
	return p
}
