package main

// The value parsers of the configuration keys: each returns an error that
// resolve prefixes with the key's name.

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/viper"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/account"
	"github.com/logindoctor/logindoctor/checks/policy"
)

func toList(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return splitList(x), nil
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				return nil, errors.New("must be a list of plain values")
			}
			s, err := cast.ToStringE(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("must be a list, not %T", v)
}

func toDuration(v any) (time.Duration, error) {
	switch x := v.(type) {
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (use e.g. 30s, 2m)", x)
		}
		return d, nil
	case time.Duration:
		return x, nil
	case int, int64, float64:
		return 0, fmt.Errorf("%v has no unit (use e.g. 30s, 2m)", x)
	}
	return 0, fmt.Errorf("%v is not a duration (use e.g. 30s)", v)
}

func positive(d time.Duration, err error) (time.Duration, error) {
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s must be more than zero", d)
	}
	return d, nil
}

func nonNegativeInt(v any) (int, error) {
	switch x := v.(type) {
	case bool, []any, map[string]any:
		return 0, fmt.Errorf("%v is not a whole number", v)
	case float64:
		if x != math.Trunc(x) || x > math.MaxInt32 {
			return 0, fmt.Errorf("%v is not a whole number ≥ 0", v)
		}
	}
	n, err := cast.ToIntE(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%v is not a whole number ≥ 0", v)
	}
	return n, nil
}

func oneOf(s string, err error) func(allowed ...string) (string, error) {
	return func(allowed ...string) (string, error) {
		if err != nil {
			return "", err
		}
		s = strings.ToLower(strings.TrimSpace(s))
		if !slices.Contains(allowed, s) {
			return "", fmt.Errorf("%q is not one of %s", s, strings.Join(nonEmptyOnly(allowed), ", "))
		}
		return s, nil
	}
}

func nonEmptyOnly(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func nonEmpty(s string, err error) (string, error) {
	if err == nil && strings.TrimSpace(s) == "" {
		return "", errors.New("must not be empty")
	}
	return s, err
}

func listOf(list func(string) ([]string, error), key string, valid func(string) error) ([]string, error) {
	items, err := list(key)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if err := valid(it); err != nil {
			return nil, fmt.Errorf("%q: %v", it, err)
		}
	}
	return items, nil
}

// parseLoginURL accepts a URL or a bare host (→ https://host/).
func parseLoginURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a web address", raw)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%q: only https:// and http:// addresses can be checked", raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%q has no host name", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q has an invalid port", raw)
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

func validURL(s string) error {
	u, err := parseLoginURL(s)
	if err == nil && u == nil {
		return errors.New("empty address")
	}
	return err
}

func optionalURL(s string, err error) (string, error) {
	if err != nil || s == "" {
		return s, err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s):// address", s)
	}
	return s, nil
}

// accountURL is account.base_url: an http(s):// API or an ldaps:// or
// ldap:// directory (accountConsistency matches it to the provider).
func accountURL(s string, err error) (string, error) {
	if err != nil || s == "" {
		return s, err
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s):// or ldap(s):// address", s)
	}
	switch u.Scheme {
	case "http", "https", "ldap", "ldaps":
		return s, nil
	}
	return "", fmt.Errorf("%q is not an http(s):// or ldap(s):// address", s)
}

func proxyURL(s string, err error) (string, error) {
	if err != nil || s == "" {
		return s, err
	}
	u, perr := url.Parse(s)
	if perr != nil || u.Host == "" {
		return "", errors.New("is not a proxy address such as http://proxy.example.com:3128")
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return "", fmt.Errorf("scheme %q is not supported (http, https, socks5)", u.Scheme)
	}
	return s, nil
}

// validHostPort checks host:port (or a bare host when needPort is false).
func validHostPort(needPort bool) func(string) error {
	return func(s string) error {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			if needPort {
				return errors.New("must be host:port")
			}
			host, port = s, ""
		}
		if host == "" || strings.ContainsAny(host, "/ ") {
			return errors.New("has no valid host")
		}
		if port != "" {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return errors.New("has an invalid port")
			}
		}
		return nil
	}
}

func validCIDR(s string) error { return policy.ParseNetworks([]string{s}) }

func readableFile(path string, err error) (string, error) {
	if err != nil || path == "" {
		return path, err
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	return filepath.Clean(path), nil
}

func minVersions(v any) (map[string]int, error) {
	m, err := cast.ToStringMapE(v)
	if err != nil {
		return nil, errors.New("must map a browser (chrome, edge, firefox, chromium) to a major version")
	}
	out := map[string]int{}
	for k, val := range m {
		n, err := nonNegativeInt(val)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
		out[strings.ToLower(k)] = n
	}
	return out, nil
}

// genericStates are the states the generic provider maps values to.
func genericStates() []string {
	var out []string
	for _, k := range account.GenericStates() {
		out = append(out, string(k))
	}
	return out
}

func genericAccount(sub *viper.Viper) (checks.GenericAccount, error) {
	var g checks.GenericAccount
	if sub == nil {
		return g, nil
	}
	for _, k := range sub.AllKeys() {
		top, _, _ := strings.Cut(k, ".")
		if !slices.Contains([]string{"url", "auth_header", "status_path", "states"}, top) {
			return g, fmt.Errorf("unknown key %q (known: url, auth_header, status_path, states)", k)
		}
	}
	g.URL = sub.GetString("url")
	g.AuthHeader = sub.GetString("auth_header")
	g.StatusPath = sub.GetString("status_path")
	states, err := cast.ToStringMapStringE(sub.Get("states"))
	if err != nil && sub.Get("states") != nil {
		return g, errors.New("states must map values to states")
	}
	for val, state := range states {
		if !slices.Contains(genericStates(), state) {
			return g, fmt.Errorf("states: %q maps to %q, which is not one of %s", val, state, strings.Join(genericStates(), ", "))
		}
	}
	g.States = states
	return g, nil
}
