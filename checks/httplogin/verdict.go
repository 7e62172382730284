package httplogin

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
	"github.com/logindoctor/logindoctor/checks/tlscert"
)

// verdict judges the final page of the chain.
func (w *walk) verdict(u *url.URL, pg *page) checks.Result {
	host := u.Hostname()
	base := func(r checks.Result) checks.Result {
		r = r.WithParam("host", host).WithParam("status", strconv.Itoa(pg.status)).
			With("status", pg.status).With("final_url", redact(u)).With("body_bytes", len(pg.body))
		if pg.truncated {
			r = r.With("body_truncated", true)
		}
		return r
	}
	if schemes := negotiateSchemes(pg); len(schemes) > 0 {
		r := checks.Finding(checks.StatusFail, CodeNegotiate, checks.SeverityHigh, checks.OwnerIT,
			fmt.Sprintf("%s asks for Windows sign-in (%d with WWW-Authenticate: %s): this step needs a domain PC or the VPN",
				host, pg.status, strings.Join(schemes, ", ")))
		return base(r).WithParam("schemes", strings.Join(schemes, ", ")).With("www_authenticate", schemes)
	}
	if why, ok := maintenance(pg); ok {
		r := checks.Finding(checks.StatusFail, CodeStatus, checks.SeverityCritical, checks.OwnerAdmin,
			fmt.Sprintf("the CRM is down for maintenance: %s answered %d (%s)", host, pg.status, why))
		r.Variant = "maintenance"
		r = base(r).WithParam("maintenance", "yes").With("maintenance", why)
		if ra := pg.header.Get("Retry-After"); ra != "" {
			r = r.With("retry_after", ra)
			if m, ok := retryMinutes(ra); ok {
				r = r.WithParam("retry_after", m)
			}
		}
		return r
	}
	if pg.status >= 400 {
		r := checks.Finding(checks.StatusFail, CodeStatus, checks.SeverityCritical, checks.OwnerAdmin,
			fmt.Sprintf("the login page at %s answered %d %s", host, pg.status, http.StatusText(pg.status)))
		r.Variant = statusVariant(pg.status)
		return base(r)
	}
	if w.hopWarn != nil {
		return *w.hopWarn
	}
	slowAfter := w.env.Target.HTTP.SlowAfter
	if slowAfter <= 0 {
		slowAfter = DefaultSlowAfter
	}
	ms := strconv.FormatInt(w.elapsed.Milliseconds(), 10)
	if w.elapsed > slowAfter {
		r := checks.Finding(checks.StatusWarn, CodeSlow, checks.SeverityLow, checks.OwnerIT,
			fmt.Sprintf("the login page took %s ms to answer (limit %s)%s", ms, slowAfter, w.redirectText()))
		return base(r).WithParam("ms", ms).WithParam("seconds", seconds(w.elapsed)).
			WithParam("slow_after", strconv.FormatFloat(slowAfter.Seconds(), 'f', -1, 64))
	}
	return base(checks.Pass(fmt.Sprintf("login page answered %d in %s ms%s", pg.status, ms, w.redirectText()))).
		WithParam("ms", ms)
}

// redirectText is " after 2 redirects (crm → sso → crm)", or "".
func (w *walk) redirectText() string {
	n := len(w.hops) - 1
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return " after 1 redirect (" + w.chainText() + ")"
	}
	return fmt.Sprintf(" after %d redirects (%s)", n, w.chainText())
}

// requestFailure names why a request got no answer: the layer it stopped
// at decides the code (connect, TLS, or no HTTP answer in time).
func (w *walk) requestFailure(ctx context.Context, u *url.URL, pg *page, err error) checks.Result {
	host, hp := u.Hostname(), hostPort(u)
	var cve *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	switch {
	case netfail.IsTimeout(err) || ctx.Err() != nil:
		switch {
		case pg.gotConn.Load():
			return checks.Finding(checks.StatusFail, CodeTimeout, checks.SeverityCritical, checks.OwnerAdmin,
				fmt.Sprintf("%s accepted the connection but sent no answer within %s ms", host, strconv.FormatInt(pg.latency.Milliseconds(), 10))).
				WithParam("host", host).WithParam("seconds", seconds(pg.latency)).
				With("waited_ms", pg.latency.Milliseconds()).With("url", redact(u))
		case pg.tlsStarted.Load():
			return tlscert.HandshakeFailure(tlscert.Handshake{Host: host, Addr: hp}, err)
		}
		return tlscert.NetFailure(err, pg.route, host, hp, pg.latency)
	case errors.As(err, &cve):
		r := tlscert.Classify(tlscert.Handshake{Host: host, Addr: hp, Certificates: cve.UnverifiedCertificates}, tlscert.OptionsFor(w.env))
		if r.Status == checks.StatusFail {
			return r
		}
		return checks.Finding(checks.StatusFail, tlscert.CodeUntrusted, checks.SeverityCritical, checks.OwnerAdmin,
			fmt.Sprintf("the certificate of %s was refused: %v", host, cve.Err)).
			WithParam("host", host).WithParam("issuer", issuerOf(cve))
	case errors.As(err, &rh), netfail.IsRemoteAlert(err):
		return tlscert.HandshakeFailure(tlscert.Handshake{Host: host, Addr: hp}, err)
	case isDialError(err) || !pg.gotConn.Load():
		return tlscert.NetFailure(err, pg.route, host, hp, pg.latency)
	}
	r := checks.Finding(checks.StatusFail, CodeStatus, checks.SeverityCritical, checks.OwnerAdmin,
		fmt.Sprintf("%s closed the connection without an answer: %v", host, err)).
		WithParam("host", host).WithParam("status", "—").With("error", err.Error())
	r.Variant = "no_response"
	return r
}

func issuerOf(cve *tls.CertificateVerificationError) string {
	if len(cve.UnverifiedCertificates) == 0 {
		return ""
	}
	return tlscert.Name(cve.UnverifiedCertificates[0].Issuer)
}

func isDialError(err error) bool {
	var op *net.OpError
	var de *net.DNSError
	var pe *checks.ProxyError
	return (errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect")) ||
		errors.As(err, &de) || errors.As(err, &pe) || errors.Is(err, checks.ErrProxyDial)
}

// negotiateSchemes are the Windows sign-in schemes a 401 asks for.
func negotiateSchemes(pg *page) []string {
	if pg.status != http.StatusUnauthorized {
		return nil
	}
	var out []string
	for _, v := range pg.header.Values("WWW-Authenticate") {
		for _, part := range strings.Split(v, ",") {
			scheme, _, _ := strings.Cut(strings.TrimSpace(part), " ")
			if strings.EqualFold(scheme, "Negotiate") || strings.EqualFold(scheme, "NTLM") || strings.EqualFold(scheme, "Kerberos") {
				out = append(out, scheme)
			}
		}
	}
	return out
}

var (
	titleRE    = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	passwordRE = regexp.MustCompile(`(?i)<input[^>]+type\s*=\s*["']?password`)
)

// maintenance says whether the page says the CRM is down for maintenance,
// and why it thinks so: 503 with Retry-After, a maintenance title, or
// maintenance wording on a page without a password field (a login page
// may well link to "scheduled maintenance" notes).
func maintenance(pg *page) (string, bool) {
	if pg.status == http.StatusServiceUnavailable && pg.header.Get("Retry-After") != "" {
		return "503 with Retry-After: " + pg.header.Get("Retry-After"), true
	}
	body := utf8Body(pg)
	if m := titleRE.FindSubmatch(body); m != nil && saysMaintenance(m[1], titleMarks()) {
		return "page title: " + strings.TrimSpace(string(bytes.Join(bytes.Fields(m[1]), []byte(" ")))), true
	}
	if !passwordRE.Match(body) && saysMaintenance(body, bodyMarks()) {
		return "the page says it is down for maintenance", true
	}
	return "", false
}

// utf8Body is the page's body in UTF-8: Chinese CRMs often still serve
// GBK or Big5 pages, whose maintenance wording would not match otherwise.
func utf8Body(pg *page) []byte {
	enc, name, _ := charset.DetermineEncoding(pg.body, pg.header.Get("Content-Type"))
	if enc == nil || name == "utf-8" || name == "windows-1252" {
		return pg.body
	}
	if out, err := enc.NewDecoder().Bytes(pg.body); err == nil {
		return out
	}
	return pg.body
}

func saysMaintenance(text []byte, marks []string) bool {
	lower := bytes.ToLower(text)
	for _, m := range marks {
		if bytes.Contains(lower, []byte(m)) {
			return true
		}
	}
	return false
}

func titleMarks() []string {
	return []string{"maintenance", "维护", "維護", "wartung", "mantenimiento"}
}

func bodyMarks() []string {
	return []string{"down for maintenance", "under maintenance", "scheduled maintenance", "planned maintenance",
		"maintenance mode", "undergoing maintenance", "maintenance in progress",
		"系统维护", "正在维护", "维护中", "停机维护", "升级维护", "系統維護"}
}

// statusVariant picks the fix steps for an error status.
func statusVariant(status int) string {
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		return "not_found"
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		return "forbidden"
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return "unavailable"
	case status >= 500:
		return "server"
	}
	return "client"
}

// retryMinutes turns a Retry-After value (seconds or a date) into whole
// minutes from now, rounded up, as text.
func retryMinutes(v string) (string, bool) {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return strconv.Itoa(max((s+59)/60, 1)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return strconv.Itoa(max(int(time.Until(t).Minutes()+0.999), 1)), true
	}
	return "", false
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64)
}
