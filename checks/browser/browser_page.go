package browser

import (
	"context"

	"github.com/logindoctor/logindoctor/checks"
)

// PLACEHOLDER: replaced by the real check.

// NewCheck returns the browser.page check.
func NewCheck() checks.Check { return placeholderCheck{} }

type placeholderCheck struct{}

func (placeholderCheck) Info() checks.Info {
	return checks.Info{ID: "browser.page", Stage: checks.StageBrowser, DependsOn: []string{"http.login"}, About: "headless Chrome loads the login page: JS, cookies, pop-ups, blocked resources, form"}
}

func (placeholderCheck) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	return checks.Skip(checks.CodeNotConfigured, "not implemented yet")
}
