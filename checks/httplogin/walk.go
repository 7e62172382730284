package httplogin

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// Hop is one request on the redirect chain, for the evidence. URL has no
// query, fragment or user info: those may carry SSO codes and tokens.
type Hop struct {
	URL       string `json:"url"`
	Host      string `json:"host"`
	Status    int    `json:"status"`
	LatencyMS int64  `json:"latency_ms"`
	Route     string `json:"route"`
}

// String is a one-line form for text renderers.
func (h Hop) String() string {
	return fmt.Sprintf("%d %s (%d ms, %s)", h.Status, h.URL, h.LatencyMS, h.Route)
}

// walk is one trip down the redirect chain.
type walk struct {
	env     *checks.Env
	login   *url.URL
	loginHP string
	jar     *cookiejar.Jar
	hops    []Hop
	checked map[string]bool   // host:port whose hop checks ran
	pinned  map[string]string // host:port → the address that connected
	hopWarn *checks.Result    // first warning from a hop's TLS
	elapsed time.Duration     // sum of the hops' latencies
	// fetched are, by host:port, the intermediates downloaded from AIA
	// URLs because the server did not send them (tlscert.CompleteChain).
	fetched map[string][]*x509.Certificate
}

func newWalk(env *checks.Env, u *url.URL) *walk {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &walk{
		env: env, login: u, loginHP: hostPort(u), jar: jar,
		checked: map[string]bool{}, pinned: map[string]string{}, fetched: map[string][]*x509.Certificate{},
	}
}

// page is one answer on the chain.
type page struct {
	status    int
	header    http.Header
	body      []byte
	truncated bool
	latency   time.Duration
	next      *url.URL // where a redirect points; nil for the final page
	route     checks.Route
	// how far the connection got, for telling timeouts apart
	tlsStarted atomic.Bool
	gotConn    atomic.Bool
}

// run follows the chain from the login URL to its final page.
func (w *walk) run(ctx context.Context) checks.Result {
	cur := w.login
	seen := map[string]bool{}
	for redirects := 0; ; redirects++ {
		if redirects > MaxRedirects {
			return w.finish(w.loop(cur, fmt.Sprintf("more than %d redirects", MaxRedirects)))
		}
		if res, failed := w.checkHop(ctx, cur); failed {
			return w.finish(w.atHop(res, cur))
		}
		key := cur.String() + "\x00" + w.cookieKey(cur)
		if seen[key] {
			return w.finish(w.loop(cur, "the chain came back to "+redact(cur)+" with nothing changed"))
		}
		seen[key] = true
		pg, err := w.fetch(ctx, cur)
		if err != nil {
			return w.finish(w.atHop(w.requestFailure(ctx, cur, pg, err), cur))
		}
		if pg.next == nil {
			return w.finish(w.atHop(w.verdict(cur, pg), cur))
		}
		cur = pg.next
	}
}

// fetch makes one GET along u's route, keeping cookies like a browser and
// reading at most MaxBody of the answer.
func (w *walk) fetch(ctx context.Context, u *url.URL) (*page, error) {
	pg := &page{}
	route, err := w.env.Route(ctx, u)
	if err != nil {
		return pg, fmt.Errorf("deciding the route to %s: %w", u.Host, err)
	}
	pg.route = route
	tr := w.transport(route, u)
	defer tr.CloseIdleConnections()
	trace := &httptrace.ClientTrace{
		TLSHandshakeStart: func() { pg.tlsStarted.Store(true) },
		GotConn:           func(httptrace.GotConnInfo) { pg.gotConn.Store(true) },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, u.String(), nil)
	if err != nil {
		return pg, fmt.Errorf("request for %s: %w", redact(u), err)
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (compatible; logindoctor/0.1)")
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	req.Header.Set("Accept-Language", "en, zh-CN;q=0.8")
	for _, c := range w.jar.Cookies(u) {
		req.AddCookie(c)
	}
	start := time.Now()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		pg.latency = time.Since(start)
		return pg, err
	}
	defer resp.Body.Close()
	w.jar.SetCookies(u, resp.Cookies())
	pg.status, pg.header = resp.StatusCode, resp.Header
	pg.next = redirectTarget(resp, u)
	limit := int64(MaxBody)
	if pg.next != nil {
		limit = maxRedirectBody
	}
	pg.body, pg.truncated, err = readLimited(resp.Body, limit)
	pg.latency = time.Since(start)
	w.elapsed += pg.latency
	w.hops = append(w.hops, Hop{URL: redact(u), Host: u.Hostname(), Status: pg.status, LatencyMS: pg.latency.Milliseconds(), Route: route.String()})
	if err != nil && ctx.Err() != nil {
		return pg, fmt.Errorf("reading the answer of %s: %w", redact(u), err)
	}
	return pg, nil
}

// transport takes the route; an HTTPS hop through an HTTP proxy tunnels
// with the route's own CONNECT (typed proxy errors), and a hop whose
// address this walk looked up connects to that address.
func (w *walk) transport(route checks.Route, u *url.URL) *http.Transport {
	now := w.env.Now
	if now == nil {
		now = time.Now
	}
	conf := &tls.Config{RootCAs: w.env.RootCAs, Time: now, MinVersion: tls.VersionTLS12}
	if extra := w.fetched[hostPort(u)]; len(extra) > 0 {
		verifyWithFetched(conf, u.Hostname(), extra)
	}
	tr := w.env.Transport(route, conf)
	switch {
	case !route.Direct() && u.Scheme == "https":
		tr.Proxy = nil
		tr.DialContext = func(ctx context.Context, _, addr string) (net.Conn, error) {
			return w.env.DialRoute(ctx, route, addr)
		}
	case route.Direct() && w.pinned[hostPort(u)] != "":
		pinned := w.pinned[hostPort(u)]
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return w.env.Dialer.DialContext(ctx, network, pinned)
		}
	}
	return tr
}

// verifyWithFetched makes conf verify the server's chain the way Go does
// (conf's roots and clock, host name, server auth) but also with extra,
// the intermediates the server omitted and that were downloaded, as a
// browser does. A refusal is a *tls.CertificateVerificationError, as
// Go's own verification reports it.
func verifyWithFetched(conf *tls.Config, host string, extra []*x509.Certificate) {
	conf.InsecureSkipVerify = true //nolint:gosec // VerifyConnection verifies
	conf.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: the server sent no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		for _, c := range extra {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
			Roots: conf.RootCAs, Intermediates: inter, DNSName: host,
			CurrentTime: conf.Time(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		if err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		return nil
	}
}

// readLimited reads up to limit bytes and says whether more was left.
func readLimited(r io.Reader, limit int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return b[:limit], true, err
	}
	return b, false, err
}

// redirectTarget is where a redirect answer points, or nil when the answer
// is final (not a redirect, no Location, or not an http(s) URL).
func redirectTarget(resp *http.Response, base *url.URL) *url.URL {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil
	}
	next, err := base.Parse(loc)
	if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Host == "" {
		return nil
	}
	next.Fragment = ""
	return next
}

// cookieKey fingerprints the cookies a request to u would send, so that
// revisiting a URL after the SSO provider set a session is not a loop,
// but revisiting it with nothing changed is. Values are only hashed.
func (w *walk) cookieKey(u *url.URL) string {
	var pairs []string
	for _, c := range w.jar.Cookies(u) {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	sort.Strings(pairs)
	sum := sha256.Sum256([]byte(strings.Join(pairs, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// loop is the HTTP_REDIRECT_LOOP finding.
func (w *walk) loop(at *url.URL, why string) checks.Result {
	return checks.Finding(checks.StatusFail, CodeRedirectLoop, checks.SeverityCritical, checks.OwnerAdmin,
		fmt.Sprintf("the login page redirects in a loop: %s (after %d requests)", why, len(w.hops))).
		WithParam("host", at.Hostname()).
		WithParam("redirects", strconv.Itoa(len(w.hops))).
		With("loop_at", redact(at))
}

// atHop marks a result about a host other than the login host.
func (w *walk) atHop(r checks.Result, u *url.URL) checks.Result {
	if hostPort(u) == w.loginHP {
		return r
	}
	return r.With("hop", u.Hostname()).WithParam("hop", u.Hostname())
}

// finish adds the chain to any result.
func (w *walk) finish(r checks.Result) checks.Result {
	r = r.With("hops", append([]Hop{}, w.hops...)).
		With("redirects", max(len(w.hops)-1, 0)).
		With("total_ms", w.elapsed.Milliseconds())
	if r.Params["host"] == "" {
		r = r.WithParam("host", w.login.Hostname())
	}
	return r
}

// hostNames are the chain's hosts in order, each once.
func (w *walk) hostNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, h := range w.hops {
		if !seen[h.Host] {
			seen[h.Host] = true
			names = append(names, h.Host)
		}
	}
	return names
}

// chainText is "crm.example.com → sso.example.com → crm.example.com".
func (w *walk) chainText() string {
	var parts []string
	for _, h := range w.hops {
		if len(parts) == 0 || parts[len(parts)-1] != h.Host {
			parts = append(parts, h.Host)
		}
	}
	return strings.Join(parts, " → ")
}

// hostPort is u's host:port with the scheme's default port.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// redact is u without user info, query or fragment.
func redact(u *url.URL) string {
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return c.String()
}
