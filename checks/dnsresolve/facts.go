package dnsresolve

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// Role says why a host is checked.
type Role string

// The roles, in the order the report names them.
const (
	RoleLogin    Role = "login"    // the CRM's login URL
	RoleEndpoint Role = "endpoint" // an `endpoints` entry
	RoleRegion   Role = "region"   // a `regions` URL
)

// Facts is dns.resolve's Result.Data: the classified facts of every host,
// the login host first. net.reach connects to the addresses found here.
type Facts struct {
	Hosts []HostFacts
}

// HostFacts is what one host name resolved to and why not.
type HostFacts struct {
	Host string
	Role Role
	// Code is CodeOK or the DNS_* code found for this host; Status is how
	// it counts (a failure behind a proxy only warns: split DNS).
	Code   string
	Status checks.Status
	// Addrs are the system resolver's answer: the addresses the browser
	// would connect to (hosts file included).
	Addrs []netip.Addr
	// DNSAddrs are the system's nameservers' answer when asked directly.
	DNSAddrs []netip.Addr
	// HostsFile are the hosts file's addresses for this name.
	HostsFile []netip.Addr
	// HasA and HasAAAA say which address families exist.
	HasA, HasAAAA bool
	// Private reports that every address is private (RFC 1918 or ULA).
	Private bool
	// Internal reports an internal-only host: private addresses, or a
	// name that only a company network knows (single label, .corp, .lan…).
	Internal bool
	// Route is how the browser gets there: "direct" or "via proxy …".
	Route string
	// Proxied reports that a proxy connects (and resolves) for the browser.
	Proxied bool
}

// FactsFrom is dns.resolve's Result.Data among a dependent check's deps:
// the facts of every host, if dns.resolve ran and got as far as judging.
func FactsFrom(deps checks.Deps) (Facts, bool) {
	f, ok := deps[ID].Data.(Facts)
	return f, ok
}

// Lookup returns the facts of host (case-insensitive).
func (f Facts) Lookup(host string) (HostFacts, bool) {
	host = normName(host)
	for _, h := range f.Hosts {
		if h.Host == host {
			return h, true
		}
	}
	return HostFacts{}, false
}

// Resolved reports whether the host has addresses to connect to.
func (h HostFacts) Resolved() bool { return len(h.Addrs) > 0 }

// allPrivate reports whether addrs is non-empty and every one is private.
func allPrivate(addrs []netip.Addr) bool {
	for _, a := range addrs {
		if !a.IsPrivate() {
			return false
		}
	}
	return len(addrs) > 0
}

// internalName reports whether host looks like a company-internal name:
// endings that public DNS never answers, reachable only inside the company
// network or over VPN.
func internalName(host string) bool {
	if !strings.Contains(host, ".") {
		return true
	}
	for _, s := range []string{".local", ".lan", ".corp", ".internal", ".intranet", ".intra", ".home.arpa", ".localdomain", ".private"} {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

func families(addrs []netip.Addr) (v4, v6 bool) {
	for _, a := range addrs {
		if a.Is4() || a.Is4In6() {
			v4 = true
		} else {
			v6 = true
		}
	}
	return v4, v6
}

// maxShownAddrs bounds the addresses a report lists per answer: a hostile
// resolver can answer with thousands.
const maxShownAddrs = 16

// addrStrings lists addrs for a report, at most maxShownAddrs of them and
// then how many more there were.
func addrStrings(addrs []netip.Addr) []string {
	n := min(len(addrs), maxShownAddrs)
	out := make([]string, n, n+1)
	for i, a := range addrs[:n] {
		out[i] = a.String()
	}
	if more := len(addrs) - n; more > 0 {
		out = append(out, fmt.Sprintf("(+%d more)", more))
	}
	return out
}

func overlap(a, b []netip.Addr) bool {
	for _, x := range a {
		if containsAddr(b, x) {
			return true
		}
	}
	return false
}
