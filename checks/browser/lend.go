package browser

import (
	"context"
	"time"

	"github.com/go-rod/rod"

	"github.com/logindoctor/logindoctor/checks"
)

// Lend borrows a browser of the pool for pages the caller drives itself
// (tests of the tool's own web pages): bin launched as browser.page
// launches it (headless, its own profile, no proxy, its process tree tied
// to ours), in a fresh incognito context. The browser is bound to ctx;
// give it back with the returned function, once. Close still closes it.
func (p *Pool) Lend(ctx context.Context, bin string) (*rod.Browser, func(), error) {
	l, err := p.take(ctx, poolRequest{spec: launchSpec{Bin: bin, Route: checks.Route{Source: checks.SourceDirect}}})
	if err != nil {
		return nil, nil, err
	}
	return l.browser.Context(ctx), func() { l.end(time.Now().Add(closeWait)) }, nil
}
