package browser

import (
	"fmt"
	"sync"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
)

// proxyAuth answers the proxy's 407 with the route's credentials, inside
// the browser (never on its command line); a server's own 401 is cancelled
// (we have no credentials for it), and a proxy that rejects the
// credentials is answered only once per request.
type proxyAuth struct {
	page     *rod.Page
	user, pw string
	mu       sync.Mutex
	tried    map[proto.FetchRequestID]bool
}

// armProxyAuth enables request interception with auth handling on p.
func armProxyAuth(p *rod.Page, user, pw string) (*proxyAuth, error) {
	if err := (proto.FetchEnable{HandleAuthRequests: true}).Call(p); err != nil {
		return nil, fmt.Errorf("browser: proxy auth: %w", err)
	}
	return &proxyAuth{page: p, user: user, pw: pw, tried: map[proto.FetchRequestID]bool{}}, nil
}

func (a *proxyAuth) handlers() []any { return []any{a.onPaused, a.onAuth} }

func (a *proxyAuth) onPaused(e *proto.FetchRequestPaused) {
	go func() { _ = (proto.FetchContinueRequest{RequestID: e.RequestID}).Call(a.page) }()
}

func (a *proxyAuth) onAuth(e *proto.FetchAuthRequired) {
	a.mu.Lock()
	first := !a.tried[e.RequestID]
	a.tried[e.RequestID] = true
	a.mu.Unlock()
	resp := &proto.FetchAuthChallengeResponse{Response: proto.FetchAuthChallengeResponseResponseCancelAuth}
	if first && e.AuthChallenge != nil && e.AuthChallenge.Source == proto.FetchAuthChallengeSourceProxy {
		resp = &proto.FetchAuthChallengeResponse{
			Response: proto.FetchAuthChallengeResponseResponseProvideCredentials, Username: a.user, Password: a.pw}
	}
	go func() {
		_ = (proto.FetchContinueWithAuth{RequestID: e.RequestID, AuthChallengeResponse: resp}).Call(a.page)
	}()
}
