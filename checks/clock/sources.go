package clock

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/beevik/ntp"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// Per-source time limits. Every source is asked at once, so the check
// takes about as long as the slowest of these, never their sum. NTP over
// UDP answers in milliseconds or not at all; an HTTPS HEAD through a proxy
// needs DNS, TCP, TLS and a round trip.
const (
	ntpTimeout  = 2 * time.Second
	dateTimeout = 3 * time.Second
	// dateResolution is the HTTP Date header's rounding (whole seconds).
	dateResolution = time.Second
)

// Kinds of time source.
const (
	KindNTP  = "ntp"
	KindDate = "http-date"
)

// Source states.
const (
	StateOK        = "ok"
	StateRefused   = "refused"   // NTP kiss-of-death
	StateInvalid   = "invalid"   // answered, but unusable
	StateNoAnswer  = "no-answer" // timeout, refused connection, DNS failure …
	StateUntrusted = "untrusted" // a Date from a server whose certificate is not trusted
)

// Sample is what one time source said. Skew is the local clock minus the
// source's clock: positive means the local clock is fast.
type Sample struct {
	Source      string        `json:"source"`
	Kind        string        `json:"kind"`
	State       string        `json:"state"`
	Skew        time.Duration `json:"-"`
	Uncertainty time.Duration `json:"-"`
	RTT         time.Duration `json:"-"`
	Stratum     int           `json:"stratum,omitempty"`
	KissCode    string        `json:"kiss_code,omitempty"`
	Reason      string        `json:"reason,omitempty"`
	// Trust is why a Date answer was believed (see dateTrust).
	Trust string `json:"trust,omitempty"`
}

func (s Sample) ok() bool { return s.State == StateOK }

// subContext bounds one source: limit, but ending early enough (at most a
// third of the time ctx has left, checks.ClockReserve) for the check to
// compare the sources that answered before its own deadline.
func subContext(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	return checks.Budget{Reserve: checks.ClockReserve, Share: 3, Cap: limit}.Context(ctx)
}

// queryNTP asks one NTP server. The offset is measured against env.Now, not
// the library's own clock: GetSystemTime makes beevik/ntp take t1 and t4
// from env.Now, so ClockOffset is ((t2-t1)+(t3-t4))/2 against the clock the
// user actually has (or the test injects).
func queryNTP(ctx context.Context, env *checks.Env, server string) Sample {
	s := Sample{Source: server, Kind: KindNTP, State: StateNoAnswer}
	ctx, cancel := subContext(ctx, ntpTimeout)
	defer cancel()
	dl, _ := ctx.Deadline()
	opt := ntp.QueryOptions{
		Timeout:       time.Until(dl),
		GetSystemTime: nowFunc(env),
		Dialer: func(_, raddr string) (net.Conn, error) {
			c, err := env.Dialer.DialContext(ctx, "udp", raddr)
			if err != nil {
				return nil, err
			}
			context.AfterFunc(ctx, func() { c.Close() })
			return c, nil
		},
	}
	type answer struct {
		r   *ntp.Response
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		r, err := ntp.QueryWithOptions(server, opt)
		ch <- answer{r, err}
	}()
	var a answer
	select {
	case a = <-ch:
	case <-ctx.Done():
		a.err = ctx.Err()
	}
	if a.err != nil {
		s.Reason = reason(ctx, a.err, "no answer from the NTP server")
		return s
	}
	r := a.r
	s.Stratum, s.RTT = int(r.Stratum), r.RTT
	if r.IsKissOfDeath() {
		s.State, s.KissCode = StateRefused, r.KissCode
		s.Reason = "source refused (kiss-of-death " + r.KissCode + ")"
		return s
	}
	if err := r.Validate(); err != nil {
		s.State, s.Reason = StateInvalid, "unusable answer: "+err.Error()
		return s
	}
	s.State = StateOK
	s.Skew = -r.ClockOffset
	s.Uncertainty = max(r.RootDistance, r.RTT/2, time.Millisecond)
	return s
}

// queryDate reads the Date header of u, along the route the browser takes,
// and believes it only from a server the run trusts (see dateTrust). The
// handshake itself does not verify the certificate, so that the decision
// can use the server's Date: a certificate that looks expired only because
// the local clock is wrong must not hide the wrong clock.
func queryDate(ctx context.Context, env *checks.Env, u *url.URL) Sample {
	s := Sample{Source: u.Scheme + "://" + u.Host, Kind: KindDate, State: StateNoAnswer}
	ctx, cancel := subContext(ctx, dateTimeout)
	defer cancel()
	a, err := fetchDate(ctx, env, u)
	if err != nil {
		s.State, s.Reason = a.state, err.Error()
		return s
	}
	s.RTT = a.rtt
	// The server stamped Date somewhere inside the round trip, and
	// truncated it to the second: its true time then was server+0.5 s ±
	// 0.5 s, our clock's local-rtt/2 ± rtt/2.
	skew := a.local.Add(-a.rtt / 2).Sub(a.server.Add(dateResolution / 2))
	trust, err := dateTrust(env, u, a)
	if err != nil {
		s.State = StateUntrusted
		s.Reason = fmt.Sprintf("Date header ignored (it says the clock is %s %s): %v",
			splitOffset(skew).words(), direction(skew), err)
		return s
	}
	s.State, s.Trust = StateOK, trust
	s.Skew = skew
	s.Uncertainty = dateResolution/2 + a.rtt/2
	return s
}

// dateAnswer is one response's Date and what is needed to judge it.
type dateAnswer struct {
	state         string // the Sample state when fetchDate fails
	server, local time.Time
	rtt           time.Duration
	tls           *tls.ConnectionState
}

// fetchDate asks u (HEAD, then GET when HEAD has no Date) for its Date.
func fetchDate(ctx context.Context, env *checks.Env, u *url.URL) (dateAnswer, error) {
	a := dateAnswer{state: StateNoAnswer}
	rt, err := env.Route(ctx, u)
	if err != nil {
		return a, errors.New(reason(ctx, err, "no route"))
	}
	// Verification happens afterwards, in dateTrust, against the run's
	// roots: here it would refuse exactly the certificates that a wrong
	// clock makes look expired.
	// Only the Date is wanted: the classic key shares do.
	tlsConf := env.MeasuringTLS()
	tlsConf.InsecureSkipVerify, tlsConf.ServerName = true, u.Hostname() //nolint:gosec // verified by dateTrust
	tr := env.Transport(rt, tlsConf)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var missing error
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
		if err != nil {
			return a, errors.New("bad URL")
		}
		start := time.Now()
		resp, err := client.Do(req)
		a.rtt = time.Since(start)
		a.local = nowFunc(env)()
		if err != nil {
			a.state = StateNoAnswer
			return a, errors.New(reason(ctx, unwrapURL(err), "no answer"))
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		a.tls = resp.TLS
		date := resp.Header.Get("Date")
		a.state = StateInvalid
		if date == "" {
			missing = errors.New("no Date header")
			continue // some servers omit it on HEAD
		}
		if a.server, err = http.ParseTime(date); err != nil {
			return a, fmt.Errorf("unreadable Date header %q", truncate(date, 40))
		}
		return a, nil
	}
	return a, missing
}

// dateTrust says why a's Date may be believed, or why not. An interceptor
// (or anything between the user and the server) could otherwise make "your
// clock is 36 h fast" the first fix. It is believed from:
//
//   - a plain-http URL: every Date source is a URL the profile names (the
//     login URL or an endpoint), so IT chose to name a plain-http host;
//   - an https server whose certificate chain verifies for the host name
//     against the run's roots (the system's plus ca_file, as tls.certificate
//     uses) at the local time;
//   - or, failing that, at the server's own Date. Verification depends on
//     the time only through the validity windows, so a chain that verifies
//     at the server's time is trusted and well signed and fails at the
//     local time only because of its window: exactly what a wrong local
//     clock produces, and the case this check exists to diagnose. Faking
//     this takes the private key of a certificate for the host, trusted by
//     the run, that was valid at the claimed time.
func dateTrust(env *checks.Env, u *url.URL, a dateAnswer) (string, error) {
	if u.Scheme == "http" {
		return "plain http, named in the profile", nil
	}
	if a.tls == nil || len(a.tls.PeerCertificates) == 0 {
		return "", errors.New("no certificate to verify")
	}
	err := verifyChain(env, u.Hostname(), a.tls.PeerCertificates, a.local)
	if err == nil {
		return "certificate verified", nil
	}
	if verifyChain(env, u.Hostname(), a.tls.PeerCertificates, a.server) == nil {
		return "certificate verified at the server's time; the local clock puts it outside its validity", nil
	}
	return "", fmt.Errorf("the certificate is not trusted: %w", err)
}

// verifyChain verifies certs (leaf first) for host at t, as a browser
// would with the run's roots.
func verifyChain(env *checks.Env, host string, certs []*x509.Certificate, t time.Time) error {
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         env.RootCAs,
		Intermediates: inter,
		DNSName:       host,
		CurrentTime:   t,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

// reason describes why a source did not answer, preferring "no answer
// within …" when the source's time ran out.
func reason(ctx context.Context, err error, what string) string {
	if ctx.Err() != nil || netfail.IsTimeout(err) {
		return what + " in time (timed out)"
	}
	return truncate(err.Error(), 200)
}

// unwrapURL drops *url.Error's "Head \"https://…\":" prefix: the URL is
// already the source's name.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// dateURLs are the pages whose Date header is read: the login URL and one
// URL per endpoint host (https, or http for port 80), each origin once.
func dateURLs(t checks.Target) []*url.URL {
	var out []*url.URL
	seen := map[string]bool{}
	add := func(u *url.URL) {
		if u == nil || u.Host == "" || seen[u.Scheme+"://"+u.Host] {
			return
		}
		seen[u.Scheme+"://"+u.Host] = true
		out = append(out, u)
	}
	if t.URL != nil {
		u := *t.URL
		u.User = nil
		add(&u)
	}
	for _, ep := range t.Endpoints {
		add(endpointURL(ep))
	}
	return out
}

// endpointURL turns "host:port" (or a URL) into the URL of its root page.
func endpointURL(ep string) *url.URL {
	ep = strings.TrimSpace(ep)
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" {
			return nil
		}
		return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}
	}
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		host, port = ep, "443"
	}
	if host == "" {
		return nil
	}
	switch port {
	case "80":
		return &url.URL{Scheme: "http", Host: host, Path: "/"}
	case "443":
		return &url.URL{Scheme: "https", Host: hostForURL(host), Path: "/"}
	}
	return &url.URL{Scheme: "https", Host: net.JoinHostPort(host, port), Path: "/"}
}

func hostForURL(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}
