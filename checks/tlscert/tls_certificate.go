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
	"sync"

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

// Run judges the TLS of the login host and of every other endpoint that
// speaks TLS (endpoints on a TLS port, regional URLs), each along its own
// route and concurrently, and reports the worst finding, naming its host,
// with every host listed in evidence.hosts. A plain http:// login page is
// TLS_PLAINTEXT, a warning that does not stop the checks after it.
// Result.Data is the login host's Handshake when it completed.
func (*Check) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	u := env.Target.URL
	if u == nil {
		return checks.NotConfigured("url")
	}
	// A hanging server is reported as such before the runner gives up.
	ctx, cancel := checks.Budget{Reserve: checks.TLSReserve, Share: 10}.Context(ctx)
	defer cancel()
	tgs := targets(env.Target, deps)
	results := judgeAll(ctx, env, tgs)
	if u.Scheme == "http" {
		login := target{role: roleLogin, host: u.Hostname(), hostport: env.Target.HostPort(), u: u}
		tgs = append([]target{login}, tgs...)
		results = append([]checks.Result{plaintext(u.Hostname())}, results...)
	}
	if len(results) == 0 {
		return checks.NotConfigured("url")
	}
	res := combine(tgs, results)
	res.Data = nil
	if h, ok := results[0].Data.(Handshake); ok && tgs[0].role == roleLogin {
		res.Data = h
	}
	return res
}

// judgeAll judges every target concurrently; results are in tgs' order.
func judgeAll(ctx context.Context, env *checks.Env, tgs []target) []checks.Result {
	results := make([]checks.Result, len(tgs))
	var wg sync.WaitGroup
	for i, tg := range tgs {
		wg.Go(func() { results[i] = judgeHost(ctx, env, tg) })
	}
	wg.Wait()
	return results
}

// plaintext is TLS_PLAINTEXT: the login page is plain http://, so the
// password crosses every network on the way unencrypted. The login can
// work, so it is a warning for the CRM's administrator.
func plaintext(host string) checks.Result {
	return checks.Finding(checks.StatusWarn, CodePlaintext, checks.SeverityHigh, checks.OwnerAdmin,
		"the login page uses plain http://: TLS is not used, passwords travel unencrypted").
		WithParam("host", host).With("host", host).With("plaintext", true)
}
