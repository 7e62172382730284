package tlscert

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// clientCertRequestWait bounds the request that tells whether a server
// which asked for a client certificate (and let the handshake finish
// without one) serves pages anyway.
const clientCertRequestWait = 2 * time.Second

// clientCertRequired is the TLS_CLIENT_CERT_REQUIRED finding: the server
// admits only devices that show a certificate (MDM-enrolled company
// devices), so this one is turned away; why says how it refused.
func clientCertRequired(host, why string) checks.Result {
	return checks.Finding(checks.StatusFail, CodeClientCertRequired, checks.SeverityCritical, checks.OwnerIT,
		fmt.Sprintf("%s admits only devices with a client certificate (for example company-managed devices): %s", host, why)).
		WithParam("host", host).With("host", host).With("client_certificate_requested", true)
}

// refusedWithoutCert sends one request over a handshake in which the
// server asked for a client certificate but did not end the handshake
// without one: nginx with TLS 1.3 and `ssl_verify_client on` answers 400
// "No required SSL certificate was sent" (495/496 in its logs). It
// reports the refusal's words, or "" when the server serves the page.
func refusedWithoutCert(ctx context.Context, tc *tls.Conn, host, path string) string {
	ctx, cancel := context.WithTimeout(ctx, clientCertRequestWait)
	defer cancel()
	dl, _ := ctx.Deadline()
	if err := tc.SetDeadline(dl); err != nil {
		return ""
	}
	defer tc.SetDeadline(time.Time{})
	if path == "" {
		path = "/"
	}
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: logindoctor\r\nConnection: close\r\n\r\n", path, host)
	if _, err := io.WriteString(tc, req); err != nil {
		return ""
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.LimitReader(tc, 64<<10)), nil)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return certRefusal(resp.StatusCode, string(body))
}

// certRefusal reads an HTTP answer as a refusal for want of a client
// certificate: nginx's 495/496, or a 400/403 that talks about one.
func certRefusal(status int, body string) string {
	lower := strings.ToLower(body)
	mentions := strings.Contains(lower, "certificate")
	switch {
	case status == 495 || status == 496:
	case (status == http.StatusBadRequest || status == http.StatusForbidden) && mentions:
	default:
		return ""
	}
	why := fmt.Sprintf("the server answered HTTP %d", status)
	if i := strings.Index(lower, "no required ssl certificate"); i >= 0 {
		why += ` "No required SSL certificate was sent"`
	}
	return why
}
