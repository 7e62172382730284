package tlscert

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// Codes of other layers that a connection attempt can end with. Their
// messages belong to the checks that own those layers (network, proxy).
const (
	CodeNetRefused        = "NET_REFUSED"
	CodeNetTimeout        = "NET_TIMEOUT"
	CodeNetUnreachable    = "NET_UNREACHABLE"
	CodeDNSNXDomain       = "DNS_NXDOMAIN"
	CodeDNSServFail       = "DNS_SERVFAIL"
	CodeDNSTimeout        = "DNS_TIMEOUT"
	CodeDNSNoAddress      = "DNS_NO_ADDRESS"
	CodeProxyUnreachable  = "PROXY_UNREACHABLE"
	CodeProxyAuthRequired = "PROXY_AUTH_REQUIRED"
	CodeProxyDenied       = "PROXY_DENIED"
)

// Windows socket error numbers, which syscall's portable names do not match.
const (
	wsaeConnRefused = 10061
	wsaeNetUnreach  = 10051
	wsaeHostUnreach = 10065
	wsaeTimedOut    = 10060
)

// HandshakeFailure turns a failed Probe into a TLS_HANDSHAKE_FAILED finding
// whose Variant says how it failed: "timeout", "not_tls" (the server
// answered with something that is not TLS), "client_cert", "closed",
// "alert", or "" for anything else.
func HandshakeFailure(h Handshake, err error) checks.Result {
	variant, why := handshakeReason(h, err)
	res := checks.Finding(checks.StatusFail, CodeHandshakeFailed, checks.SeverityCritical, checks.OwnerAdmin,
		fmt.Sprintf("TLS handshake with %s failed: %s", h.Host, why)).
		WithParam("host", h.Host).
		With("host", h.Host).
		With("error", err.Error())
	res.Variant = variant
	if variant == "client_cert" {
		res.Owner = checks.OwnerIT
	}
	if h.Addr != "" {
		res = res.With("address", h.Addr)
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		res = res.With("answer_start", printable(rh.RecordHeader[:]))
	}
	return res
}

func handshakeReason(h Handshake, err error) (variant, why string) {
	var rh tls.RecordHeaderError
	switch {
	case isTimeout(err):
		return "timeout", "no TLS answer before the deadline"
	case errors.As(err, &rh):
		return "not_tls", fmt.Sprintf("the server answered with something that is not TLS (%q…)", printable(rh.RecordHeader[:]))
	case h.ClientCertRequested:
		return "client_cert", "the server requires a client certificate"
	case IsRemoteAlert(err):
		return "alert", "the server refused the handshake: " + err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "closed", "the server closed the connection during the handshake"
	}
	return "", err.Error()
}

// printable keeps the printable ASCII of b (for quoting a non-TLS answer).
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			sb.WriteByte('.')
		}
	}
	return sb.String()
}

// NetFailure turns a failed connection attempt to addr (host:port, for
// host) along route into a finding with the code of the layer that failed
// (DialCode). waited is how long the attempt took (the "timeout" param).
// Params: host, port, endpoint, timeout, and proxy when the route has one.
func NetFailure(err error, route checks.Route, host, addr string, waited time.Duration) checks.Result {
	code := DialCode(err)
	summary := fmt.Sprintf("cannot connect to %s: %v", addr, err)
	switch code {
	case CodeNetRefused:
		summary = fmt.Sprintf("%s refused the connection", addr)
	case CodeNetTimeout:
		summary = fmt.Sprintf("no answer from %s within %s (connection timed out)", addr, waited.Round(100*time.Millisecond))
	case CodeNetUnreachable:
		summary = fmt.Sprintf("%s is unreachable from this computer: %v", addr, err)
	}
	_, port, _ := net.SplitHostPort(addr)
	res := checks.Finding(checks.StatusFail, code, checks.SeverityCritical, checks.OwnerIT, summary).
		WithParam("host", host).WithParam("port", port).WithParam("endpoint", addr).
		WithParam("timeout", waited.Round(100*time.Millisecond).String()).
		With("host", host).With("address", addr).With("route", route.String()).With("error", err.Error())
	if !route.Direct() {
		res = res.WithParam("proxy", route.ProxyHost())
		if strings.HasPrefix(code, "NET_") {
			res.Variant = "proxy"
			res.Summary = "via proxy " + route.ProxyHost() + ": " + summary
		}
	}
	var pe *checks.ProxyError
	if errors.As(err, &pe) {
		res = res.WithParam("proxy", pe.Proxy).With("proxy_status", pe.StatusCode)
	}
	return res
}

// DialCode classifies a connection error: proxy refusals and failures,
// name resolution (DNSCode), timeouts, refusals, and unreachable networks
// (the default for anything else that stopped the connection).
func DialCode(err error) string {
	var pe *checks.ProxyError
	var de *net.DNSError
	switch {
	case errors.As(err, &pe) && pe.StatusCode == http.StatusProxyAuthRequired:
		return CodeProxyAuthRequired
	case errors.As(err, &pe):
		return CodeProxyDenied
	case errors.Is(err, checks.ErrProxyDial):
		return CodeProxyUnreachable
	case errors.As(err, &de):
		return DNSCode(de)
	case isTimeout(err) || errnoIs(err, wsaeTimedOut):
		return CodeNetTimeout
	case errors.Is(err, syscall.ECONNREFUSED) || errnoIs(err, wsaeConnRefused) || errors.Is(err, syscall.ECONNRESET):
		return CodeNetRefused
	case isUnreachable(err):
		return CodeNetUnreachable
	}
	return CodeNetUnreachable
}

// DNSCode classifies a failed lookup: not found, timed out, or the
// resolver failed (SERVFAIL and everything else).
func DNSCode(err *net.DNSError) string {
	switch {
	case err.IsNotFound:
		return CodeDNSNXDomain
	case err.IsTimeout:
		return CodeDNSTimeout
	}
	return CodeDNSServFail
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) || (errors.As(err, &ne) && ne.Timeout())
}

func errnoIs(err error, n uintptr) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && uintptr(errno) == n
}

// isUnreachable reports whether err says there is no route to the host or
// network (as opposed to a refusal or a timeout).
func isUnreachable(err error) bool {
	return errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) ||
		errnoIs(err, wsaeHostUnreach) || errnoIs(err, wsaeNetUnreach)
}
