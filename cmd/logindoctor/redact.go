package main

import (
	"bytes"
	"net/url"
	"sort"
	"strings"
)

// redacted replaces every secret in any output.
const redacted = "[REDACTED]"

// redactor scrubs known secret values (the account token, proxy passwords,
// credentials embedded in URLs) from everything logindoctor writes — a last
// line of defence behind checks that never put secrets in results at all.
type redactor struct{ secrets []string }

// proxyEnvVars are the variables whose URLs may carry proxy credentials.
var proxyEnvVars = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"}

func newRedactor(s *settings, getenv func(string) string) *redactor {
	r := &redactor{}
	r.add(s.Target.Account.Token)
	r.addURL(s.Target.Proxy.URL)
	r.addURL(s.Target.Proxy.PACURL)
	for _, v := range proxyEnvVars {
		r.addURL(getenv(v))
	}
	// Longest first, so a secret that contains another is removed whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	return r
}

func (r *redactor) add(secret string) {
	// Very short values would scrub ordinary words; tokens are long.
	if len(secret) >= 4 {
		r.secrets = append(r.secrets, secret)
	}
}

// addURL registers a URL's password (and its user:password pair).
func (r *redactor) addURL(raw string) {
	if raw == "" {
		return
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return
	}
	if pw, ok := u.User.Password(); ok {
		r.add(pw)
		r.add(url.QueryEscape(pw))
		r.add(u.User.String())
	}
}

// scrub returns data with every secret replaced.
func (r *redactor) scrub(data []byte) []byte {
	for _, s := range r.secrets {
		data = bytes.ReplaceAll(data, []byte(s), []byte(redacted))
	}
	return data
}

// redactURL removes user info from a URL for display.
func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if strings.Contains(raw, "@") {
			return redacted
		}
		return raw
	}
	u.User = url.User(redacted)
	return u.String()
}
