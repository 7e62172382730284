package policy

import (
	"context"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewNetwork returns the policy.network check.
func NewNetwork() checks.Check { return placeholderNetwork{} }

type placeholderNetwork struct{}

func (placeholderNetwork) Info() checks.Info {
	return checks.Info{ID: "policy.network", Stage: checks.StagePolicy, DependsOn: []string{}, About: "this machine's public IP is in the allowed networks"}
}

func (placeholderNetwork) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}
