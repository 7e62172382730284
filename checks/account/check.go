// Package account holds the account.status check: it asks the identity
// provider's or CRM's API (Okta, Microsoft Entra ID via Graph, Salesforce,
// Keycloak, or a generic JSON endpoint) or the company directory over LDAP
// (Active Directory, OpenLDAP with ppolicy) whether the login name can sign
// in at all: active, locked, disabled, password expired or to be changed,
// MFA enrolled. One file per provider, each with a pure parse function;
// Providers is the one list of them.
package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// The reason codes of account.status.
const (
	CodeNotFound       = "ACCOUNT_NOT_FOUND"
	CodeDisabled       = "ACCOUNT_DISABLED"
	CodeLocked         = "ACCOUNT_LOCKED"
	CodeExpired        = "ACCOUNT_PASSWORD_EXPIRED"
	CodeMustChange     = "ACCOUNT_MUST_CHANGE_PASSWORD"
	CodeExpiring       = "ACCOUNT_PASSWORD_EXPIRING"
	CodeMFANotEnrolled = "ACCOUNT_MFA_NOT_ENROLLED"
	CodeAPIAuth        = "ACCOUNT_API_AUTH"
	CodeAPIUnreachable = "ACCOUNT_API_UNREACHABLE"
)

// DefaultTokenEnv is the variable holding the API token when
// account.token_env is empty.
const DefaultTokenEnv = "LOGINDOCTOR_ACCOUNT_TOKEN"

// ID is account.status' stable ID.
const ID = "account.status"

// New returns the account.status check.
func New() checks.Check { return statusCheck{} }

type statusCheck struct{}

var _ checks.Check = statusCheck{}

func (statusCheck) Info() checks.Info {
	return checks.Info{
		ID:        ID,
		Stage:     checks.StageAccount,
		DependsOn: []string{},
		Needs:     []string{"account.provider", "account.base_url", "account.user"},
	}
}

func (statusCheck) Run(ctx context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	cfg := env.Target.Account
	cfg.Provider = strings.ToLower(strings.TrimSpace(cfg.Provider))
	p, known := Providers()[cfg.Provider]
	if res, ok := notConfigured(cfg, p); !ok {
		return res
	}
	if !known {
		return checks.Errored(fmt.Sprintf("account.provider: unknown provider %q (use one of %s)", truncate(cfg.Provider, 40), strings.Join(ProviderNames(), ", ")))
	}
	res, ok := token(env, &cfg)
	if !ok {
		return res
	}
	return scrub(run(ctx, env, p, cfg), cfg.Token)
}

func run(ctx context.Context, env *checks.Env, p Provider, cfg checks.AccountConfig) checks.Result {
	endpoint, err := p.Endpoint(cfg)
	if err != nil {
		return checks.Errored(err.Error())
	}
	call := &Call{Env: env, Config: cfg}
	actx, cancel := apiContext(ctx)
	defer cancel()
	st, err := p.Lookup(actx, call)
	var res checks.Result
	if err != nil {
		res = apiError(cfg, err)
	} else {
		res = fromState(env, cfg, st)
	}
	res = res.With("api", endpoint.Scheme+"://"+endpoint.Host).With("provider", cfg.Provider)
	for k, v := range call.notes {
		res = res.With(k, v)
	}
	return res
}

// notConfigured names the missing keys (p may be nil: an empty or unknown
// provider); ok is true when all are set.
func notConfigured(cfg checks.AccountConfig, p Provider) (checks.Result, bool) {
	var missing, own []string
	if cfg.Provider == "" {
		missing = append(missing, "account.provider")
	}
	switch {
	case p != nil:
		own = p.Needs(cfg)
	case strings.TrimSpace(cfg.BaseURL) == "":
		own = []string{"account.base_url"}
	}
	if i := slices.Index(own, "account.base_url"); i >= 0 {
		missing = append(missing, "account.base_url")
		own = slices.Delete(own, i, i+1)
	}
	if strings.TrimSpace(cfg.User) == "" {
		missing = append(missing, "account.user")
	}
	missing = append(missing, own...)
	if len(missing) == 0 {
		return checks.Result{}, true
	}
	res := checks.NotConfigured(strings.Join(missing, ", ")).With("missing", missing)
	return res, false
}

// token fills cfg.Token with ReadSecret unless the caller already did;
// without it the check is skipped, naming the variable (never a value).
func token(env *checks.Env, cfg *checks.AccountConfig) (checks.Result, bool) {
	if cfg.Token != "" {
		return checks.Result{}, true
	}
	secret, err := ReadSecret(env.Getenv, *cfg)
	if err != nil {
		return checks.Errored(err.Error()), false
	}
	if cfg.Token = secret; secret != "" {
		return checks.Result{}, true
	}
	name := TokenEnvName(*cfg)
	res := checks.NotConfigured(name)
	res.Summary = fmt.Sprintf("not configured: the %s is missing — set the environment variable %s (named by account.token_env) or account.token_file to enable this check", secretName(cfg.Provider), name)
	return res.With("token_env", name), false
}

// secretName says what the secret is for the provider.
func secretName(provider string) string {
	if provider == "ldap" {
		return "directory service account's password"
	}
	return provider + " API token"
}

// apiContext bounds the API calls: they end checks.APIReserve (at most a
// fifth of the time left) before the check's deadline, so that a hanging
// API still yields our own ACCOUNT_API_UNREACHABLE finding before the
// runner gives up on the check.
func apiContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return checks.Budget{Reserve: checks.APIReserve, Share: 5}.Context(ctx)
}

// apiError turns a Lookup error into ACCOUNT_API_AUTH or
// ACCOUNT_API_UNREACHABLE; neither says anything about the account.
func apiError(cfg checks.AccountConfig, err error) checks.Result {
	status := 0
	var he *HTTPError
	if errors.As(err, &he) {
		status = he.Status
	}
	tokenEnv := cfg.TokenEnv
	if tokenEnv == "" {
		tokenEnv = DefaultTokenEnv
	}
	base := params(cfg).withInt("status", status)
	if errors.Is(err, ErrAPIAuth) {
		return authError(cfg, err, status, base.with("token_env", tokenEnv).with("bind_dn", cfg.LDAP.BindDN))
	}
	variant, what := "", "cannot be reached"
	switch {
	case errors.Is(err, ErrAPITimeout):
		variant, what = "timeout", "did not answer in time"
	case errors.Is(err, ErrAPIServer):
		variant, what = "server_error", fmt.Sprintf("had a server error (HTTP %d)", status)
	case errors.Is(err, ErrUnmapped):
		variant, what = "unmapped", "gave a state value that account.generic.states does not map"
	case errors.Is(err, ErrBadResponse):
		variant, what = "bad_response", "gave an answer that cannot be used"
	}
	api := display(cfg.Provider) + " API"
	if cfg.Provider == "ldap" {
		api = display(cfg.Provider)
	}
	res := checks.Finding(checks.StatusWarn, CodeAPIUnreachable, checks.SeverityLow, checks.OwnerIT,
		fmt.Sprintf("the %s %s, so the account %s could not be checked: %v", api, what, cfg.User, err))
	res.Variant = variant
	res = base.apply(res).With("error", err.Error())
	if status != 0 {
		res = res.With("http_status", status)
	}
	return res
}

// authError is ACCOUNT_API_AUTH: the diagnosis's own credential (API token
// or directory service account) was refused; nothing about the account.
func authError(cfg checks.AccountConfig, err error, status int, p paramSet) checks.Result {
	if cfg.Provider == "ldap" {
		res := checks.Finding(checks.StatusWarn, CodeAPIAuth, checks.SeverityLow, checks.OwnerIT,
			fmt.Sprintf("the LDAP directory refused the diagnosis's service account %s (%v): this is a problem of the diagnosis setup, not of the account %s", truncate(cfg.LDAP.BindDN, 120), err, cfg.User))
		res.Variant = "directory"
		return p.apply(res).With("bind_dn", truncate(cfg.LDAP.BindDN, 200)).With("token_env", p["token_env"]).With("error", err.Error())
	}
	res := checks.Finding(checks.StatusWarn, CodeAPIAuth, checks.SeverityLow, checks.OwnerIT,
		fmt.Sprintf("the %s API refused the diagnosis's token (HTTP %d): this is a problem of the diagnosis setup, not of the account %s", display(cfg.Provider), status, cfg.User))
	return p.apply(res).With("http_status", status).With("token_env", p["token_env"])
}
