package tlscert

import (
	"context"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewCheck returns the tls.certificate check.
func NewCheck() checks.Check { return placeholderCheck{} }

type placeholderCheck struct{}

func (placeholderCheck) Info() checks.Info {
	return checks.Info{ID: "tls.certificate", Stage: checks.StageNetwork, DependsOn: []string{"net.reach"}, About: "certificate chain, host name, validity, TLS version, interception"}
}

func (placeholderCheck) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}
