package account

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/idp"
)

// TestAPICallTakesTheRoute proves the lookup goes through the proxy the
// route names (a plain forward proxy on loopback).
func TestAPICallTakesTheRoute(t *testing.T) {
	s := startIDP(t, idp.Options{})
	var seen atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			_, _ = w.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(proxy.Close)
	pu, _ := url.Parse(proxy.URL)
	env := checks.NewEnv(checks.Target{Account: accountCfg(s, "okta", "locked@example.com")})
	env.Now = func() time.Time { return testNow }
	env.Getenv = func(string) string { return s.Token() }
	env.RouteFinder = func(context.Context, *checks.Env, *url.URL) (checks.Route, error) {
		return checks.Route{Proxy: pu, Source: checks.SourceConfig}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res := New().Run(ctx, env, nil)
	if res.Code != CodeLocked {
		t.Fatalf("got %s (%s)", res.Code, res.Summary)
	}
	if seen.Load() == 0 {
		t.Fatal("the API call did not go through the route's proxy")
	}
	if r, _ := res.Evidence["route"].(string); r == "" || r == "direct" {
		t.Errorf("evidence route = %q, want the proxy", r)
	}
}
