package proxyroute

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"

	"github.com/logindoctor/logindoctor/checks"
)

// firstSet returns the first of names set (non-empty) in the environment.
func firstSet(getenv func(string) string, names ...string) (name, value string) {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return n, v
		}
	}
	return "", ""
}

// envRoute applies HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) with
// golang.org/x/net/http/httpproxy's rules. ok is false when the variable
// for u's scheme is not set: the environment does not decide then.
func envRoute(getenv func(string) string, u *url.URL) (r checks.Route, ok bool, err error) {
	if getenv == nil {
		return checks.Route{}, false, nil
	}
	httpsName, httpsVal := firstSet(getenv, "HTTPS_PROXY", "https_proxy")
	httpName, httpVal := firstSet(getenv, "HTTP_PROXY", "http_proxy")
	noName, noVal := firstSet(getenv, "NO_PROXY", "no_proxy")
	name, val := httpName, httpVal
	if u.Scheme == "https" {
		name, val = httpsName, httpsVal
	}
	if val == "" {
		return checks.Route{}, false, nil
	}
	proxyURL, err := parseProxyURL(name, val)
	if err != nil {
		return checks.Route{Source: checks.SourceEnv, Rule: name}, true, err
	}
	cfg := httpproxy.Config{HTTPProxy: httpVal, HTTPSProxy: httpsVal, NoProxy: noVal}
	chosen, err := cfg.ProxyFunc()(u)
	if err != nil {
		// httpproxy's message quotes the value: never pass it on.
		return checks.Route{Source: checks.SourceEnv, Rule: name}, true, &ConfigError{Setting: name, Reason: "it is not a valid proxy address"}
	}
	if chosen == nil && isLoopbackHost(u.Hostname()) && !noProxyLists(noVal, u.Hostname()) {
		// httpproxy never proxies localhost; a proxy variable that is set
		// is taken at its word here unless NO_PROXY names the host, so that
		// a CRM served on this machine is diagnosed along the proxy too.
		chosen = proxyURL
	}
	if chosen == nil {
		rule := "localhost is never proxied"
		if noName != "" {
			rule = noName
		}
		return checks.Route{Source: checks.SourceEnv, Rule: rule}, true, nil
	}
	return checks.Route{Proxy: proxyURL, Source: checks.SourceEnv, Rule: name}, true, nil
}

// isLoopbackHost reports whether host is localhost or a loopback address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// noProxyLists reports whether a NO_PROXY value names host: "*", the host
// itself, a domain suffix of it, or a CIDR or address containing it.
func noProxyLists(noProxy, host string) bool {
	ip := net.ParseIP(host)
	for _, entry := range strings.Split(noProxy, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		if entry == "" {
			continue
		}
		if entry == "*" {
			return true
		}
		if _, n, err := net.ParseCIDR(entry); err == nil {
			if ip != nil && n.Contains(ip) {
				return true
			}
			continue
		}
		if h, _, err := net.SplitHostPort(entry); err == nil {
			entry = h
		}
		entry = strings.TrimPrefix(entry, ".")
		if e := net.ParseIP(entry); e != nil {
			if ip != nil && e.Equal(ip) {
				return true
			}
			continue
		}
		h := strings.ToLower(host)
		if h == entry || strings.HasSuffix(h, "."+entry) {
			return true
		}
	}
	return false
}
