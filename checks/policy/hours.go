package policy

import (
	"context"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewHours returns the policy.hours check.
func NewHours() checks.Check { return placeholderHours{} }

type placeholderHours struct{}

func (placeholderHours) Info() checks.Info {
	return checks.Info{ID: "policy.hours", Stage: checks.StagePolicy, DependsOn: []string{}, About: "now is inside the configured login hours"}
}

func (placeholderHours) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}
