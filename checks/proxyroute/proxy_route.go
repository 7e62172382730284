package proxyroute

import (
	"context"
	"net/url"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewCheck returns the proxy.route check.
func NewCheck() checks.Check { return placeholderCheck{} }

type placeholderCheck struct{}

func (placeholderCheck) Info() checks.Info {
	return checks.Info{ID: "proxy.route", Stage: checks.StageNetwork, DependsOn: []string{}, About: "the route the browser takes: env, system settings, PAC; the proxy answers"}
}

func (placeholderCheck) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}

// FindRoute decides the route to u (PLACEHOLDER: always direct).
func FindRoute(ctx context.Context, env *checks.Env, u *url.URL) (checks.Route, error) {
	return checks.Route{Source: checks.SourceDirect}, nil
}
