package account

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// Provider is one identity provider, CRM API or directory. It reads its
// own typed settings out of the account.* keys, and talks to its service
// with the run's seams (route, dialer, resolver, trusted roots, clock).
type Provider interface {
	// Needs names the account.* keys this provider needs that cfg leaves
	// empty (account.provider and account.user are the check's).
	Needs(cfg checks.AccountConfig) []string
	// Endpoint is the address the lookup talks to; an error names the
	// setting that is wrong.
	Endpoint(cfg checks.AccountConfig) (*url.URL, error)
	// Lookup asks about call.Config.User. call.Config.Token holds the
	// secret: a Provider sends it only where its protocol says and never
	// puts it in a State, an error or the call's evidence.
	Lookup(ctx context.Context, call *Call) (State, error)
}

// Call is one lookup: the run's Env, the account settings (secret read),
// and the evidence the provider gathers on the way, which the check
// reports whatever the outcome.
type Call struct {
	Env    *checks.Env
	Config checks.AccountConfig
	notes  map[string]any
}

// Note records a fact for the result's evidence (never a secret).
func (c *Call) Note(key string, value any) {
	if c.notes == nil {
		c.notes = map[string]any{}
	}
	c.notes[key] = value
}

// Providers returns the known providers by their account.provider name:
// the one list of them.
func Providers() map[string]Provider {
	return map[string]Provider{
		"okta":       viaHTTP{api: okta{}},
		"entra":      viaHTTP{api: entra{}},
		"salesforce": viaHTTP{api: salesforce{}},
		"keycloak":   viaHTTP{api: keycloak{}, needs: keycloakNeeds},
		"generic":    viaHTTP{api: generic{}, needs: genericNeeds, endpoint: genericEndpoint},
		"ldap":       directory{},
	}
}

// ProviderNames lists the valid values of account.provider, sorted.
func ProviderNames() []string {
	var names []string
	for name := range Providers() {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// jsonAPI is a provider whose service is an HTTP JSON API.
type jsonAPI interface {
	fetch(ctx context.Context, client *http.Client, cfg checks.AccountConfig) (State, error)
}

// viaHTTP adapts a jsonAPI to Provider: it takes the route the browser
// would take to the API (direct or a proxy) and an HTTP client over the
// run's dialer and trusted roots.
type viaHTTP struct {
	api      jsonAPI
	needs    func(cfg checks.AccountConfig) []string
	endpoint func(cfg checks.AccountConfig) (*url.URL, error)
}

func (v viaHTTP) Needs(cfg checks.AccountConfig) []string {
	var missing []string
	// A provider with its own endpoint rule (generic) names base_url itself.
	if v.endpoint == nil && strings.TrimSpace(cfg.BaseURL) == "" {
		missing = append(missing, "account.base_url")
	}
	if v.needs != nil {
		missing = append(missing, v.needs(cfg)...)
	}
	return missing
}

func (v viaHTTP) Endpoint(cfg checks.AccountConfig) (*url.URL, error) {
	if v.endpoint != nil {
		return v.endpoint(cfg)
	}
	return parseBase(cfg.BaseURL)
}

func (v viaHTTP) Lookup(ctx context.Context, call *Call) (State, error) {
	u, err := v.Endpoint(call.Config)
	if err != nil {
		return State{}, err
	}
	rt, err := call.Env.Route(ctx, u)
	if err != nil {
		return State{}, &RouteError{Err: err}
	}
	call.Note("route", rt.String())
	client := &http.Client{
		Transport:     call.Env.Transport(rt, nil),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	return v.api.fetch(ctx, client, call.Config)
}

// RouteError is a route to the API that could not be decided.
type RouteError struct{ Err error }

func (e *RouteError) Error() string { return "no route: " + e.Err.Error() }

// Unwrap returns ErrAPIUnreachable and the cause.
func (e *RouteError) Unwrap() []error { return []error{ErrAPIUnreachable, e.Err} }

func keycloakNeeds(cfg checks.AccountConfig) []string {
	if strings.TrimSpace(cfg.Realm) == "" {
		return []string{"account.realm"}
	}
	return nil
}

// genericNeeds: an absolute account.generic.url needs no base_url.
func genericNeeds(cfg checks.AccountConfig) []string {
	var missing []string
	if strings.TrimSpace(cfg.BaseURL) == "" && !strings.Contains(cfg.Generic.URL, "://") {
		missing = append(missing, "account.base_url")
	}
	if strings.TrimSpace(cfg.Generic.URL) == "" {
		missing = append(missing, "account.generic.url")
	}
	if strings.TrimSpace(cfg.Generic.StatusPath) == "" {
		missing = append(missing, "account.generic.status_path")
	}
	if len(cfg.Generic.States) == 0 {
		missing = append(missing, "account.generic.states")
	}
	return missing
}

func genericEndpoint(cfg checks.AccountConfig) (*url.URL, error) {
	s, err := genericURL(cfg)
	if err != nil {
		return nil, err
	}
	return parseBase(s)
}
