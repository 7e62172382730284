package httplogin

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
	"github.com/logindoctor/logindoctor/checks/tlscert"
)

// checkHop checks a host on the chain that is not the login host, once:
// its name lookup and connect (on a direct route; a proxy resolves and
// connects itself) and its TLS, judged like tls.certificate judges the
// login host (without expected_issuers, which are the CRM's). It reports
// whether the hop failed; a TLS warning is kept for the final verdict.
func (w *walk) checkHop(ctx context.Context, u *url.URL) (checks.Result, bool) {
	hp := hostPort(u)
	if hp == w.loginHP || w.checked[hp] {
		return checks.Result{}, false
	}
	w.checked[hp] = true
	host := u.Hostname()
	route, err := w.env.Route(ctx, u)
	if err != nil {
		return checks.Errored(fmt.Sprintf("cannot decide the route to %s: %v", host, err)), true
	}
	var conn net.Conn
	if route.Direct() {
		addrs, res, failed := w.lookup(ctx, host)
		if failed {
			return res, true
		}
		if conn, res, failed = w.connect(ctx, host, u.Port(), hp, addrs); failed {
			return res, true
		}
		w.pinned[hp] = conn.RemoteAddr().String()
	} else {
		start := time.Now()
		if conn, err = w.env.DialRoute(ctx, route, hp); err != nil {
			return tlscert.NetFailure(err, route, host, hp, time.Since(start)), true
		}
	}
	defer conn.Close()
	if u.Scheme != "https" {
		return checks.Result{}, false
	}
	h, err := tlscert.Probe(ctx, conn, host)
	h.Addr = hp
	if err != nil {
		return tlscert.HandshakeFailure(h, err), true
	}
	opts := tlscert.OptionsFor(w.env)
	opts.ExpectedIssuers = nil
	// A missing intermediate is downloaded along its route, as
	// tls.certificate does for the login host and as a browser does.
	h = tlscert.CompleteChain(ctx, w.env, h, opts)
	if len(h.Fetched) > 0 {
		w.fetched[hp] = h.Fetched
	}
	res := tlscert.Classify(h, opts)
	switch res.Status {
	case checks.StatusFail, checks.StatusError:
		return res, true
	case checks.StatusWarn:
		if w.hopWarn == nil {
			r := w.atHop(res, u)
			w.hopWarn = &r
		}
	}
	return checks.Result{}, false
}

// lookup resolves a hop's name with its own short deadline.
func (w *walk) lookup(ctx context.Context, host string) ([]string, checks.Result, bool) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}, checks.Result{}, false
	}
	pctx, cancel := phase(ctx)
	defer cancel()
	start := time.Now()
	ips, err := w.env.Resolver.LookupIPAddr(pctx, host)
	if err == nil && len(ips) == 0 {
		return nil, checks.Finding(checks.StatusFail, netfail.DNSNoAddress, checks.SeverityCritical, checks.OwnerIT,
			fmt.Sprintf("the sign-in host %s has no address", host)).WithParam("host", host), true
	}
	if err != nil {
		return nil, checks.Finding(checks.StatusFail, netfail.Lookup(err), checks.SeverityCritical, checks.OwnerIT,
			fmt.Sprintf("the sign-in host %s does not resolve: %v", host, err)).
			WithParam("host", host).
			With("error", err.Error()).
			With("lookup_ms", time.Since(start).Milliseconds()), true
	}
	addrs := make([]string, len(ips))
	for i, ip := range ips {
		addrs[i] = ip.IP.String()
	}
	return addrs, checks.Result{}, false
}

// connect tries each address in turn under one short deadline and returns
// the first connection; if none connects, the first failure is reported.
func (w *walk) connect(ctx context.Context, host, port, hp string, addrs []string) (net.Conn, checks.Result, bool) {
	if port == "" {
		_, port, _ = net.SplitHostPort(hp)
	}
	pctx, cancel := phase(ctx)
	defer cancel()
	start := time.Now()
	var first error
	var firstAddr string
	var tried []string
	for _, a := range addrs {
		addr := net.JoinHostPort(a, port)
		tried = append(tried, addr)
		conn, err := w.env.Dialer.DialContext(pctx, "tcp", addr)
		if err == nil {
			return conn, checks.Result{}, false
		}
		if first == nil {
			first, firstAddr = err, addr
		}
		if pctx.Err() != nil {
			break
		}
	}
	return nil, tlscert.NetFailure(first, checks.Route{Source: checks.SourceDirect}, host, hp, time.Since(start)).
		With("tried", strings.Join(tried, ", ")).With("failed_address", firstAddr), true
}

// phase is a sub-deadline for one step of a hop (at most maxPhase); the
// walk's own context already ends early enough to report the step that hung.
func phase(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, maxPhase)
}
