package proxyroute

import (
	"net"
	"strconv"
	"strings"

	"github.com/logindoctor/logindoctor/checks/proxyroute/pac"
)

// bypassed reports whether host skips the system's manual proxy, and the
// rule that matched. Patterns are the union of what Windows
// (ProxyOverride), macOS (ExceptionsList) and GNOME (ignore-hosts) store:
// "<local>" (a name without a dot), exact names, "*" and "?" wildcards, a
// leading "." or "*." for a domain and its sub-domains, and address ranges
// ("10.0.0.0/8", macOS's "169.254/16"). A ":port" or "scheme://" prefix on
// a pattern is ignored.
func bypassed(host string, local bool, patterns []string) (string, bool) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	ip := net.ParseIP(host)
	if local && ip == nil && !strings.Contains(host, ".") {
		return "<local>", true
	}
	for _, raw := range patterns {
		p := strings.ToLower(strings.TrimSpace(raw))
		if p == "" {
			continue
		}
		if p == "<local>" {
			if ip == nil && !strings.Contains(host, ".") {
				return raw, true
			}
			continue
		}
		if _, rest, ok := strings.Cut(p, "://"); ok {
			p = rest
		}
		if n := parseRange(p); n != nil {
			if ip != nil && n.Contains(ip) {
				return raw, true
			}
			continue
		}
		if h, _, err := net.SplitHostPort(p); err == nil {
			p = h
		}
		p = strings.Trim(p, "[]")
		if strings.HasPrefix(p, ".") {
			p = "*" + p
		}
		if pac.Glob(host, p) || strings.HasPrefix(p, "*.") && host == p[2:] {
			return raw, true
		}
	}
	return "", false
}

// parseRange parses "a.b.c.d/n", an IPv6 CIDR, or macOS's short form
// "169.254/16".
func parseRange(p string) *net.IPNet {
	addr, bits, ok := strings.Cut(p, "/")
	if !ok {
		return nil
	}
	if _, err := strconv.Atoi(bits); err != nil {
		return nil
	}
	if !strings.Contains(addr, ":") {
		for strings.Count(addr, ".") < 3 {
			addr += ".0"
		}
	}
	_, n, err := net.ParseCIDR(addr + "/" + bits)
	if err != nil {
		return nil
	}
	return n
}
