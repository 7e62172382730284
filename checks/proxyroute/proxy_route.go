// Package proxyroute is the proxy.route check and the route finder every
// check's network calls take: it decides, the way the browser does, whether
// the CRM is reached directly or through a proxy (configuration,
// environment, system settings, PAC/WPAD), and whether that proxy answers.
package proxyroute

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
	"github.com/logindoctor/logindoctor/checks/proxyroute/pac"
)

// ID is the check's stable ID.
const ID = "proxy.route"

// The reason codes of proxy.route.
const (
	CodePACUnreachable = "PROXY_PAC_UNREACHABLE"
	CodePACError       = "PAC_ERROR"
	CodePACTimeout     = "PAC_TIMEOUT"
	CodeUnreachable    = netfail.ProxyUnreachable
	CodeAuthRequired   = netfail.ProxyAuthRequired
	CodeDenied         = netfail.ProxyDenied
)

// Fix-step variants.
const (
	VariantFile               = "file"                // the PAC is a local file
	VariantTooLarge           = "too_large"           // PAC_ERROR: over the size limit
	VariantInvalid            = "invalid"             // PROXY_UNREACHABLE: the setting is not a proxy URL
	VariantEnv                = "env"                 // the proxy comes from an environment variable
	VariantConfig             = "config"              // the proxy comes from logindoctor's proxy.url
	VariantCredentialsMissing = "credentials_missing" // PROXY_AUTH_REQUIRED, env/config without a password
	VariantCredentialsWrong   = "credentials_wrong"   // PROXY_AUTH_REQUIRED, env/config password refused
	VariantWindowsSSO         = "windows_sso"         // PROXY_AUTH_REQUIRED, only Negotiate/NTLM offered
	VariantFailover           = "failover"            // PROXY_UNREACHABLE (warn): a PAC proxy is dead, the next entry works
)

type routeCheck struct{}

var _ checks.Check = routeCheck{}

// New returns the proxy.route check.
func New() checks.Check { return routeCheck{} }

// RouteFrom is proxy.route's Result.Data among a dependent check's deps:
// the route to the login URL, if proxy.route ran and decided it.
func RouteFrom(deps checks.Deps) (checks.Route, bool) {
	r, ok := deps[ID].Data.(checks.Route)
	return r, ok
}

func (routeCheck) Info() checks.Info {
	return checks.Info{
		ID:        ID,
		Stage:     checks.StageNetwork,
		DependsOn: []string{},
	}
}

// Run decides the route to the login URL and, for a proxy, asks it to
// CONNECT to the CRM. Result.Data is the checks.Route.
func (routeCheck) Run(ctx context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	u := env.Target.URL
	if u == nil {
		return checks.NotConfigured("url")
	}
	route, err := env.Route(ctx, u)
	var res checks.Result
	if err != nil {
		res = routeError(err, route)
	} else {
		res = probe(ctx, env, route, env.Target.HostPort())
		if res.Status == checks.StatusPass {
			res = failedOver(res, route)
		}
	}
	res = withRouteFacts(res, u, route)
	res.Summary = scrub(res.Summary, route)
	res.Data = route
	return res
}

// withRouteFacts adds the evidence every outcome carries.
func withRouteFacts(r checks.Result, u *url.URL, route checks.Route) checks.Result {
	shown := *u
	shown.User = nil
	shownRoute := route.String()
	if route.Source == checks.SourcePAC && route.Rule == "" {
		shownRoute = "undecided: the PAC file could not be used (browsers then go direct)"
	}
	r = r.With("url", shown.String()).With("route", shownRoute).With("source", route.Source)
	if route.Rule != "" {
		r = r.With("rule", route.Rule)
	}
	if route.PACURL != "" {
		r = r.With("pac_url", route.PACURL)
	}
	if route.Source == checks.SourcePAC && route.Rule != "" {
		r = r.With("pac_result", route.Rule)
		if list, err := pac.ParseResult(route.Rule); err == nil && !list[0].Direct() && route.Direct() {
			r = r.With("pac_fallback", "no proxy of the PAC result accepted a connection; the browser falls back to DIRECT")
		}
	}
	if !route.Direct() {
		r = r.With("proxy", route.ProxyHost())
	}
	return r
}

// failedOver turns a working PAC route into a warning when the PAC result
// listed proxies before the one taken that did not accept a connection:
// the browser skips them too (after a wait), so the login works, but the
// dead proxy is IT's to fix. The warning names the dead proxies and what
// was used instead.
func failedOver(r checks.Result, route checks.Route) checks.Result {
	dead := skippedProxies(route)
	if len(dead) == 0 {
		return r
	}
	next := "DIRECT"
	if !route.Direct() {
		next = route.ProxyHost()
	}
	w := checks.Finding(checks.StatusWarn, CodeUnreachable, checks.SeverityLow, checks.OwnerIT,
		fmt.Sprintf("the PAC result lists %s first, which did not accept a connection; the browser fails over to %s, as this run did: %s",
			strings.Join(dead, ", "), next, r.Summary)).
		WithParam("proxy", strings.Join(dead, ", ")).WithParam("setting", setting(route)).WithParam("next", next).
		With("dead_proxies", dead).With("failover_to", next)
	for k, v := range r.Evidence {
		w = w.With(k, v)
	}
	w.Variant = VariantFailover
	return w
}

// skippedProxies are the proxies of a PAC route's result listed before the
// entry the route took (the Finder takes the first that accepts a
// connection, so every one before it did not).
func skippedProxies(route checks.Route) []string {
	if route.Source != checks.SourcePAC || route.Rule == "" {
		return nil
	}
	list, err := pac.ParseResult(route.Rule)
	if err != nil {
		return nil
	}
	var dead []string
	for _, p := range list {
		taken := p.Direct() == route.Direct() && (p.Direct() || strings.EqualFold(p.Host, route.ProxyHost()))
		if taken {
			return dead
		}
		if !p.Direct() {
			dead = append(dead, p.Host)
		}
	}
	return nil // the route is not in the list: nothing was skipped for it
}

// routeError turns a failure to decide the route into a finding.
func routeError(err error, route checks.Route) checks.Result {
	var cfgErr *ConfigError
	var fetchErr *PACFetchError
	var tooBig *pac.TooLargeError
	var timeout *pac.TimeoutError
	var scriptErr *pac.ScriptError
	pacURL := route.PACURL
	switch {
	case errors.As(err, &cfgErr):
		return withVariant(checks.Finding(checks.StatusFail, CodeUnreachable, checks.SeverityCritical, checks.OwnerIT,
			"invalid proxy setting: "+cfgErr.Error()).
			WithParam("setting", cfgErr.Setting).WithParam("proxy", "").
			With("error", cfgErr.Error()), VariantInvalid)
	case errors.As(err, &fetchErr):
		r := checks.Finding(checks.StatusFail, CodePACUnreachable, checks.SeverityHigh, checks.OwnerIT,
			"cannot load the PAC file: "+fetchErr.Error()).
			WithParam("pac_url", pacURL).WithParam("status", statusParam(fetchErr.StatusCode)).
			With("error", fetchErr.Error())
		if !isHTTP(pacURL) {
			r.Variant = VariantFile
		}
		return r
	case errors.As(err, &tooBig):
		return withVariant(checks.Finding(checks.StatusFail, CodePACError, checks.SeverityHigh, checks.OwnerIT,
			tooBig.Error()+" ("+pacURL+")").
			WithParam("pac_url", pacURL).WithParam("limit", pac.ByteSize(tooBig.Limit)).
			With("error", tooBig.Error()), VariantTooLarge)
	case errors.As(err, &timeout):
		return checks.Finding(checks.StatusFail, CodePACTimeout, checks.SeverityHigh, checks.OwnerIT,
			fmt.Sprintf("the PAC script %s did not finish within %v", pacURL, timeout.Limit)).
			WithParam("pac_url", pacURL).WithParam("limit", timeout.Limit.String()).
			With("error", timeout.Error())
	case errors.As(err, &scriptErr):
		return checks.Finding(checks.StatusFail, CodePACError, checks.SeverityHigh, checks.OwnerIT,
			"the PAC script "+pacURL+" is broken: "+scriptErr.Error()).
			WithParam("pac_url", pacURL).WithParam("limit", "").
			With("error", scriptErr.Error()).With("pac_error_kind", scriptErr.Kind)
	}
	return checks.Errored("deciding the route: "+scrub(err.Error(), route)).With("error", scrub(err.Error(), route))
}

// probe asks the route's proxy to CONNECT to the CRM.
func probe(ctx context.Context, env *checks.Env, route checks.Route, target string) checks.Result {
	if route.Direct() {
		return checks.Pass(fmt.Sprintf("route to %s: %s", target, route.String()))
	}
	dialer := env.Dialer
	if dialer == nil {
		dialer = defaultDialer()
	}
	pctx, cancel := probeContext(ctx)
	defer cancel()
	conn, err := route.Dial(pctx, dialer, target)
	if err == nil {
		conn.Close()
		return checks.Pass(fmt.Sprintf("route to %s: %s; the proxy accepted CONNECT", target, route.String())).
			With("connect_status", http.StatusOK)
	}
	proxy := route.ProxyHost()
	var pe *checks.ProxyError
	if errors.As(err, &pe) {
		return refusal(route, target, pe)
	}
	reason := "cannot connect to the proxy"
	if !errors.Is(err, checks.ErrProxyDial) {
		reason = "the proxy did not answer the CONNECT request properly"
	}
	msg := scrub(err.Error(), route)
	r := checks.Finding(checks.StatusFail, CodeUnreachable, checks.SeverityCritical, checks.OwnerIT,
		fmt.Sprintf("%s: %s: %s", reason, route.String(), msg)).
		WithParam("proxy", proxy).WithParam("setting", setting(route)).
		With("error", msg)
	return withVariant(r, sourceVariant(route))
}

// probeContext keeps checks.ProxyReserve (at most a fifth of the check's
// time) for reporting: a proxy that accepts and then never answers must
// give PROXY_UNREACHABLE, not a check abandoned at its deadline.
func probeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return checks.Budget{Reserve: checks.ProxyReserve, Share: 5}.Context(ctx)
}

// refusal judges a proxy's non-200 answer to CONNECT (netfail.ProxyStatus).
func refusal(route checks.Route, target string, pe *checks.ProxyError) checks.Result {
	proxy := route.ProxyHost()
	status := strconv.Itoa(pe.StatusCode)
	what := fmt.Sprintf("CONNECT %s %s was answered %q", target, route.String(), pe.Status)
	switch netfail.ProxyStatus(pe.StatusCode) {
	case CodeAuthRequired:
		return authRequired(route, what, pe.Authenticate).WithParam("proxy", proxy).WithParam("status", status).
			With("connect_status", pe.StatusCode)
	case netfail.NetRefused, netfail.NetTimeout:
		// The proxy works but cannot reach the CRM: net.reach's finding.
		return checks.Pass(fmt.Sprintf("route to %s: %s; the proxy answers but could not reach the CRM (%s)", target, route.String(), pe.Status)).
			With("connect_status", pe.StatusCode).
			With("note", "the proxy is reachable; its "+status+" answer means it could not reach "+target+" (see net.reach)")
	}
	return checks.Finding(checks.StatusFail, CodeDenied, checks.SeverityCritical, checks.OwnerIT, what).
		WithParam("proxy", proxy).WithParam("host", target).WithParam("status", status).
		With("connect_status", pe.StatusCode)
}

// authRequired: a proxy that signs in only Windows accounts (Negotiate,
// NTLM) is for a domain PC or IT, never a password; credentials the user
// set (environment, proxy.url) are the user's to fix, through the
// environment; a system or PAC proxy's sign-in is IT's.
func authRequired(route checks.Route, what string, challenges []string) checks.Result {
	names := authSchemes(challenges)
	if len(names) > 0 {
		what += "; it offers " + strings.Join(names, ", ")
	}
	var r checks.Result
	switch {
	case windowsOnly(names):
		r = withVariant(checks.Finding(checks.StatusFail, CodeAuthRequired, checks.SeverityCritical, checks.OwnerIT,
			what+": it signs in Windows accounts only"), VariantWindowsSSO).WithParam("windows", "yes")
	case route.Source == checks.SourceEnv || route.Source == checks.SourceConfig:
		_, hasPassword := route.Proxy.User.Password()
		variant, detail := VariantCredentialsMissing, "; no user name and password were given"
		if route.Proxy.User != nil && hasPassword {
			variant, detail = VariantCredentialsWrong, "; the user name and password given were refused"
		}
		r = withVariant(checks.Finding(checks.StatusFail, CodeAuthRequired, checks.SeverityCritical, checks.OwnerYou, what+detail), variant)
	default:
		r = checks.Finding(checks.StatusFail, CodeAuthRequired, checks.SeverityHigh, checks.OwnerIT, what)
	}
	r = r.WithParam("setting", setting(route)).WithParam("env_var", credentialsVar(route)).
		WithParam("schemes", strings.Join(names, ", "))
	if len(names) > 0 {
		r = r.With("auth_schemes", names)
	}
	return r
}

// authSchemes are the schemes of a 407's Proxy-Authenticate challenges
// (the first word of each: "Negotiate", "NTLM", "Basic", "Digest"), each
// once, in the proxy's order; never the challenge data.
func authSchemes(challenges []string) []string {
	var out []string
	for _, c := range challenges {
		scheme, _, _ := strings.Cut(strings.TrimSpace(c), " ")
		scheme = canonicalScheme(scheme)
		if scheme != "" && !slices.Contains(out, scheme) && len(out) < 8 {
			out = append(out, scheme)
		}
	}
	return out
}

// canonicalScheme spells the well-known schemes as their RFCs do and
// bounds others (they are the proxy's input).
func canonicalScheme(s string) string {
	for _, known := range []string{"Basic", "Digest", "Negotiate", "NTLM", "Kerberos", "Bearer"} {
		if strings.EqualFold(s, known) {
			return known
		}
	}
	if len(s) > 20 || strings.ContainsFunc(s, func(r rune) bool { return r < '!' || r > '~' }) {
		return ""
	}
	return s
}

// windowsOnly reports schemes that sign in only with the Windows account
// (Negotiate: Kerberos, NTLM) — no Basic or Digest to give a password to.
func windowsOnly(names []string) bool {
	windows := false
	for _, n := range names {
		switch n {
		case "Negotiate", "NTLM", "Kerberos":
			windows = true
		case "Basic", "Digest":
			return false
		}
	}
	return windows
}

// credentialsVar is the environment variable that carries the proxy's
// credentials for this route: the one the proxy came from, or the
// override of proxy.url (secrets never go into the profile).
func credentialsVar(r checks.Route) string {
	switch r.Source {
	case checks.SourceEnv:
		return r.Rule
	case checks.SourceConfig:
		return "LOGINDOCTOR_PROXY_URL"
	}
	return ""
}

// setting names where the proxy was set, for messages.
func setting(r checks.Route) string {
	switch r.Source {
	case checks.SourceEnv:
		return r.Rule
	case checks.SourceConfig:
		return "proxy.url"
	}
	return ""
}

func sourceVariant(r checks.Route) string {
	switch r.Source {
	case checks.SourceEnv:
		return VariantEnv
	case checks.SourceConfig:
		return VariantConfig
	}
	return ""
}

func withVariant(r checks.Result, v string) checks.Result {
	r.Variant = v
	return r
}

func statusParam(code int) string {
	if code == 0 {
		return ""
	}
	return strconv.Itoa(code)
}

func isHTTP(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// scrub removes the route's proxy credentials from s, should any ever get
// there: a last line of defence, every message is built without them.
func scrub(s string, r checks.Route) string {
	if r.Proxy == nil || r.Proxy.User == nil {
		return s
	}
	if pw, ok := r.Proxy.User.Password(); ok && pw != "" {
		s = strings.ReplaceAll(s, pw, "***")
		s = strings.ReplaceAll(s, url.QueryEscape(pw), "***")
	}
	if name := r.Proxy.User.Username(); name != "" {
		s = strings.ReplaceAll(s, name+":", "***:")
	}
	return s
}
