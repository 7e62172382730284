package pac

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Limits of the result grammar: a script may return a huge string.
const (
	maxResultLen     = 4096
	maxResultEntries = 32
)

// Proxy is one entry of a PAC result: DIRECT, or a proxy kind with host:port.
type Proxy struct {
	// Kind is DIRECT, PROXY, HTTP, HTTPS, SOCKS, SOCKS4 or SOCKS5.
	Kind string
	// Host is host:port (the kind's default port filled in); "" for DIRECT.
	Host string
}

// Direct reports whether the entry means "no proxy".
func (p Proxy) Direct() bool { return p.Kind == "DIRECT" }

// String renders the entry the way a PAC script writes it.
func (p Proxy) String() string {
	if p.Direct() {
		return "DIRECT"
	}
	return p.Kind + " " + p.Host
}

// URL is the proxy as a URL (http, https, socks5 or socks4 scheme); nil for
// DIRECT.
func (p Proxy) URL() *url.URL {
	scheme := ""
	switch p.Kind {
	case "DIRECT":
		return nil
	case "PROXY", "HTTP":
		scheme = "http"
	case "HTTPS":
		scheme = "https"
	case "SOCKS", "SOCKS5":
		scheme = "socks5"
	case "SOCKS4":
		scheme = "socks4"
	}
	return &url.URL{Scheme: scheme, Host: p.Host}
}

var defaultPorts = map[string]string{
	"PROXY": "80", "HTTP": "80", "HTTPS": "443", "SOCKS": "1080", "SOCKS4": "1080", "SOCKS5": "1080",
}

// ParseResult parses a FindProxyForURL return value: ';'-separated entries,
// each DIRECT or KIND host[:port]. Keywords are case-insensitive, empty
// entries (a trailing ';') are ignored, and anything else — "undefined", an
// unknown keyword, a missing or malformed host, an empty list — is a
// *ResultError. Browsers skip bad entries silently; a diagnosis must not.
func ParseResult(s string) ([]Proxy, error) {
	if len(s) > maxResultLen {
		return nil, &ResultError{Result: clip(s), Reason: "longer than " + strconv.Itoa(maxResultLen) + " bytes"}
	}
	var out []Proxy
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, reason := parseEntry(part)
		if reason != "" {
			return nil, &ResultError{Result: clip(s), Reason: reason}
		}
		if len(out) == maxResultEntries {
			return nil, &ResultError{Result: clip(s), Reason: "more than " + strconv.Itoa(maxResultEntries) + " entries"}
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, &ResultError{Result: clip(s), Reason: "no proxy entry"}
	}
	return out, nil
}

func parseEntry(entry string) (Proxy, string) {
	fields := strings.Fields(entry)
	kind := strings.ToUpper(fields[0])
	if kind == "DIRECT" {
		if len(fields) != 1 {
			return Proxy{}, "DIRECT takes no address: " + strconv.Quote(clip(entry))
		}
		return Proxy{Kind: kind}, ""
	}
	port, known := defaultPorts[kind]
	if !known {
		return Proxy{}, "unknown keyword " + strconv.Quote(clip(fields[0]))
	}
	if len(fields) != 2 {
		return Proxy{}, kind + " needs exactly one host:port: " + strconv.Quote(clip(entry))
	}
	host, reason := parseHostPort(fields[1], port)
	if reason != "" {
		return Proxy{}, reason
	}
	return Proxy{Kind: kind, Host: host}, ""
}

// parseHostPort validates host[:port] and fills in the default port.
func parseHostPort(hp, defPort string) (string, string) {
	host, port := hp, defPort
	if h, p, err := net.SplitHostPort(hp); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(hp, "[") && strings.HasSuffix(hp, "]") {
		host = hp[1 : len(hp)-1]
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || len(port) > 5 {
		return "", "bad port in " + strconv.Quote(clip(hp))
	}
	if !validHost(host) {
		return "", "bad host in " + strconv.Quote(clip(hp))
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), ""
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if strings.Contains(h, ":") {
		return net.ParseIP(h) != nil
	}
	for _, r := range h {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_'
		if !ok {
			return false
		}
	}
	return !strings.HasPrefix(h, ".") && !strings.Contains(h, "..")
}
