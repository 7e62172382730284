package quality

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/reach"
)

// Probing: probes connects in lanes of perLane, each probe given at most
// probeCap. In a lane a probe starts when the one before it has ended, or
// lanes × spacing after that one started, whichever comes first; the
// second lane starts when the first lane's first probe has connected, or
// spacing after it started. While probes wait (a lost SYN, a slow path)
// they start spacing apart in turn from the two lanes, so that one burst
// of loss does not take them all; on a path that answers at once the
// lanes' probes follow one another, two at a time, instead of idling
// 5 × spacing (or six round trips) on the run's critical path.
const (
	lanes     = 2
	perLane   = 3
	probes    = lanes * perLane
	spacing   = 30 * time.Millisecond
	probeCap  = 1500 * time.Millisecond
	lossAfter = time.Second // a connect slower than this needed a SYN retransmit (1 s, 3 s)
)

// Kinds of first request a probe sends to get one answer back.
const (
	kindTLS   = "tls"   // a TLS ClientHello; the ServerHello answers
	kindHTTP  = "http"  // OPTIONS * ; the status line answers
	kindSOCKS = "socks" // a SOCKS5 greeting; the method choice answers
)

// target is what the round trips are measured to.
type target struct {
	addr       string // host:port dialled
	serverName string // for the ClientHello
	kind       string
	proxied    bool   // addr is the route's proxy
	route      string // the route, for the report
}

// probeTarget is the login host (at the address net.reach connected to)
// or, behind a proxy, the proxy.
func probeTarget(t checks.Target, route checks.Route, deps checks.Deps) target {
	if !route.Direct() {
		return proxyTarget(route)
	}
	pt := target{addr: t.HostPort(), serverName: t.Host(), kind: kindTLS, route: route.String()}
	if t.URL.Scheme == "http" {
		pt.kind = kindHTTP
	}
	if f, ok := reach.FactsFrom(deps); ok {
		if login, ok := f.Login(); ok && login.Reachable() && !login.Proxied && login.Address != "" {
			pt.addr = login.Address
		}
	}
	return pt
}

func proxyTarget(route checks.Route) target {
	p := route.Proxy
	pt := target{addr: p.Host, serverName: p.Hostname(), kind: kindHTTP, proxied: true, route: route.String()}
	switch p.Scheme {
	case "https":
		pt.kind = kindTLS
	case "socks", "socks5", "socks5h":
		pt.kind = kindSOCKS
	}
	if p.Port() == "" {
		port := map[string]string{kindHTTP: "80", kindTLS: "443", kindSOCKS: "1080"}[pt.kind]
		pt.addr = net.JoinHostPort(p.Hostname(), port)
	}
	return pt
}

// sample is one probe: how long the connect took and how long the first
// answer took after the request went out.
type sample struct {
	connect, answer time.Duration
	err             error
}

// rtt is the probe's round trip: the slower of the connect and the
// answer (a relay or a proxy on the way can hide the one or the other).
func (s sample) rtt() time.Duration { return max(s.connect, s.answer) }

// lost reports a probe that failed or whose connect needed a retransmit.
func (s sample) lost() bool { return s.err != nil || s.connect > lossAfter }

// roundTrips are the probes' samples, in the order they were started.
type roundTrips struct{ samples []sample }

// measureRoundTrips runs the probes in their lanes, concurrently. Sample
// i is the (i / lanes)th probe of lane i % lanes: the samples are in about
// the order the probes started.
func measureRoundTrips(ctx context.Context, d checks.Dialer, pt target) roundTrips {
	rt := roundTrips{samples: make([]sample, probes)}
	firstConnect := make(chan struct{})
	var once sync.Once
	connected := func() { once.Do(func() { close(firstConnect) }) }
	var wg sync.WaitGroup
	for lane := range lanes {
		wg.Go(func() {
			if lane == 0 {
				defer connected() // a lane that never dialled starts the next
				runLane(ctx, d, pt, rt.samples, lane, connected)
				return
			}
			if !pause(ctx, time.Duration(lane)*spacing, firstConnect) {
				notStarted(ctx, rt.samples, lane, 0)
				return
			}
			runLane(ctx, d, pt, rt.samples, lane, nil)
		})
	}
	wg.Wait()
	return rt
}

// runLane runs lane's probes into their samples, each started when the
// one before it ended or lanes × spacing after it started. connected, if
// set, is called once the lane's first probe has connected (or failed to).
func runLane(ctx context.Context, d checks.Dialer, pt target, samples []sample, lane int, connected func()) {
	var wg sync.WaitGroup
	var prev chan struct{} // closed when the previous probe ended
	for n := range perLane {
		if n > 0 && !pause(ctx, lanes*spacing, prev) {
			notStarted(ctx, samples, lane, n)
			break
		}
		done := make(chan struct{})
		prev = done
		onConnect := connected // the lane's first probe only
		connected = nil
		wg.Go(func() {
			defer close(done)
			samples[n*lanes+lane] = probeOnce(ctx, d, pt, onConnect)
		})
	}
	wg.Wait()
}

// notStarted marks lane's probes from the nth on as never started.
func notStarted(ctx context.Context, samples []sample, lane, n int) {
	for ; n < perLane; n++ {
		samples[n*lanes+lane] = sample{err: fmt.Errorf("not started: %w", ctx.Err())}
	}
}

// pause waits d or until ended is closed (nil: never); false when ctx ends
// first.
func pause(ctx context.Context, d time.Duration, ended <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ended:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

// probeOnce connects and waits for the first answer to a tiny request;
// connected, if set, is called when the connect has ended.
func probeOnce(ctx context.Context, d checks.Dialer, pt target, connected func()) sample {
	pctx, cancel := context.WithTimeout(ctx, probeCap)
	defer cancel()
	start := time.Now()
	conn, err := d.DialContext(pctx, "tcp", pt.addr)
	s := sample{connect: time.Since(start)}
	if connected != nil {
		connected()
	}
	if err != nil {
		s.err = fmt.Errorf("connect %s: %w", pt.addr, err)
		return s
	}
	defer conn.Close()
	stop := context.AfterFunc(pctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	s.answer, err = firstAnswer(pctx, conn, pt)
	if err != nil {
		s.err = fmt.Errorf("no answer from %s: %w", pt.addr, ctxErr(pctx, err))
	}
	return s
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// errAnswered ends a TLS handshake as soon as the server's first bytes
// arrive: the round trip is measured, nothing more is needed.
var errAnswered = errors.New("answered")

// firstAnswer sends the kind's request and times its first answer. A
// server that closes the connection has answered too.
func firstAnswer(ctx context.Context, conn net.Conn, pt target) (time.Duration, error) {
	if pt.kind == kindTLS {
		w := &timedConn{Conn: conn}
		err := tls.Client(w, probeTLSConfig(pt.serverName)).HandshakeContext(ctx)
		if w.answered.IsZero() {
			if err == nil {
				err = errors.New("handshake ended without an answer")
			}
			return 0, err
		}
		return w.answered.Sub(w.sent), nil
	}
	req := []byte{5, 1, 0}
	if pt.kind == kindHTTP {
		req = []byte("OPTIONS * HTTP/1.1\r\nHost: " + (&url.URL{Host: pt.serverName}).Host + "\r\nConnection: close\r\n\r\n")
	}
	start := time.Now()
	if _, err := conn.Write(req); err != nil {
		return 0, fmt.Errorf("write: %w", err)
	}
	var b [1]byte
	if _, err := conn.Read(b[:]); err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("read: %w", err)
	}
	return time.Since(start), nil
}

// probeTLSConfig is the ClientHello of a round-trip probe. Only the
// server's first answer is timed, so the hello offers the classic key
// shares (checks.ClassicCurves): Go's default post-quantum hybrid would
// also make the hello span two packets.
func probeTLSConfig(serverName string) *tls.Config {
	return &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12, CurvePreferences: checks.ClassicCurves()}
}

// timedConn notes when the first request bytes went out and when the
// first answer came back, then stops the handshake.
type timedConn struct {
	net.Conn
	sent, answered time.Time
}

func (c *timedConn) Write(p []byte) (int, error) {
	if c.sent.IsZero() {
		c.sent = time.Now()
	}
	return c.Conn.Write(p)
}

func (c *timedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 || errors.Is(err, io.EOF) {
		if c.answered.IsZero() {
			c.answered = time.Now()
		}
		return 0, errAnswered
	}
	return n, err
}

// ok are the round trips of the probes that were not lost.
func (rt roundTrips) ok() []time.Duration {
	var out []time.Duration
	for _, s := range rt.samples {
		if !s.lost() {
			out = append(out, s.rtt())
		}
	}
	return out
}

// lost counts the lost probes.
func (rt roundTrips) lost() int { return len(rt.samples) - len(rt.ok()) }

// median is the median round trip of the probes not lost (0: none).
func (rt roundTrips) median() time.Duration {
	ok := slices.Clone(rt.ok())
	if len(ok) == 0 {
		return 0
	}
	slices.Sort(ok)
	if n := len(ok); n%2 == 0 {
		return (ok[n/2-1] + ok[n/2]) / 2
	}
	return ok[len(ok)/2]
}

// jitter is the mean difference between consecutive round trips.
func (rt roundTrips) jitter() time.Duration {
	ok := rt.ok()
	if len(ok) < 2 {
		return 0
	}
	var sum time.Duration
	for i := 1; i < len(ok); i++ {
		sum += (ok[i] - ok[i-1]).Abs()
	}
	return sum / time.Duration(len(ok)-1)
}

// firstError is the failure of the first lost probe, for the evidence.
func (rt roundTrips) firstError() string {
	for _, s := range rt.samples {
		if s.err != nil {
			return classify(s.err)
		}
		if s.lost() {
			return fmt.Sprintf("the connect took %v: a retransmitted SYN", s.connect.Round(time.Millisecond))
		}
	}
	return ""
}
