package reach

import (
	"net"
	"net/url"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// endpoint is one host:port to connect to.
type endpoint struct {
	hostport   string
	host, port string
	name       string
	role       string
	u          *url.URL // for the route
}

// endpoints lists the login host:port, every `endpoints` entry (port 443
// when none is given) and every region's host:port, each once.
func endpoints(t checks.Target) []endpoint {
	var out []endpoint
	seen := map[string]bool{}
	add := func(host, port, name, role string, u *url.URL) {
		host = strings.ToLower(strings.TrimSuffix(host, "."))
		hp := net.JoinHostPort(host, port)
		if host == "" || seen[hp] {
			return
		}
		seen[hp] = true
		out = append(out, endpoint{hostport: hp, host: host, port: port, name: name, role: role, u: u})
	}
	if t.URL != nil {
		host, port, _ := net.SplitHostPort(t.HostPort())
		add(host, port, t.HostPort(), "login", t.URL)
	}
	for _, ep := range t.Endpoints {
		ep = strings.TrimSpace(ep)
		host, port := splitEndpoint(ep)
		add(host, port, ep, "endpoint", &url.URL{Scheme: "https", Host: net.JoinHostPort(host, port)})
	}
	for _, r := range t.Regions {
		u, err := url.Parse(strings.TrimSpace(r))
		if err != nil || u.Host == "" {
			continue
		}
		add(u.Hostname(), urlPort(u), r, "region", u)
	}
	return out
}

// splitEndpoint reads "host:port", "[v6]:port", a bare host or a URL.
func splitEndpoint(ep string) (host, port string) {
	if strings.Contains(ep, "://") {
		if u, err := url.Parse(ep); err == nil {
			return u.Hostname(), urlPort(u)
		}
	}
	if h, p, err := net.SplitHostPort(ep); err == nil {
		return h, p
	}
	return strings.Trim(ep, "[]"), "443"
}

func urlPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}
