package tlscert

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// HandshakeFailure turns a failed Probe into a finding. A server that asked
// for a client certificate and then ended the handshake is
// TLS_CLIENT_CERT_REQUIRED (owner it: only managed devices get one);
// anything else is TLS_HANDSHAKE_FAILED whose Variant says how it failed:
// "timeout", "not_tls" (the server answered with something that is not
// TLS), "closed", "alert", or "" for anything else.
func HandshakeFailure(h Handshake, err error) checks.Result {
	variant, why := handshakeReason(h, err)
	res := checks.Finding(checks.StatusFail, CodeHandshakeFailed, checks.SeverityCritical, checks.OwnerAdmin,
		fmt.Sprintf("TLS handshake with %s failed: %s", h.Host, why))
	res.Variant = variant
	if variant == "client_cert" {
		res = clientCertRequired(h.Host, why)
	}
	res = res.WithParam("host", h.Host).
		With("host", h.Host).
		With("error", err.Error())
	if h.Addr != "" {
		res = res.With("address", h.Addr)
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		res = res.With("answer_start", netfail.Printable(rh.RecordHeader[:]))
	}
	return res
}

// handshakeReason names how a handshake failed: netfail's kind, except
// that a server which asked for a client certificate and then ended the
// handshake wants one (a timeout or a non-TLS answer still say more).
func handshakeReason(h Handshake, err error) (variant, why string) {
	f := netfail.Handshake(err)
	switch {
	case f.Kind == netfail.KindTimeout, f.Kind == netfail.KindNotTLS:
	case h.ClientCertRequested:
		return "client_cert", "the server requires a client certificate"
	case f.Kind == netfail.KindOther:
		return "", f.Detail
	}
	return string(f.Kind), f.Detail
}

// NetFailure turns a failed connection attempt to addr (host:port, for
// host) along route into a finding with the code of the layer that failed
// (netfail.Dial). waited is how long the attempt took (the "timeout" param).
// Params: host, port, endpoint, timeout, and proxy when the route has one.
func NetFailure(err error, route checks.Route, host, addr string, waited time.Duration) checks.Result {
	code := netfail.Code(err)
	summary := fmt.Sprintf("cannot connect to %s: %v", addr, err)
	switch code {
	case netfail.NetRefused:
		summary = fmt.Sprintf("%s refused the connection", addr)
	case netfail.NetTimeout:
		summary = fmt.Sprintf("no answer from %s within %s (connection timed out)", addr, waited.Round(100*time.Millisecond))
	case netfail.NetUnreachable:
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
