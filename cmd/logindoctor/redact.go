package main

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"slices"
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
	r.addToken(s.Target.Account.Token)
	r.addToken(s.Helpdesk.Token)
	r.addURL(s.Target.Proxy.URL)
	r.addURL(s.Target.Proxy.PACURL)
	if s.Target.URL != nil {
		r.addURLParams(s.Target.URL.String())
	}
	r.addURLParams(s.Target.Proxy.PACURL)
	for _, v := range proxyEnvVars {
		r.addURL(getenv(v))
	}
	// Longest first, so a secret that contains another is removed whole.
	sort.Slice(r.secrets, func(i, j int) bool {
		a, b := r.secrets[i], r.secrets[j]
		return len(a) > len(b) || len(a) == len(b) && a < b
	})
	r.secrets = slices.Compact(r.secrets)
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

// addToken registers an API token in every form an API may echo it:
// plain, URL-encoded (query and path), base64 (standard and URL alphabets,
// padded or not, alone or after "Bearer "), and the part of its base64
// that stays the same wherever it sits inside a longer base64 string
// (e.g. basic auth's base64 of "user:token").
func (r *redactor) addToken(token string) {
	if len(token) < 4 {
		return
	}
	forms := []string{token, url.QueryEscape(token), url.PathEscape(token)}
	for _, plain := range []string{token, "Bearer " + token} {
		for _, enc := range base64Encodings() {
			forms = append(forms, enc.EncodeToString([]byte(plain)))
		}
	}
	forms = append(forms, base64Cores(token)...)
	for _, f := range forms {
		r.add(f)
	}
}

// base64Encodings are the alphabets and paddings base64 comes in.
func base64Encodings() []*base64.Encoding {
	return []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding}
}

// minCore is the shortest base64 core worth scrubbing: shorter ones could
// match unrelated text.
const minCore = 8

// base64Cores returns, for each of the three byte alignments a secret can
// have inside a longer base64 string, the characters of its encoding that
// depend on the secret alone (in both alphabets, raw and query-escaped).
func base64Cores(secret string) []string {
	var out []string
	n := len(secret)
	for k := 0; k < 3; k++ {
		enc := base64.RawStdEncoding.EncodeToString(append(make([]byte, k), secret...))
		from, to := (8*k+5)/6, 8*(k+n)/6 // first char free of prefix bits; first char touching what follows
		if to-from < minCore {
			continue
		}
		core := enc[from:to]
		urlCore := strings.NewReplacer("+", "-", "/", "_").Replace(core)
		out = append(out, core, urlCore, url.QueryEscape(core))
	}
	return out
}

// minURLValue is the shortest query value or fragment of the login or PAC
// URL that is scrubbed: shorter values ("en", "1") are not secrets, and
// scrubbing them would mangle ordinary words.
const minURLValue = 8

// addURLParams registers the query values and the fragment of a URL the
// user configured (the login URL, the PAC URL): they often carry tokens,
// one-time codes or tenant keys that a page may echo (Chrome's console, a
// redirect). Values that also occur in the URL's host or path are kept, so
// the URL itself stays readable.
func (r *redactor) addURLParams(raw string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.RawQuery == "" && u.Fragment == "") {
		return
	}
	visible := u.Host + u.EscapedPath()
	var values []string
	for _, part := range []string{u.RawQuery, u.EscapedFragment()} {
		if part == "" {
			continue
		}
		values = append(values, part)
		for _, kv := range strings.FieldsFunc(part, func(c rune) bool { return c == '&' || c == ';' }) {
			_, v, ok := strings.Cut(kv, "=")
			if !ok {
				v = kv
			}
			values = append(values, v)
			if dec, err := url.QueryUnescape(v); err == nil {
				values = append(values, dec, url.PathEscape(dec))
			}
		}
	}
	for _, v := range values {
		if len(v) >= minURLValue && !strings.Contains(visible, v) {
			r.add(v)
		}
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
