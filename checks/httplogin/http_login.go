package httplogin

import (
	"context"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewCheck returns the http.login check.
func NewCheck() checks.Check { return placeholderCheck{} }

type placeholderCheck struct{}

func (placeholderCheck) Info() checks.Info {
	return checks.Info{ID: "http.login", Stage: checks.StageNetwork, DependsOn: []string{"tls.certificate"}, About: "the login page answers: status, SSO redirect chain, latency, maintenance"}
}

func (placeholderCheck) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}
