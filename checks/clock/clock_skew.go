package clock

import (
	"context"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewClockSkew returns the clock.skew check.
func NewClockSkew() checks.Check { return placeholderClockSkew{} }

type placeholderClockSkew struct{}

func (placeholderClockSkew) Info() checks.Info {
	return checks.Info{ID: "clock.skew", Stage: checks.StageDevice, DependsOn: []string{}, About: "local clock vs NTP and the CRM's HTTP Date (one-time codes allow about ±30 s)"}
}

func (placeholderClockSkew) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}
