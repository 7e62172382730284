// Package netfail classifies why a network step failed — a connect, a
// proxy's answer to CONNECT, a name lookup, a TLS handshake — into the
// reason codes the checks report, so that one failure reads the same
// whichever check meets it (net.reach, tls.certificate, an SSO hop of
// http.login, proxy.route).
//
// A connect (Dial) is judged in this order: the proxy's own answer to
// CONNECT, then "the proxy itself cannot be reached", then a failed name
// lookup, then the operating system's error number (ECONNREFUSED …, and
// their Winsock numbers on Windows), then any timeout; anything else is
// NET_UNREACHABLE.
//
// A proxy's answer to CONNECT (ProxyStatus), read as a network engineer
// reads it:
//
//	401, 407        PROXY_AUTH_REQUIRED  the proxy wants credentials, or other
//	                                     ones (tinyproxy answers wrong ones
//	                                     with 401 instead of 407)
//	504             NET_TIMEOUT          the proxy's own connect to the target
//	                                     timed out
//	500, 502, 503   NET_REFUSED          the proxy tried and its connect to the
//	and other 5xx                        target failed: the target's problem,
//	                                     seen through the proxy
//	501             PROXY_DENIED         the proxy does not tunnel at all
//	403, other 4xx, PROXY_DENIED         the proxy refuses to tunnel there
//	anything else                        (policy, an allow-list)
package netfail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"

	"github.com/logindoctor/logindoctor/checks"
)

// The reason codes this package hands out. They belong to the checks that
// own each layer (the README's reason-code table); the values are the stable codes.
const (
	NetRefused     = "NET_REFUSED"
	NetTimeout     = "NET_TIMEOUT"
	NetUnreachable = "NET_UNREACHABLE"

	ProxyUnreachable  = "PROXY_UNREACHABLE"
	ProxyAuthRequired = "PROXY_AUTH_REQUIRED"
	ProxyDenied       = "PROXY_DENIED"

	DNSNXDomain  = "DNS_NXDOMAIN"
	DNSServFail  = "DNS_SERVFAIL"
	DNSTimeout   = "DNS_TIMEOUT"
	DNSNoAddress = "DNS_NO_ADDRESS"

	TLSHandshakeFailed = "TLS_HANDSHAKE_FAILED"
)

// Kind is the finer reason behind a code: NET_REFUSED is either refused or
// reset; TLS_HANDSHAKE_FAILED is a timeout, a non-TLS answer, an alert or
// a closed connection. tls.certificate uses a handshake's Kind as its
// finding's variant.
type Kind string

// The kinds.
const (
	KindRefused     Kind = "refused"           // nothing listens (TCP RST to the SYN, ICMP port unreachable)
	KindReset       Kind = "reset"             // the peer reset or aborted the connection
	KindTimeout     Kind = "timeout"           // no answer before the deadline (a firewall that drops)
	KindNoRoute     Kind = "no_route"          // no route to the host or network, or the network is down
	KindFirewall    Kind = "firewall"          // this computer's firewall forbade the connect
	KindProxyDown   Kind = "proxy_unreachable" // the proxy itself cannot be reached
	KindProxyStatus Kind = "proxy_status"      // the proxy answered CONNECT with an error status
	KindDNS         Kind = "dns"               // the name did not resolve
	KindNotTLS      Kind = "not_tls"           // the server answered with something that is not TLS
	KindAlert       Kind = "alert"             // the server sent a TLS alert
	KindClosed      Kind = "closed"            // the server closed the connection during the handshake
	KindOther       Kind = "other"             // none of the above
	KindCancelled   Kind = "cancelled"         // the run was cancelled (Ctrl-C): says nothing about the network
)

// Failure is a classified error: its reason code, the finer kind, and a
// short English detail for summaries and evidence ("refused", "timed out",
// "proxy p:3128 answered 502 Bad Gateway").
type Failure struct {
	Code   string
	Kind   Kind
	Detail string
}

// Dial classifies a failed connect, direct or along a proxy route (see the
// package documentation for the order).
func Dial(err error) Failure {
	var pe *checks.ProxyError
	var de *net.DNSError
	switch {
	case errors.Is(err, context.Canceled):
		// Cut short by the run's cancellation: no network advice.
		return Failure{Code: checks.CodeCheckError, Kind: KindCancelled, Detail: "cancelled before it finished"}
	case errors.As(err, &pe):
		return Failure{Code: ProxyStatus(pe.StatusCode), Kind: KindProxyStatus,
			Detail: fmt.Sprintf("proxy %s answered %s", pe.Proxy, pe.Status)}
	case errors.Is(err, checks.ErrProxyDial):
		return Failure{Code: ProxyUnreachable, Kind: KindProxyDown, Detail: "the proxy itself cannot be reached: " + err.Error()}
	case errors.As(err, &de):
		return Failure{Code: Lookup(de), Kind: KindDNS, Detail: err.Error()}
	}
	if k, ok := errnoKind(err); ok {
		return Failure{Code: kindCode(k), Kind: k, Detail: kindDetail(k)}
	}
	if IsTimeout(err) {
		return Failure{Code: NetTimeout, Kind: KindTimeout, Detail: kindDetail(KindTimeout)}
	}
	return Failure{Code: NetUnreachable, Kind: KindOther, Detail: err.Error()}
}

// Code is Dial(err).Code: the reason code of a failed connect.
func Code(err error) string { return Dial(err).Code }

// ProxyStatus is the reason code of a proxy's non-200 answer to CONNECT
// (see the package documentation for why).
func ProxyStatus(status int) string {
	switch {
	case status == http.StatusProxyAuthRequired, status == http.StatusUnauthorized:
		return ProxyAuthRequired
	case status == http.StatusGatewayTimeout:
		return NetTimeout
	case status == http.StatusNotImplemented:
		return ProxyDenied
	case status >= 500 && status <= 599:
		return NetRefused
	}
	return ProxyDenied
}

// Lookup is the DNS_* code of a failed name lookup by the system resolver:
// not found (Go merges NXDOMAIN and "no address" into it), timed out, or
// the resolver failed (SERVFAIL, REFUSED and everything else). nil is "".
func Lookup(err error) string {
	var de *net.DNSError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &de) && de.IsNotFound:
		return DNSNXDomain
	case errors.As(err, &de) && de.IsTimeout, IsTimeout(err):
		return DNSTimeout
	}
	return DNSServFail
}

// IsTimeout reports a deadline or an operating-system timeout: the
// context's deadline, a connection deadline, a net.Error that says so, or
// ETIMEDOUT (whose Winsock number Go does not count as a timeout).
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	if k, ok := errnoKind(err); ok && k == KindTimeout {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Refused reports a connection the peer refused or reset; over UDP that
// is the ICMP "port unreachable" of a host with nothing on the port, which
// Windows reports as WSAECONNRESET.
func Refused(err error) bool {
	k, ok := errnoKind(err)
	return ok && (k == KindRefused || k == KindReset)
}

// errnoKind reads the operating system's error number in err, if any.
func errnoKind(err error) (Kind, bool) {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return "", false
	}
	return osErrnoKind(errno)
}

// posixKind reads the portable error names. On Windows they are Go's own
// invented numbers, which some of Go's packages still return.
func posixKind(errno syscall.Errno) (Kind, bool) {
	switch errno {
	case syscall.ECONNREFUSED:
		return KindRefused, true
	case syscall.ECONNRESET, syscall.ECONNABORTED:
		return KindReset, true
	case syscall.ETIMEDOUT:
		return KindTimeout, true
	case syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.EHOSTDOWN, syscall.ENETDOWN:
		return KindNoRoute, true
	case syscall.EPERM, syscall.EACCES:
		// An OUTPUT rule that drops makes connect fail with EPERM.
		return KindFirewall, true
	}
	return "", false
}

func kindCode(k Kind) string {
	switch k {
	case KindRefused, KindReset:
		return NetRefused
	case KindTimeout:
		return NetTimeout
	}
	return NetUnreachable
}

func kindDetail(k Kind) string {
	switch k {
	case KindRefused:
		return "refused"
	case KindReset:
		return "reset"
	case KindTimeout:
		return "timed out"
	case KindNoRoute:
		return "no route"
	case KindFirewall:
		return "blocked by this computer's firewall"
	}
	return string(k)
}
