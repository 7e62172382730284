package device

import (
	"context"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewBrowsers returns the device.browsers check.
func NewBrowsers() checks.Check { return placeholderBrowsers{} }

type placeholderBrowsers struct{}

func (placeholderBrowsers) Info() checks.Info {
	return checks.Info{ID: "device.browsers", Stage: checks.StageDevice, DependsOn: []string{}, About: "installed browsers and their versions; IE-only or outdated browsers"}
}

func (placeholderBrowsers) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}
