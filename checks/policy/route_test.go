package policy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// TestEgressTakesTheRoute: the address is learnt through the proxy the route
// names, and a refusal then says so (variant "proxy").
func TestEgressTakesTheRoute(t *testing.T) {
	var seen atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		if r.URL.Host == "" { // not an absolute-form proxy request
			http.Error(w, "not proxied", http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte("192.0.2.200\n")) // the proxy's own public address
	}))
	t.Cleanup(proxy.Close)
	pu, _ := url.Parse(proxy.URL)
	env := checks.NewEnv(checks.Target{Policy: checks.PolicyConfig{
		AllowedNetworks: []string{"203.0.113.0/24"},
		EgressIPURL:     "http://ip.invalid/",
	}})
	env.RouteFinder = func(context.Context, *checks.Env, *url.URL) (checks.Route, error) {
		return checks.Route{Proxy: pu, Source: checks.SourceConfig}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	res := NewNetwork().Run(ctx, env, nil)
	if res.Code != CodeIPNotAllowed || res.Variant != "proxy" || res.Params["ip"] != "192.0.2.200" {
		t.Fatalf("got %s variant %q params %v (%s)", res.Code, res.Variant, res.Params, res.Summary)
	}
	if seen.Load() == 0 {
		t.Fatal("the address was not asked through the proxy")
	}
}
