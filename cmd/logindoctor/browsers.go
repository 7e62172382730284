package main

import (
	"context"
	"slices"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/browser"
)

// warmBrowser gives a run that includes browser.page a pool of one
// browser and starts Chrome at once, so that its launch overlaps the
// network checks (dns, proxy, reach, tls, http) instead of following
// them. It returns what ends the pool once the checks are done: the close
// runs through env.Go, so waitCleanup waits for it (bounded) on every way
// out, Ctrl-C included. A run without browser.page (or whose env already
// has browsers) gets a no-op.
func warmBrowser(env *checks.Env, ids []string) (closeBrowsers func(ctx context.Context)) {
	if env.Browsers != nil || !slices.Contains(ids, browser.ID) {
		return func(context.Context) {}
	}
	pool := browser.NewPool(browser.PoolOptions{Size: 1})
	env.Browsers = pool
	pool.Warm(env)
	return func(ctx context.Context) {
		env.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, cleanupWait)
			defer cancel()
			_ = pool.Close(ctx)
		})
	}
}
