package reach

import (
	"context"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewCheck returns the net.reach check.
func NewCheck() checks.Check { return placeholderCheck{} }

type placeholderCheck struct{}

func (placeholderCheck) Info() checks.Info {
	return checks.Info{ID: "net.reach", Stage: checks.StageNetwork, DependsOn: []string{"proxy.route", "dns.resolve"}, About: "TCP reachability of every endpoint, through the proxy when the route says so"}
}

func (placeholderCheck) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}
