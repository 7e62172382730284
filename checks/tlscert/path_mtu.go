package tlscert

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// smallMSS is the TCP segment size of the retry: small enough for every
// VPN, PPPoE link and tunnel (their MTUs are 1280–1492 bytes).
const smallMSS = 1000

// firstTryShare is the share of the time left that the first handshake
// gets when a small-packet retry may follow: a working server answers in
// well under a second, a black hole never.
const firstTryShare = 0.55

// canRetrySmall reports whether a stalled handshake can be retried with a
// small MSS: only on a direct route (through a proxy our socket's MSS does
// not reach the far path) and where the OS lets us set it.
func canRetrySmall(route checks.Route) bool {
	return route.Direct() && mssControl(smallMSS) != nil
}

// firstTryContext bounds the first handshake when a retry may follow.
func firstTryContext(ctx context.Context, retry bool) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !retry || !ok {
		return context.WithCancel(ctx)
	}
	left := time.Until(dl)
	return context.WithTimeout(ctx, time.Duration(float64(left)*firstTryShare))
}

// retrySmall connects to addr (the address that stalled) again with a
// small MSS and runs the handshake. ok reports that the server's flight
// came through this time: the first attempt hit a path-MTU black hole.
//
// A control handshake with full-size packets runs at the same time: when it
// completes too, the first attempt was merely slow (a busy server or
// machine), not a black hole, and ok is false.
func retrySmall(ctx context.Context, env *checks.Env, addr, host string) (h Handshake, ok bool, err error) {
	type outcome struct {
		h   Handshake
		err error
	}
	control := make(chan outcome, 1)
	go func() {
		ch, cerr := handshakeWith(ctx, env, net.Dialer{}, addr, host)
		control <- outcome{ch, cerr}
	}()
	h, err = handshakeWith(ctx, env, net.Dialer{Control: mssControl(smallMSS)}, addr, host)
	small := err == nil || !netfail.IsTimeout(err)
	c := <-control
	if small && c.err == nil {
		return c.h, false, nil
	}
	return h, small, err
}

// handshakeWith dials addr with d and runs the TLS handshake.
func handshakeWith(ctx context.Context, env *checks.Env, d net.Dialer, addr, host string) (Handshake, error) {
	conn, err := env.DialWith(ctx, d, "tcp", addr)
	if err != nil {
		return Handshake{Host: host, Addr: addr}, err
	}
	defer conn.Close()
	return Probe(ctx, conn, host)
}

// pathMTUFinding is NET_PATH_MTU: the handshake stalled with full-size
// packets and completed with small ones. first is the stalled attempt's
// error; retried is what the small-packet handshake showed.
func pathMTUFinding(h Handshake, first error, waited time.Duration, retried checks.Result) checks.Result {
	mss := strconv.Itoa(smallMSS)
	return checks.Finding(checks.StatusFail, CodePathMTU, checks.SeverityCritical, checks.OwnerIT,
		fmt.Sprintf("the connection to %s opens but stalls once the server sends large packets (its certificate); with packets of %s bytes the handshake completes: a path-MTU black hole (VPN, PPPoE or tunnel)",
			h.Host, mss)).
		WithParam("host", h.Host).WithParam("mss", mss).
		With("host", h.Host).With("address", h.Addr).
		With("working_mss", smallMSS).
		With("first_attempt", fmt.Sprintf("no TLS answer within %s: %v", waited.Round(100*time.Millisecond), first)).
		With("small_packet_verdict", retried.Code)
}
