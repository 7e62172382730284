package pac

import "strings"

// isPlainHostName: the host has no dot (an unqualified name).
func isPlainHostName(host string) bool { return !strings.Contains(host, ".") }

// dnsDomainIs: host ends with domain (case-insensitive, like DNS).
func dnsDomainIs(host, domain string) bool {
	return len(host) >= len(domain) && strings.EqualFold(host[len(host)-len(domain):], domain)
}

// localHostOrDomainIs: host is hostdom exactly, or host is unqualified and
// hostdom starts with host + ".".
func localHostOrDomainIs(host, hostdom string) bool {
	if strings.EqualFold(host, hostdom) {
		return true
	}
	return !strings.Contains(host, ".") && len(hostdom) > len(host) &&
		strings.EqualFold(hostdom[:len(host)+1], host+".")
}

// dnsDomainLevels is the number of dots in host.
func dnsDomainLevels(host string) int { return strings.Count(host, ".") }

// Glob is PAC's shExpMatch, also used for the bypass lists of the system
// proxy settings: '*' is any run of characters (including '/'), '?' is one
// character, anything else is literal. It runs in O(len(str)·len(pat)) at
// worst and never backtracks exponentially.
func Glob(str, pat string) bool {
	s, p := []rune(str), []rune(pat)
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
