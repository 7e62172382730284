// Package builtin is the one explicit list of logindoctor's built-in checks,
// in the guide's order (device, network, account, browser, policy).
package builtin

import (
	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/account"
	"github.com/logindoctor/logindoctor/checks/browser"
	"github.com/logindoctor/logindoctor/checks/clock"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
	"github.com/logindoctor/logindoctor/checks/httplogin"
	"github.com/logindoctor/logindoctor/checks/policy"
	"github.com/logindoctor/logindoctor/checks/proxyroute"
	"github.com/logindoctor/logindoctor/checks/quality"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/checks/tlscert"
)

// Checks returns fresh instances of every built-in check, in report order.
func Checks() []checks.Check {
	return []checks.Check{
		clock.New(),
		device.New(),
		dnsresolve.New(),
		proxyroute.New(),
		reach.New(reach.Options{PortalProbes: reach.DefaultPortalProbes()}),
		quality.New(),
		tlscert.New(),
		httplogin.New(),
		account.New(),
		browser.New(),
		policy.NewHours(),
		policy.NewNetwork(),
	}
}

// Registry returns the validated registry of built-in checks.
func Registry() (*checks.Registry, error) { return checks.NewRegistry(Checks()...) }

// NewEnv returns a run environment for t whose routes are decided the way
// the browser decides them (proxy.route's finder).
func NewEnv(t checks.Target) *checks.Env {
	env := checks.NewEnv(t)
	env.RouteFinder = proxyroute.FindRoute
	return env
}
