// Package tlscert is the tls.certificate check: it connects to the login
// host along the browser's route, runs a TLS handshake that verifies
// nothing itself, and then judges the certificate chain against the run's
// roots and clock so that every failure gets its own reason code and the
// chain is reported even when it is bad. Its pure helpers (Probe,
// Classify, HandshakeFailure, NetFailure) are shared with
// http.login, which checks the TLS of every redirect hop the same way.
package tlscert

import (
	"context"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/reach"
)

// ID is the check's stable ID.
const ID = "tls.certificate"

// Check is the tls.certificate check.
type Check struct{}

var _ checks.Check = (*Check)(nil)

// New returns the tls.certificate check.
func New() checks.Check { return &Check{} }

// HandshakeFrom is tls.certificate's Result.Data among a dependent check's
// deps: what the login host's handshake showed, if it completed.
func HandshakeFrom(deps checks.Deps) (Handshake, bool) {
	h, ok := deps[ID].Data.(Handshake)
	return h, ok
}

// Info describes the check.
func (*Check) Info() checks.Info {
	return checks.Info{
		ID:        ID,
		Stage:     checks.StageNetwork,
		DependsOn: []string{reach.ID},
		About:     "certificate chain, host name, validity, TLS version, interception",
	}
}

var _ checks.BlockDecider = (*Check)(nil)

// BlockedBy runs the check when the login host itself was reached, even if
// another endpoint (an SSO or API host) was not: that endpoint's failure is
// net.reach's finding, and the login page's certificate can still be read.
func (*Check) BlockedBy(deps checks.Deps) string {
	r, ok := deps[reach.ID]
	if !ok || !r.Blocks() {
		return ""
	}
	if facts, ok := reach.FactsFrom(deps); ok && r.Status != checks.StatusError {
		if login, ok := facts.Login(); ok && login.Reachable() {
			return ""
		}
	}
	return reach.ID
}

// Run connects to the login host along its route and judges its TLS.
func (*Check) Run(ctx context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	u := env.Target.URL
	if u == nil {
		return checks.NotConfigured("url")
	}
	host := u.Hostname()
	if u.Scheme == "http" {
		return checks.Pass("the login page uses plain http://: TLS is not used, passwords travel unencrypted").
			WithParam("host", host).With("host", host).With("plaintext", true)
	}
	route, err := env.Route(ctx, u)
	if err != nil {
		return checks.Errored("cannot decide the route to " + host + ": " + err.Error())
	}
	// A hanging server is reported as such before the runner gives up.
	ctx, cancel := checks.Budget{Reserve: checks.TLSReserve, Share: 10}.Context(ctx)
	defer cancel()
	addr := env.Target.HostPort()
	start := time.Now()
	conn, err := env.DialRoute(ctx, route, addr)
	if err != nil {
		return NetFailure(err, route, host, addr, time.Since(start))
	}
	defer conn.Close()
	h, err := Probe(ctx, conn, host)
	h.Addr = addr
	if err != nil {
		return HandshakeFailure(h, err).With("route", route.String())
	}
	res := Classify(h, OptionsFor(env)).With("route", route.String())
	if route.Direct() {
		res = res.With("connected_to", conn.RemoteAddr().String())
	}
	res.Data = h
	return res
}
