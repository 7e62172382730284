package checks

import (
	"context"
	"net/url"
	"testing"
	"time"
)

// TestRouteDecisionIsTracked: the route decision outlives the check that
// asked for it (other checks share it), so it must be work the program
// waits for — not a goroutine nobody tracks.
func TestRouteDecisionIsTracked(t *testing.T) {
	release := make(chan struct{})
	env := NewEnv(Target{CheckTimeout: 5 * time.Second})
	env.RouteFinder = func(ctx context.Context, _ *Env, _ *url.URL) (Route, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return Route{Source: SourceDirect}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the asking check ends at once
	u, _ := url.Parse("https://crm.example.test/")
	if _, err := env.Route(ctx, u); err == nil {
		t.Fatal("Route returned a route to a cancelled caller")
	}
	short, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if env.WaitBackground(short) {
		t.Fatal("WaitBackground did not wait for the route decision still running")
	}
	close(release)
	done, stop2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop2()
	if !env.WaitBackground(done) {
		t.Fatal("WaitBackground did not see the route decision end")
	}
}
