package reach

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/logindoctor/logindoctor/checks"
)

// The reason codes of net.reach, and proxy.route's codes it uses when the
// proxy itself refuses to connect to an endpoint.
const (
	CodeRefused     = "NET_REFUSED"
	CodeTimeout     = "NET_TIMEOUT"
	CodeUnreachable = "NET_UNREACHABLE"

	codeProxyUnreachable = "PROXY_UNREACHABLE"
	codeProxyAuth        = "PROXY_AUTH_REQUIRED"
	codeProxyDenied      = "PROXY_DENIED"
)

// classify names a failed connect: its code and a short detail.
func classify(err error) (code, detail string) {
	var pe *checks.ProxyError
	switch {
	case errors.As(err, &pe):
		return classifyProxyStatus(pe)
	case errors.Is(err, checks.ErrProxyDial):
		return codeProxyUnreachable, "the proxy itself cannot be reached: " + err.Error()
	case isRefused(err):
		return CodeRefused, "refused"
	case isReset(err):
		return CodeRefused, "reset"
	case isTimeout(err):
		return CodeTimeout, "timed out"
	case isUnreachable(err):
		return CodeUnreachable, "no route"
	case isBlockedLocally(err):
		return CodeUnreachable, "blocked by this computer's firewall"
	}
	return CodeUnreachable, err.Error()
}

// classifyProxyStatus reads a proxy's answer to CONNECT: 502/503 (and
// other 5xx) mean it could not connect, 504 that its connect timed out,
// 407 that it wants credentials, any other refusal that policy denies it.
func classifyProxyStatus(pe *checks.ProxyError) (code, detail string) {
	detail = fmt.Sprintf("proxy %s answered %s", pe.Proxy, pe.Status)
	switch {
	case pe.StatusCode == http.StatusGatewayTimeout:
		return CodeTimeout, detail
	case pe.StatusCode == http.StatusProxyAuthRequired:
		return codeProxyAuth, detail
	case pe.StatusCode >= 500:
		return CodeRefused, detail
	}
	return codeProxyDenied, detail
}

// isTimeout reports a deadline or an operating-system timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimedOut(err) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
