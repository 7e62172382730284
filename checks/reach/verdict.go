package reach

import (
	"fmt"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
)

// finding is one endpoint's verdict before the worst becomes the Result.
type finding struct {
	status   checks.Status
	severity checks.Severity
	owner    checks.Owner
	variant  string
	summary  string
}

// verdict turns the endpoints' facts into one Result: the worst finding
// (fail before warn, then severity, then the login host first), every
// endpoint as evidence, the fastest region named.
func verdict(eps []EndpointFacts, wait time.Duration, facts *dnsresolve.Facts) checks.Result {
	fastest := fastestRegion(eps)
	regionOK := fastest >= 0
	worst, worstF := -1, finding{status: checks.StatusPass}
	var problems, unresolved []string
	for i, e := range eps {
		f := judge(e, wait, facts, regionOK)
		if e.Code != checks.CodeOK && f.status == checks.StatusPass {
			unresolved = append(unresolved, e.Endpoint+" ("+e.Code+")")
		}
		if f.status != checks.StatusPass {
			problems = append(problems, e.Endpoint+": "+e.Code)
			if worst < 0 || worse(f, worstF) {
				worst, worstF = i, f
			}
		}
	}
	var res checks.Result
	if worst < 0 {
		res = checks.Pass(passSummary(eps, fastest, unresolved))
		for _, e := range eps {
			if e.Reachable() {
				res = withEndpoint(res, e)
				break
			}
		}
	} else {
		e := eps[worst]
		res = checks.Finding(worstF.status, e.Code, worstF.severity, worstF.owner, worstF.summary)
		res.Variant = worstF.variant
		res.Params = params(e, wait)
		res = withEndpoint(res, e)
	}
	res = res.With("endpoints", endpointEvidence(eps)).With("timeout_ms", wait.Milliseconds())
	if len(problems) > 1 {
		res = res.With("problems", problems)
	}
	if len(unresolved) > 0 {
		res = res.With("unresolved", unresolved)
	}
	data := Facts{Endpoints: eps}
	if fastest >= 0 {
		data.Fastest = eps[fastest].Name
		res = res.With("fastest_region", eps[fastest].Name).
			With("fastest_region_ms", eps[fastest].Elapsed.Milliseconds()).
			WithParam("fastest", eps[fastest].Name)
	}
	res.Data = data
	return res
}

// judge says how one endpoint counts. A host dns.resolve already reported
// as unresolvable is not counted twice.
func judge(e EndpointFacts, wait time.Duration, facts *dnsresolve.Facts, regionOK bool) finding {
	if e.Code == checks.CodeOK || (facts != nil && strings.HasPrefix(e.Code, "DNS_")) {
		return finding{status: checks.StatusPass}
	}
	f := finding{status: checks.StatusFail, severity: checks.SeverityHigh, owner: checks.OwnerIT,
		summary: failureSummary(e, wait)}
	switch {
	case e.Role == "login":
		f.severity = checks.SeverityCritical
	case e.Role == "region" && regionOK:
		f.status, f.severity = checks.StatusWarn, checks.SeverityLow
	}
	switch {
	case strings.HasPrefix(e.Code, "DNS_"):
	case e.Proxied:
		f.variant = "proxy"
	case e.Private || internal(e.Host, facts):
		f.variant, f.owner = "vpn", checks.OwnerYou
	}
	return f
}

// internal reports a host dns.resolve found internal-only.
func internal(host string, facts *dnsresolve.Facts) bool {
	if facts == nil {
		return false
	}
	hf, ok := facts.Lookup(host)
	return ok && hf.Internal
}

func worse(a, b finding) bool { return checks.Worse(a.status, a.severity, b.status, b.severity) }

// fastestRegion is the index of the reachable region that connected
// fastest, or -1.
func fastestRegion(eps []EndpointFacts) int {
	best := -1
	for i, e := range eps {
		if e.Role == "region" && e.Reachable() && (best < 0 || e.Elapsed < eps[best].Elapsed) {
			best = i
		}
	}
	return best
}

func params(e EndpointFacts, wait time.Duration) map[string]string {
	return map[string]string{"host": e.Host, "port": e.Port, "endpoint": e.Endpoint,
		"proxy": e.Proxy, "timeout": wait.Round(100 * time.Millisecond).String()}
}

func failureSummary(e EndpointFacts, wait time.Duration) string {
	if strings.HasPrefix(e.Code, "DNS_") {
		return fmt.Sprintf("%s does not resolve (%s), so %s cannot be reached", e.Host, e.Code, e.Endpoint)
	}
	a := e.Attempts[0]
	at := fmt.Sprintf(" (%s, %s)", a.Address, e.Route)
	if e.Proxied {
		at = fmt.Sprintf(" (%s; %s)", a.Detail, e.Route)
	}
	switch e.Code {
	case CodeRefused:
		if a.Detail == "reset" {
			return e.Endpoint + " reset the connection" + at
		}
		return e.Endpoint + " refused the connection" + at
	case CodeTimeout:
		return fmt.Sprintf("no answer from %s within %s — filtered: a firewall drops the traffic%s",
			e.Endpoint, wait.Round(10*time.Millisecond), at)
	case CodeUnreachable:
		return fmt.Sprintf("no route to %s: %s%s", e.Endpoint, a.Detail, at)
	}
	return fmt.Sprintf("cannot connect to %s: %s%s", e.Endpoint, a.Detail, at)
}

func passSummary(eps []EndpointFacts, fastest int, unresolved []string) string {
	first := -1
	for i, e := range eps {
		if e.Reachable() {
			first = i
			break
		}
	}
	if first < 0 {
		return "no endpoint could be tried: " + strings.Join(unresolved, ", ")
	}
	l := eps[first]
	s := fmt.Sprintf("%s reachable over %s in %s (%s)", l.Endpoint, l.Family, roundMS(l.Elapsed), l.Route)
	if l.FailedFamily != "" {
		s += fmt.Sprintf("; %s did not connect (%s), browsers fall back to %s as this check did", l.FailedFamily, l.FailedCode, l.Family)
	}
	if n := len(eps) - len(unresolved); n > 1 {
		s = fmt.Sprintf("all %d endpoints reachable; %s", n, s)
	}
	if fastest >= 0 {
		s += fmt.Sprintf("; fastest region %s (%s)", eps[fastest].Name, roundMS(eps[fastest].Elapsed))
	}
	if len(unresolved) > 0 {
		s += "; not tried (see dns.resolve): " + strings.Join(unresolved, ", ")
	}
	return s
}

func roundMS(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// withEndpoint puts e's facts at the top of the evidence.
func withEndpoint(res checks.Result, e EndpointFacts) checks.Result {
	for k, v := range endpointMap(e) {
		if k != "attempts" {
			res = res.With(k, v)
		}
	}
	return res
}

func endpointEvidence(eps []EndpointFacts) []map[string]any {
	out := make([]map[string]any, len(eps))
	for i, e := range eps {
		out[i] = endpointMap(e)
	}
	return out
}

func endpointMap(e EndpointFacts) map[string]any {
	m := map[string]any{"endpoint": e.Endpoint, "host": e.Host, "port": e.Port, "role": e.Role,
		"route": e.Route, "code": e.Code}
	if e.Reachable() {
		m["family"], m["address"], m["elapsed_ms"] = e.Family, e.Address, e.Elapsed.Milliseconds()
		if e.FailedFamily != "" {
			m["failed_family"], m["failed_family_code"] = e.FailedFamily, e.FailedCode
		}
	}
	if e.Private {
		m["private"] = true
	}
	if len(e.Attempts) > 0 {
		m["detail"] = e.Attempts[0].Detail
		attempts := make([]map[string]any, len(e.Attempts))
		for i, a := range e.Attempts {
			attempts[i] = map[string]any{"address": a.Address, "family": a.Family, "code": a.Code,
				"elapsed_ms": a.Elapsed.Milliseconds()}
			if a.Detail != "" {
				attempts[i]["detail"] = a.Detail
			}
		}
		m["attempts"] = attempts
	}
	if m["detail"] == "" {
		delete(m, "detail")
	}
	return m
}
