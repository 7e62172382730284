package dnsresolve

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// finding is one host's verdict, before the worst one becomes the Result.
type finding struct {
	code     string
	status   checks.Status
	severity checks.Severity
	owner    checks.Owner
	variant  string
	summary  string
	params   map[string]string
	evidence map[string]any
}

// judged is one host's facts, its finding and its evidence.
type judged struct {
	facts    HostFacts
	finding  finding
	evidence map[string]any
}

// judge turns one host's observation into facts and a finding.
func judge(o observation, nameservers, references []string) judged {
	hf := HostFacts{
		Host: o.host, Role: o.role, HostsFile: o.hosts,
		Route: o.route.String(), Proxied: !o.route.Direct(),
	}
	var direct view
	if len(o.direct) > 0 {
		direct = combineServers(o.direct, nameservers)
	}
	if direct.kind == kindOK {
		hf.DNSAddrs = direct.addrs
	}
	refs := make([]view, len(o.refs))
	for i := range o.refs {
		refs[i] = combineServers(o.refs[i:i+1], references[i:i+1])
	}
	ev := hostEvidence(o, direct, refs, references)

	var f finding
	if o.sysErr == nil && len(o.sysAddrs) > 0 {
		hf.Addrs = o.sysAddrs
		hf.HasA, hf.HasAAAA = families(o.sysAddrs)
		f = resolvedFinding(o, hf, direct, refs, references)
	} else {
		v := direct
		if v.kind == kindOK || v.kind == kindNone {
			err := o.sysErr
			if err == nil {
				err = errors.New("no addresses")
			}
			v = classifySystemError(err)
		}
		hf.HasA, hf.HasAAAA = families(direct.addrs)
		f = failedFinding(o, v)
	}
	known := hf.Addrs
	if len(known) == 0 {
		known = append(append([]netip.Addr(nil), o.hosts...), refAddrs(refs)...)
	}
	hf.Private = allPrivate(known)
	hf.Internal = hf.Private || internalName(o.host)
	if f.variant == "" && hf.Internal && f.status == checks.StatusFail && f.code != CodeHostsOverride {
		f.variant = "vpn"
	}
	hf.Code, hf.Status = f.code, f.status
	ev["code"] = f.code
	ev["a"], ev["aaaa"] = hf.HasA, hf.HasAAAA
	if hf.Private {
		ev["private"] = true
	}
	return judged{facts: hf, finding: f, evidence: ev}
}

// resolvedFinding checks a host the system resolves: a hosts file entry
// that DNS does not confirm, then reference resolvers that disagree.
func resolvedFinding(o observation, hf HostFacts, direct view, refs []view, references []string) finding {
	dnsAddrs := direct.addrs
	if direct.kind != kindOK {
		dnsAddrs = refAddrs(refs)
	}
	if len(o.hosts) > 0 && len(dnsAddrs) > 0 && !overlap(o.hosts, dnsAddrs) {
		return overrideFinding(o, dnsAddrs)
	}
	for i, r := range refs {
		if disagrees(r, o.sysAddrs) {
			return mismatchFinding(o, r, references[i])
		}
	}
	f := finding{code: checks.CodeOK, status: checks.StatusPass, severity: checks.SeverityInfo,
		summary: fmt.Sprintf("%s resolves to %s", o.host, joinAddrs(o.sysAddrs))}
	if len(o.hosts) > 0 && len(dnsAddrs) == 0 {
		f.summary += " (only through the hosts file)"
	}
	return f
}

// disagrees reports a reference answer that contradicts the system's: a
// definitive "no such name/no address", or addresses with none in common.
// A reference that did not answer says nothing (unknown is not fail).
func disagrees(r view, sys []netip.Addr) bool {
	switch r.kind {
	case kindNXDomain, kindNoAddress:
		return true
	case kindOK:
		return !overlap(r.addrs, sys)
	}
	return false
}

func overrideFinding(o observation, dnsAddrs []netip.Addr) finding {
	f := finding{
		code: CodeHostsOverride, status: checks.StatusFail, severity: checks.SeverityHigh, owner: checks.OwnerIT,
		summary: fmt.Sprintf("an entry in this computer's hosts file sends %s to %s instead of %s",
			o.host, joinAddrs(o.hosts), joinAddrs(dnsAddrs)),
		params: map[string]string{"host": o.host, "hosts_addr": joinAddrs(o.hosts),
			"dns_addrs": joinAddrs(dnsAddrs), "proxy": o.route.ProxyHost()},
		evidence: map[string]any{"hosts_file_addresses": addrStrings(o.hosts), "dns_addresses": addrStrings(dnsAddrs)},
	}
	if !o.route.Direct() {
		f.status, f.severity, f.variant = checks.StatusWarn, checks.SeverityLow, "split"
		f.summary += "; the browser goes through proxy " + o.route.ProxyHost() + ", which does not read it"
	}
	return f
}

// mismatchFinding: the system's answer differs from a reference
// resolver's. A warning (large services answer differently by place)
// unless the connect test shows the system's address dead and the
// reference's alive: then the wrong answer is why nothing connects.
func mismatchFinding(o observation, r view, ref string) finding {
	refAnswer := joinAddrs(r.addrs)
	if r.kind != kindOK {
		refAnswer = r.rcode
	}
	f := finding{
		code: CodeMismatch, status: checks.StatusWarn, severity: checks.SeverityLow, owner: checks.OwnerIT,
		summary: fmt.Sprintf("%s resolves to %s on this computer but to %s at reference resolver %s",
			o.host, joinAddrs(o.sysAddrs), refAnswer, ref),
		params: map[string]string{"host": o.host, "system_addrs": joinAddrs(o.sysAddrs),
			"reference": ref, "reference_addrs": refAnswer, "port": o.port, "unreachable": ""},
		evidence: map[string]any{"system_answer": addrStrings(o.sysAddrs),
			"reference_resolver": ref, "reference_answer": refAnswer},
	}
	if t := o.tried; t != nil {
		f.evidence["system_connect"] = t.sys + ": " + t.sysDetail
		f.evidence["reference_connect"] = t.ref + ": " + t.refDetail
	}
	if o.tried.wrong() {
		f.status, f.severity, f.variant = checks.StatusFail, checks.SeverityHigh, VariantWrongAddress
		if o.role == RoleLogin {
			f.severity = checks.SeverityCritical
		}
		f.params["unreachable"] = "yes"
		f.summary += fmt.Sprintf("; %s does not connect (%s) while the reference's %s does: the system's answer is wrong",
			o.tried.sys, o.tried.sysDetail, o.tried.ref)
	}
	return f
}

// VariantWrongAddress: DNS_MISMATCH whose system address does not connect
// while the reference's does (a fail).
const VariantWrongAddress = "wrong_address"

// failedFinding reports a host the system cannot resolve, classified by v.
// Behind a proxy the proxy resolves for the browser: only split DNS.
func failedFinding(o observation, v view) finding {
	code := v.code()
	f := finding{
		code: code, status: checks.StatusFail, severity: checks.SeverityHigh, owner: checks.OwnerIT,
		params:   map[string]string{"host": o.host, "proxy": o.route.ProxyHost()},
		evidence: map[string]any{},
	}
	if o.role == RoleLogin {
		f.severity = checks.SeverityCritical
		if code == CodeNXDomain {
			f.owner = checks.OwnerYou
		}
	}
	if v.rcode != "" {
		f.evidence["rcode"] = v.rcode
	}
	f.summary = failureSummary(o.host, v)
	if !o.route.Direct() {
		f.status, f.severity, f.variant = checks.StatusWarn, checks.SeverityLow, "split"
		f.summary = "the proxy resolves names for the browser; this computer cannot — split DNS (" + f.summary + ")"
	}
	return f
}

func failureSummary(host string, v view) string {
	from := ""
	if v.server != "" && v.server != "system" {
		from = " from " + v.server
	}
	switch v.kind {
	case kindNXDomain:
		return fmt.Sprintf("%s does not exist (NXDOMAIN%s)", host, from)
	case kindNoAddress:
		return fmt.Sprintf("%s exists in DNS but has no IPv4 or IPv6 address%s", host, from)
	case kindTimeout:
		return fmt.Sprintf("no DNS answer for %s in time%s: %s", host, from, v.detail)
	}
	what := v.rcode
	switch {
	case v.detail != "":
		what = v.detail
	case what == "":
		what = "SERVFAIL"
	}
	return fmt.Sprintf("the DNS server could not answer for %s (%s%s)", host, what, from)
}

// hostEvidence lists one host's facts for the helpdesk.
func hostEvidence(o observation, direct view, refs []view, references []string) map[string]any {
	ev := map[string]any{"host": o.host, "role": string(o.role), "route": o.route.String(),
		"addresses": addrStrings(o.sysAddrs)}
	if o.routeErr != nil {
		ev["route_error"] = o.routeErr.Error()
	}
	if o.sysErr != nil {
		ev["system_error"] = o.sysErr.Error()
	}
	if direct.kind != kindNone {
		ev["resolver"] = direct.server
		ev["rcode"] = direct.rcode
		ev["dns_addresses"] = addrStrings(direct.addrs)
		if direct.detail != "" {
			ev["dns_detail"] = direct.detail
		}
		if usedTCP(o.direct) {
			ev["tcp_fallback"] = true
		}
	}
	if len(o.hosts) > 0 {
		ev["hosts_file"] = addrStrings(o.hosts)
	}
	if len(refs) > 0 {
		answers := map[string]string{}
		for i, r := range refs {
			answers[references[i]] = describe(r)
		}
		ev["reference_answers"] = answers
	}
	return ev
}

func describe(v view) string {
	switch v.kind {
	case kindOK:
		return joinAddrs(v.addrs)
	case kindTimeout:
		return "no answer"
	}
	if v.detail != "" {
		return v.rcode + " " + v.detail
	}
	return v.rcode
}

func usedTCP(answers [][2]answer) bool {
	for _, a := range answers {
		if a[0].TCP || a[1].TCP {
			return true
		}
	}
	return false
}

func refAddrs(refs []view) []netip.Addr {
	for _, r := range refs {
		if r.kind == kindOK {
			return r.addrs
		}
	}
	return nil
}

func joinAddrs(addrs []netip.Addr) string {
	if len(addrs) == 0 {
		return "nothing"
	}
	return strings.Join(addrStrings(addrs), ", ")
}
