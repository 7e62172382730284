// Package httplogin is the http.login check: it opens the login page along
// the browser's route and follows the redirect chain by hand (CRM → single
// sign-on provider → back), recording every hop. Hosts on the chain other
// than the login host get their own name lookup, connect and TLS checks at
// that hop, so that a broken SSO host is reported with the code of the
// layer that failed and evidence.hop naming it. Like a browser, the walk
// trusts a chain completed with an intermediate the server omitted but its
// AIA URL serves (tls.certificate's download for the login host, its own
// for the other hosts): a TLS_INCOMPLETE_CHAIN warning (tls.certificate's,
// or the hop's), never a failure.
package httplogin

import (
	"context"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/tlscert"
)

// ID is the check's stable ID.
const ID = "http.login"

// Reason codes of http.login (a failing hop carries its layer's code).
const (
	CodeStatus       = "HTTP_STATUS"
	CodeRedirectLoop = "HTTP_REDIRECT_LOOP"
	CodeTimeout      = "HTTP_TIMEOUT"
	CodeSlow         = "HTTP_SLOW"
	CodeNegotiate    = "HTTP_NEGOTIATE"
)

// Limits of one walk down the redirect chain.
const (
	// MaxRedirects is how many redirects are followed before the chain
	// counts as a loop (browsers stop at about 20; SSO flows need < 10).
	MaxRedirects = 10
	// MaxBody is how much of the final page is read.
	MaxBody = 2 << 20
	// maxRedirectBody is how much of a redirect's body is read.
	maxRedirectBody = 64 << 10
	// DefaultSlowAfter is http.slow_after when it is not set.
	DefaultSlowAfter = 3 * time.Second
	// maxPhase bounds a hop's name lookup and its connect.
	maxPhase = 5 * time.Second
)

// Login is the http.login check. Redirect hops on a direct route are
// looked up through env.Resolver.
type Login struct{}

var _ checks.Check = (*Login)(nil)

// New returns the http.login check.
func New() checks.Check { return &Login{} }

// HostsFrom is http.login's Result.Data among a dependent check's deps:
// the redirect chain's host names in order, without repeats, if it ran.
func HostsFrom(deps checks.Deps) ([]string, bool) {
	h, ok := deps[ID].Data.([]string)
	return h, ok
}

// Info describes the check.
func (*Login) Info() checks.Info {
	return checks.Info{
		ID:        ID,
		Stage:     checks.StageNetwork,
		DependsOn: []string{tlscert.ID},
	}
}

// Run opens the login page and follows its redirects. Result.Data is the
// chain's host names ([]string, in order, without repeats). The login
// page is verified with the intermediates tls.certificate downloaded when
// its server omits one (a browser downloads it too).
func (*Login) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	u := env.Target.URL
	if u == nil {
		return checks.NotConfigured("url")
	}
	// The hop and layer that hung are reported before the runner gives up.
	ctx, cancel := checks.Budget{Reserve: checks.HTTPReserve, Share: 10}.Context(ctx)
	defer cancel()
	w := newWalk(env, u)
	if h, ok := tlscert.HandshakeFrom(deps); ok && len(h.Fetched) > 0 {
		w.fetched[w.loginHP] = h.Fetched
	}
	out := w.run(ctx)
	out.Data = w.hostNames()
	return out
}
