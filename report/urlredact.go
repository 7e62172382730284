package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// RedactedValue replaces a query value, a fragment or user info of a URL.
const RedactedValue = "…"

// urlPattern finds URLs in free text: a scheme, "://", then everything up
// to white space, a quote, a backslash or an angle bracket.
var urlPattern = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]{0,31}://[^\s"'<>\\` + "`" + `]+`)

// RedactURLs hides, in every URL found in s, the user info, the value of
// every query parameter (its name stays: "?token=…&tenant=…") and the
// fragment. Login links carry one-time codes, tokens and tenant keys there.
func RedactURLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlPattern.ReplaceAllStringFunc(s, func(m string) string {
		body := strings.TrimRight(m, ".,;:!)]}")
		return redactURL(body) + m[len(body):]
	})
}

// redactURL redacts one URL (see RedactURLs).
func redactURL(u string) string {
	rest, frag, hasFrag := strings.Cut(u, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	if scheme, after, ok := strings.Cut(rest, "://"); ok {
		authority, path, hasPath := strings.Cut(after, "/")
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			authority = RedactedValue + authority[at:]
		}
		rest = scheme + "://" + authority
		if hasPath {
			rest += "/" + path
		}
	}
	if hasQuery {
		rest += "?" + redactQuery(query)
	}
	if hasFrag && frag != "" {
		rest += "#" + RedactedValue
	}
	return rest
}

// redactQuery keeps each parameter's name and hides its value; a bare
// parameter without "=" may itself be a secret and is hidden whole.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if p == "" {
			continue
		}
		if name, _, ok := strings.Cut(p, "="); ok {
			parts[i] = name + "=" + RedactedValue
		} else {
			parts[i] = RedactedValue
		}
	}
	return strings.Join(parts, "&")
}

// redactEvidence returns evidence with RedactURLs applied to every string
// in it, however deeply nested. Values of other types (a check's own
// structs) are redacted through their JSON form, which is kept only when
// something changed, so unchanged evidence keeps its types and field order.
func redactEvidence(ev map[string]any) map[string]any {
	out := make(map[string]any, len(ev))
	for k, v := range ev {
		out[k] = mapStrings(v, RedactURLs)
	}
	return out
}

// mapStrings applies f to every string inside v.
func mapStrings(v any, f func(string) string) any {
	switch t := v.(type) {
	case nil, bool, json.Number, float64, float32, int, int64, int32, uint, uint64, uint32:
		return v
	case string:
		return f(t)
	case []string:
		out := make([]string, len(t))
		for i, s := range t {
			out[i] = f(s)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = mapStrings(x, f)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(t))
		for k, s := range t {
			out[f(k)] = f(s)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[f(k)] = mapStrings(x, f)
		}
		return out
	}
	return mapJSON(v, f)
}

// mapJSON applies f to the strings of v's JSON form: v itself when f
// changes nothing, else the decoded, mapped value.
func mapJSON(v any, f func(string) string) any {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return f(compactJSON(v))
	}
	var generic any
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return v
	}
	changed := false
	mapped := mapStrings(generic, func(s string) string {
		out := f(s)
		changed = changed || out != s
		return out
	})
	if !changed {
		return v
	}
	return mapped
}
