package reach

import (
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// Facts is net.reach's Result.Data: how every endpoint was reached.
type Facts struct {
	Endpoints []EndpointFacts
	// Fastest is the fastest reachable region's URL ("" without regions).
	Fastest string
}

// EndpointFacts is what connecting to one host:port showed.
type EndpointFacts struct {
	// Endpoint is host:port; Name is what was configured (a URL for a
	// region, host:port otherwise).
	Endpoint   string
	Host, Port string
	Name       string
	Role       string // "login", "endpoint" or "region"
	Route      string // "direct" or "via proxy …"
	Proxied    bool
	Proxy      string // the proxy's host:port when Proxied (no credentials)
	// Code is OK, a NET_* code, a PROXY_* code for a proxy's refusal, or
	// the DNS_* code of a host that did not resolve.
	Code string
	// Family is the address family that connected: "ipv4", "ipv6",
	// "ipv4+ipv6", or "proxy" when the proxy connected for us.
	Family string
	// FailedFamily is the family ("ipv6" or "ipv4") none of whose
	// addresses connected while the other did: a browser falls back to the
	// working one, so it is a degraded path, not a failure. FailedCode is
	// that family's NET_* code.
	FailedFamily, FailedCode string
	// Address is the address that connected first.
	Address string
	// Elapsed is the fastest successful connect.
	Elapsed time.Duration
	// Private reports that every address is private (RFC 1918, ULA).
	Private  bool
	Attempts []Attempt
}

// FactsFrom is net.reach's Result.Data among a dependent check's deps: how
// every endpoint was reached, if net.reach ran.
func FactsFrom(deps checks.Deps) (Facts, bool) {
	f, ok := deps[ID].Data.(Facts)
	return f, ok
}

// Login is the login host's facts, if it was probed.
func (f Facts) Login() (EndpointFacts, bool) {
	for _, e := range f.Endpoints {
		if e.Role == "login" {
			return e, true
		}
	}
	return EndpointFacts{}, false
}

// Reachable reports whether some address connected.
func (e EndpointFacts) Reachable() bool { return e.Code == "OK" }

// Attempt is one connect to one address (or through the proxy).
type Attempt struct {
	Address string
	Family  string // "ipv4", "ipv6" or "proxy"
	Code    string // OK or NET_*/PROXY_*
	Detail  string // "refused", "reset", "timed out after 5s", the error
	Elapsed time.Duration
}
