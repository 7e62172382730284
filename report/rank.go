package report

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// explanation says that a cause finding probably explains a symptom
// finding: fix the cause first and the symptom is likely to go away.
type explanation struct {
	name    string
	cause   pattern
	symptom pattern
	// fits, when set, must also hold for the pair (facts beyond codes).
	fits func(cause, symptom Entry) bool
}

// pattern matches findings. Empty Checks or Codes match anything; a code
// ending in "*" matches by prefix. FailOnly ignores warnings and errors.
type pattern struct {
	Checks   []string
	Codes    []string
	FailOnly bool
}

// explanations is the one table of root-cause rules. Order matters only for
// picking the explainer when several apply; results are then followed up to
// their root.
func explanations() []explanation {
	anyDownstream := []string{"NET_*", "TLS_*", "HTTP_*", "BROWSER_*"}
	return []explanation{
		{"a Wi-Fi sign-in page (captive portal) intercepts everything until the person signs in",
			pattern{Checks: []string{"net.reach"}, Codes: []string{"NET_CAPTIVE_PORTAL"}},
			pattern{Codes: []string{"DNS_*", "NET_*", "TLS_*", "HTTP_*", "BROWSER_*", "ACCOUNT_API_UNREACHABLE", "POLICY_IP_*"}}, nil},
		{"a wrong DNS answer sends every connection to an address that does not answer",
			pattern{Checks: []string{"dns.resolve"}, Codes: []string{"DNS_MISMATCH"}, FailOnly: true},
			pattern{Codes: anyDownstream}, nil},
		{"a wrong clock makes valid certificates look expired or not yet valid",
			pattern{Checks: []string{"clock.skew"}, Codes: []string{"CLOCK_SKEW", "CLOCK_SKEW_WARN"}},
			pattern{Codes: []string{"TLS_EXPIRED", "TLS_NOT_YET_VALID", "BROWSER_CERT_ERROR"}}, clockFits},
		{"a hosts-file entry sends the browser to the wrong server",
			pattern{Checks: []string{"dns.resolve"}, Codes: []string{"DNS_HOSTS_OVERRIDE"}},
			pattern{Codes: anyDownstream}, nil},
		{"no name lookup or no usable proxy: nothing after it can work",
			pattern{Checks: []string{"dns.resolve", "proxy.route"}, FailOnly: true},
			pattern{Codes: anyDownstream}, nil},
		{"an unreachable server explains TLS, HTTP and browser failures",
			pattern{Checks: []string{"net.reach"}, FailOnly: true},
			pattern{Codes: []string{"TLS_*", "HTTP_*", "BROWSER_*"}}, nil},
		{"a bad certificate explains the browser's certificate error and HTTP failures",
			pattern{Checks: []string{"tls.certificate"}, FailOnly: true},
			pattern{Codes: []string{"BROWSER_CERT_ERROR", "HTTP_*"}}, nil},
		{"a company inspection CA explains the browser's certificate error",
			pattern{Codes: []string{"TLS_INTERCEPTED"}},
			pattern{Codes: []string{"BROWSER_CERT_ERROR"}}, nil},
		{"a path-MTU black hole stalls every large transfer from that host: pages, downloads, the browser",
			pattern{Checks: []string{"tls.certificate"}, Codes: []string{"NET_PATH_MTU"}, FailOnly: true},
			pattern{Codes: []string{"HTTP_*", "BROWSER_*", "NET_SLOW_LINK", "NET_PACKET_LOSS"}}, sameHost},
		{"a server that admits only managed devices refuses the browser and the page",
			pattern{Codes: []string{"TLS_CLIENT_CERT_REQUIRED"}, FailOnly: true},
			pattern{Codes: []string{"BROWSER_*", "HTTP_*"}}, nil},
		{"a chain without its intermediate is untrusted by clients that do not fetch it (Go, curl, apps)",
			pattern{Checks: []string{"tls.certificate"}, Codes: []string{"TLS_INCOMPLETE_CHAIN"}},
			pattern{Checks: []string{"http.login"}, Codes: []string{"TLS_UNTRUSTED"}}, sameHost},
	}
}

// clockFits says whether the clock's offset can explain a certificate's
// validity finding: a fast clock makes certificates look expired, a slow
// one not yet valid, and only by about as many days as the clock is off.
// Without the facts (an older report) the rule holds as before.
func clockFits(clock, cert Entry) bool {
	skew, ok := number(clock.Evidence["skew_s"])
	if !ok {
		return true
	}
	switch cert.Code {
	case "TLS_EXPIRED", "TLS_NOT_YET_VALID":
		if (cert.Code == "TLS_EXPIRED") != (skew > 0) {
			return false
		}
		days, err := strconv.Atoi(cert.Params["days"])
		return err != nil || float64(days) <= math.Abs(skew)/86400+1
	case "BROWSER_CERT_ERROR":
		return strings.Contains(cert.Params["error"], "DATE")
	}
	return true
}

// sameHost holds when both findings name the same host, or either names
// none (an older report, or a finding that is not about one host).
func sameHost(cause, symptom Entry) bool {
	a, b := cause.Params["host"], symptom.Params["host"]
	return a == "" || b == "" || strings.EqualFold(a, b)
}

// number reads a JSON-ish number (float64 after a JSON round trip).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func (p pattern) matches(e Entry) bool {
	if !e.actionable() || (p.FailOnly && e.Status != checks.StatusFail) {
		return false
	}
	return matchAny(p.Checks, e.Check) && matchAny(p.Codes, e.Code)
}

func matchAny(patterns []string, s string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); (ok && strings.HasPrefix(s, prefix)) || p == s {
			return true
		}
	}
	return false
}

// rootOnly is a code no rule may explain: a captive portal breaks the very
// checks that would otherwise claim to explain it (it makes name lookups
// and the reference resolvers answer wrongly too).
const rootOnly = "NET_CAPTIVE_PORTAL"

// explains reports whether cause probably explains symptom.
func explains(table []explanation, cause, symptom Entry) bool {
	if symptom.Code == rootOnly {
		return false
	}
	for _, x := range table {
		if x.cause.matches(cause) && x.symptom.matches(symptom) && (x.fits == nil || x.fits(cause, symptom)) {
			return true
		}
	}
	return false
}

// rootCauses returns, for every entry, the index of the root cause that
// explains it, or -1 when it is a root cause (or not actionable).
func rootCauses(entries []Entry) []int {
	table := explanations()
	parent := make([]int, len(entries))
	for i := range entries {
		parent[i] = -1
		for j := range entries {
			if i != j && explains(table, entries[j], entries[i]) {
				parent[i] = j
				break
			}
		}
	}
	root := make([]int, len(entries))
	for i := range entries {
		root[i] = followToRoot(parent, i)
	}
	return root
}

// followToRoot walks parent links from i; a cycle (which the table should
// never create) makes i its own root.
func followToRoot(parent []int, i int) int {
	seen := map[int]bool{i: true}
	cur := parent[i]
	for cur >= 0 && parent[cur] >= 0 {
		if seen[cur] {
			return -1
		}
		seen[cur] = true
		cur = parent[cur]
	}
	if cur >= 0 && seen[cur] {
		return -1
	}
	return cur
}

// rankFixes returns one fix per actionable entry, ranked: root causes
// before symptoms, then the guide's stage order, then severity (critical
// first), then registry order. Titles and steps are filled by Localize.
func rankFixes(entries []Entry) []Fix {
	root := rootCauses(entries)
	var idx []int
	for i, e := range entries {
		if e.actionable() {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ea, eb := entries[idx[a]], entries[idx[b]]
		if sa, sb := root[idx[a]] >= 0, root[idx[b]] >= 0; sa != sb {
			return !sa
		}
		if ia, ib := stageOrder(ea.Stage), stageOrder(eb.Stage); ia != ib {
			return ia < ib
		}
		return ea.Severity.Rank() > eb.Severity.Rank()
	})
	fixes := make([]Fix, 0, len(idx))
	for n, i := range idx {
		e := entries[i]
		f := Fix{Rank: n + 1, Check: e.Check, Code: e.Code, Severity: e.Severity, Owner: e.Owner, Steps: []string{}}
		if root[i] >= 0 {
			f.ExplainedBy = entries[root[i]].Check
		}
		fixes = append(fixes, f)
	}
	return fixes
}

// stageOrder puts unknown stages after the guide's.
func stageOrder(s checks.Stage) int {
	if i := s.Index(); i >= 0 {
		return i
	}
	return len(checks.Stages)
}
