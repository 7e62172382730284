package tlscert

import (
	"context"
	"fmt"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// judgeHost connects to one target along its route and judges its TLS:
// the handshake (retried with small packets when it stalls on a direct
// route), a client certificate the server insists on, the chain
// (completed via AIA like a browser would) and the certificate itself.
// The result names the host; Data is the Handshake when it completed.
func judgeHost(ctx context.Context, env *checks.Env, tg target) checks.Result {
	route, err := env.Route(ctx, tg.u)
	if err != nil {
		return checks.Errored("cannot decide the route to "+tg.host+": "+err.Error()).
			WithParam("host", tg.host).With("host", tg.host)
	}
	start := time.Now()
	conn, err := env.DialRoute(ctx, route, tg.hostport)
	if err != nil {
		return NetFailure(err, route, tg.host, tg.hostport, time.Since(start))
	}
	defer conn.Close()
	retry := canRetrySmall(route)
	fctx, cancel := firstTryContext(ctx, retry)
	defer cancel()
	start = time.Now()
	tc, h, err := handshake(fctx, conn, tg.host)
	h.Addr = tg.hostport
	if err != nil {
		waited := time.Since(start)
		if retry && netfail.IsTimeout(err) && ctx.Err() == nil {
			return stalled(ctx, env, conn.RemoteAddr().String(), h, err, waited).With("route", route.String())
		}
		return HandshakeFailure(h, err).With("route", route.String())
	}
	if h.ClientCertRequested && tg.web {
		if why := refusedWithoutCert(ctx, tc, tg.host, tg.u.Path); why != "" {
			return clientCertRequired(tg.host, why).With("address", tg.hostport).With("route", route.String())
		}
	}
	o := OptionsFor(env)
	if tg.role == roleEndpoint {
		o.ExpectedIssuers = nil // they are the CRM's; an SSO or API host has its own
	}
	h = CompleteChain(ctx, env, h, o)
	res := Classify(h, o).With("route", route.String())
	if route.Direct() {
		res = res.With("connected_to", conn.RemoteAddr().String())
	}
	res.Data = h
	return res
}

// stalled judges a handshake that got no answer in time on a direct
// route: retried with small packets, it is NET_PATH_MTU if it then
// completes, else the TLS_HANDSHAKE_FAILED timeout it was.
func stalled(ctx context.Context, env *checks.Env, addr string, h Handshake, first error, waited time.Duration) checks.Result {
	small, ok, err := retrySmall(ctx, env, addr, h.Host)
	if !ok && err == nil {
		// Full-size packets came through on the second try: the first
		// was only slow. Judge the certificate that arrived.
		small.Addr = h.Addr
		o := OptionsFor(env)
		small = CompleteChain(ctx, env, small, o)
		res := Classify(small, o).With("first_attempt", fmt.Sprintf("no TLS answer within %s; a second handshake completed", waited.Round(100*time.Millisecond)))
		res.Data = small
		return res
	}
	if !ok {
		res := HandshakeFailure(h, first)
		if err != nil {
			res = res.With("small_packet_retry", err.Error())
		}
		return res
	}
	small.Addr = h.Addr
	var retried checks.Result
	if err != nil {
		retried = HandshakeFailure(small, err)
	} else {
		retried = Classify(small, OptionsFor(env))
	}
	return pathMTUFinding(h, first, waited, retried)
}
