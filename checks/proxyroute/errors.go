package proxyroute

import (
	"fmt"
	"net/url"
	"strings"
)

// PACFetchError means the PAC file could not be loaded: an HTTP error, a
// time-out, a missing file. It never carries credentials.
type PACFetchError struct {
	URL        string // without user info
	StatusCode int    // HTTP status, when the server answered
	Err        error  // the cause, when it did not
}

func (e *PACFetchError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("fetching PAC file %s: HTTP %d", e.URL, e.StatusCode)
	}
	return fmt.Sprintf("fetching PAC file %s: %v", e.URL, e.Err)
}

// Unwrap returns the cause.
func (e *PACFetchError) Unwrap() error { return e.Err }

// ConfigError is a proxy setting that is not a usable proxy URL. It names
// the setting, never its value (which may hold a password).
type ConfigError struct {
	Setting string // "proxy.url", "HTTPS_PROXY", …
	Reason  string
}

func (e *ConfigError) Error() string {
	return "proxy setting " + e.Setting + " is not a usable proxy URL: " + e.Reason
}

// parseProxyURL parses a proxy setting the way curl and Go do: a bare
// host:port means http://host:port. Only schemes Route.Dial speaks are
// accepted. Errors never contain raw (it may hold a password).
func parseProxyURL(setting, raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &ConfigError{Setting: setting, Reason: "it cannot be parsed as a URL"}
	}
	switch u.Scheme = strings.ToLower(u.Scheme); u.Scheme {
	case "http", "https", "socks5", "socks5h":
	case "socks":
		u.Scheme = "socks5"
	default:
		return nil, &ConfigError{Setting: setting, Reason: "scheme " + safeScheme(u.Scheme) + " is not supported (use http, https or socks5)"}
	}
	if u.Hostname() == "" {
		return nil, &ConfigError{Setting: setting, Reason: "it has no host name"}
	}
	if p := u.Port(); p == "" && strings.HasPrefix(u.Scheme, "socks") {
		u.Host += ":1080"
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment = "", "", "", ""
	return u, nil
}

// safeScheme bounds a scheme for messages: it is user input too.
func safeScheme(s string) string {
	if len(s) > 10 {
		s = s[:10] + "…"
	}
	return `"` + s + `"`
}

// redactURL drops user info (and anything unparsable) from a URL or path
// for display.
func redactURL(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User = nil
	return u.String()
}
