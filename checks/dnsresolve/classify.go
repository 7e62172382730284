package dnsresolve

import (
	"net/netip"

	"github.com/logindoctor/logindoctor/checks/netfail"
)

// The reason codes of dns.resolve.
const (
	CodeNXDomain      = netfail.DNSNXDomain
	CodeServFail      = netfail.DNSServFail
	CodeTimeout       = netfail.DNSTimeout
	CodeNoAddress     = netfail.DNSNoAddress
	CodeHostsOverride = "DNS_HOSTS_OVERRIDE"
	CodeMismatch      = "DNS_MISMATCH"
)

// kind is one answer's meaning.
type kind int

// Ordered by how much they say: a family with addresses beats a
// definitive "no such name", which beats a failing server, and so on.
const (
	kindNone      kind = iota // nothing asked
	kindNoAddress             // NOERROR without records
	kindTimeout               // no reply in time (or no way to ask)
	kindServFail              // SERVFAIL, REFUSED, another rcode or a malformed reply
	kindNXDomain              // NXDOMAIN
	kindOK                    // addresses
)

// view is the classified answer of one resolver (both families), or of
// the system's nameservers taken together.
type view struct {
	kind   kind
	addrs  []netip.Addr
	server string // the server whose answer decided
	rcode  string // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …
	detail string // "connection refused", "malformed reply", an error text
}

func (v view) code() string {
	switch v.kind {
	case kindOK, kindNone:
		return ""
	case kindNXDomain:
		return CodeNXDomain
	case kindServFail:
		return CodeServFail
	case kindTimeout:
		return CodeTimeout
	}
	return CodeNoAddress
}

// classifyAnswer says what one server's answer to one question means.
func classifyAnswer(a answer) view {
	v := view{rcode: a.Rcode, addrs: a.Addrs}
	switch {
	case a.Err != nil && a.Malformed:
		v.kind, v.detail = kindServFail, "malformed reply"
	case a.Err != nil && netfail.Refused(a.Err):
		v.kind, v.rcode, v.detail = kindServFail, "REFUSED", "connection refused"
	case a.Err != nil:
		v.kind, v.detail = kindTimeout, a.Err.Error()
	case a.Rcode == "NOERROR" && len(a.Addrs) > 0:
		v.kind = kindOK
	case a.Rcode == "NOERROR":
		v.kind = kindNoAddress
	case a.Rcode == "NXDOMAIN":
		v.kind = kindNXDomain
	default:
		v.kind = kindServFail
	}
	return v
}

// decisive reports an answer that settles the question (as opposed to a
// server failing to answer it), so later servers need not be consulted.
func (v view) decisive() bool {
	return v.kind == kindOK || v.kind == kindNoAddress || v.kind == kindNXDomain
}

// combineServers picks, per question, the first server (in resolv.conf
// order, as the system would try them) with a decisive answer, else the
// first failure, and merges the two questions.
func combineServers(answers [][2]answer, names []string) view {
	var perQ [2]view
	for q := range perQ {
		for i, a := range answers {
			v := classifyAnswer(a[q])
			v.server = names[i]
			if perQ[q].kind == kindNone || (v.decisive() && !perQ[q].decisive()) {
				perQ[q] = v
			}
		}
	}
	return mergeFamilies(perQ[0], perQ[1])
}

// mergeFamilies joins the A and AAAA views: any addresses make the name
// resolve; NXDOMAIN for either means the name does not exist; a server
// failure or timeout on either leaves it unknown; only two empty NOERRORs
// mean "exists without addresses".
func mergeFamilies(a, aaaa view) view {
	best := a
	if aaaa.kind == kindOK && a.kind != kindOK {
		best = aaaa
	}
	if best.kind != kindOK {
		for _, k := range []kind{kindNXDomain, kindServFail, kindTimeout} {
			if a.kind == k {
				best = a
				break
			}
			if aaaa.kind == k {
				best = aaaa
				break
			}
		}
	}
	best.addrs = append(append([]netip.Addr(nil), a.addrs...), aaaa.addrs...)
	return best
}

// classifySystemError reads the system resolver's error when no direct
// answer says more: Go merges NXDOMAIN and "no address" into not-found.
func classifySystemError(err error) view {
	v := view{detail: err.Error(), server: "system"}
	switch netfail.Lookup(err) {
	case CodeTimeout:
		v.kind = kindTimeout
	case CodeNXDomain:
		v.kind = kindNXDomain
	default:
		v.kind = kindServFail
	}
	return v
}
