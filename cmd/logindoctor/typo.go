package main

// Typos on the command line get a question back, not a diagnosis of the
// wrong thing: `logindoctor lsit` is no host called "lsit", and
// `logindoctor https//crm…` no company-internal host called "https".

import (
	"net/url"
	"strconv"
	"strings"
)

// maxTypoDistance is how many edits apart a word may be from a name to be
// taken for a typo of it.
const maxTypoDistance = 2

// editDistance is the Levenshtein distance between a and b, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest is the name nearest to word within maxTypoDistance ("" when none
// is), the first of equally near ones.
func closest(word string, names []string) string {
	best, bestD := "", maxTypoDistance+1
	for _, n := range names {
		if d := editDistance(strings.ToLower(word), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// nearCommand is the command a first argument was probably meant to be:
// a plain word (no dot, colon or slash, so no address) of 3 letters or
// more that is not a command but close to one.
func nearCommand(arg string, commands []string) string {
	if len(arg) < 3 || strings.ContainsAny(arg, ".:/") {
		return ""
	}
	for _, c := range commands {
		if arg == c {
			return ""
		}
	}
	return closest(arg, commands)
}

// addressProblem says what is wrong with an address typed by a person: a
// message ID of the catalog and its parameters ("" when it is usable).
// Single-label intranet names such as crm are fine.
func addressProblem(raw string) (string, map[string]any) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return "cli.url.no_host", nil
	case strings.ContainsAny(raw, " \t"):
		return "cli.url.spaces", nil
	}
	if fix := schemeTypo(raw); fix != "" {
		return "cli.url.scheme_typo", map[string]any{"fix": fix}
	}
	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	switch {
	case err != nil && strings.Contains(err.Error(), "port"):
		return "cli.url.bad_port", nil
	case err != nil || u.Hostname() == "":
		return "cli.url.no_host", nil
	case u.Scheme != "https" && u.Scheme != "http":
		return "cli.url.scheme", nil
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "cli.url.bad_port", nil
		}
	}
	return "", nil
}

// schemeTypo returns the address as it was probably meant when its scheme
// is mistyped — htps://, https//, http:/ — and "" otherwise. A host with a
// port (crm:8443) is no typo.
func schemeTypo(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme, rest := strings.ToLower(raw[:i]), raw[i+3:]
		if scheme == "http" || scheme == "https" {
			return ""
		}
		if fixed := nearScheme(scheme); fixed != "" {
			return fixed + "://" + rest
		}
		return ""
	}
	j := strings.IndexAny(raw, ":/")
	if j < 3 || (raw[0] != 'h' && raw[0] != 'H') {
		return ""
	}
	head, rest := strings.ToLower(raw[:j]), strings.TrimLeft(raw[j:], ":/")
	if raw[j] == ':' && isPort(raw[j+1:]) {
		return ""
	}
	fixed := nearScheme(head)
	if fixed == "" || rest == "" {
		return ""
	}
	return fixed + "://" + rest
}

// nearScheme is https or http when s is a typo of it: one edit away, or
// two for a word that starts with h (ftp is another scheme, not a typo).
func nearScheme(s string) string {
	fixed := closest(s, []string{"https", "http"})
	if fixed == "" || (editDistance(s, fixed) > 1 && !strings.HasPrefix(s, "h")) {
		return ""
	}
	return fixed
}

// isPort reports text that starts with a port number (8443, 8443/login).
func isPort(s string) bool {
	p, _, _ := strings.Cut(s, "/")
	_, err := strconv.Atoi(p)
	return p != "" && err == nil
}
