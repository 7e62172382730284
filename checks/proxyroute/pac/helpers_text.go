package pac

// Glob is a shell-style match for the bypass lists of the system proxy
// settings: '*' is any run of characters (including '/'), '?' is one
// character, anything else is literal. It runs in O(len(str)·len(pat)) at
// worst and never backtracks exponentially. (PAC scripts get Chrome's own
// shExpMatch from library.js, which builds a regular expression.)
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
