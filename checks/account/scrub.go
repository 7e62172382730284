package account

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/logindoctor/logindoctor/checks"
)

// maxEvidenceText bounds every string the check reports.
const maxEvidenceText = 300

// authValue matches credentials after an auth scheme, in case a server
// echoed a header into something the check reports.
var authValue = regexp.MustCompile(`\b(SSWS|Bearer|Basic|ssws|bearer|BEARER)(\s+)[^\s"',;}\]]+`)

// scrub removes the token (and anything that looks like an auth header
// value) from every string of the result, and bounds their length.
func scrub(r checks.Result, token string) checks.Result {
	clean := func(s string) string {
		if len(token) >= 4 {
			s = strings.ReplaceAll(s, token, "[redacted]")
		}
		s = authValue.ReplaceAllString(s, "$1$2[redacted]")
		return truncateRunes(s, maxEvidenceText)
	}
	r.Summary = clean(r.Summary)
	if r.Params != nil {
		p := make(map[string]string, len(r.Params))
		for k, v := range r.Params {
			p[k] = clean(v)
		}
		r.Params = p
	}
	if r.Evidence != nil {
		ev := make(map[string]any, len(r.Evidence))
		for k, v := range r.Evidence {
			ev[k] = scrubValue(v, clean)
		}
		r.Evidence = ev
	}
	return r
}

func scrubValue(v any, clean func(string) string) any {
	switch t := v.(type) {
	case string:
		return clean(t)
	case []string:
		out := make([]string, len(t))
		for i, s := range t {
			out[i] = clean(s)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = scrubValue(x, clean)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = scrubValue(x, clean)
		}
		return out
	case error:
		return clean(t.Error())
	}
	return v
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
