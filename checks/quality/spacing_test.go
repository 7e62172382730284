package quality

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

// dialFunc is a checks.Dialer.
type dialFunc func(ctx context.Context) (net.Conn, error)

func (f dialFunc) DialContext(ctx context.Context, _, _ string) (net.Conn, error) { return f(ctx) }

// On a path that answers at once, the probes follow one another in their
// two lanes: two in flight, never more, so the six take about three round
// trips and a burst of probes cannot crowd the path.
func TestProbesRunTwoAtATimeOnAFastPath(t *testing.T) {
	var mu sync.Mutex
	inFlight, most, dials := 0, 0, 0
	d := dialFunc(func(context.Context) (net.Conn, error) {
		mu.Lock()
		inFlight++
		dials++
		most = max(most, inFlight)
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		time.Sleep(10 * time.Millisecond) // a fast path's refusal, well within spacing
		return nil, errors.New("connection refused")
	})
	rt := measureRoundTrips(context.Background(), d, target{addr: "192.0.2.1:443", kind: kindTLS})
	if dials != probes || most != lanes {
		t.Errorf("%d dials (want %d), at most %d in flight (want %d)", dials, probes, most, lanes)
	}
	if rt.lost() != probes {
		t.Errorf("%d lost, want every probe", rt.lost())
	}
}

// While a probe waits (a lost SYN), the next ones start spacing apart, not
// all at once: one burst of loss does not take them all.
func TestProbesSpreadWhileOneWaits(t *testing.T) {
	var mu sync.Mutex
	var starts []time.Time
	d := dialFunc(func(ctx context.Context) (net.Conn, error) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*spacing)
	defer cancel()
	measureRoundTrips(ctx, d, target{addr: "192.0.2.1:443", kind: kindTLS})
	if len(starts) != probes {
		t.Fatalf("%d probes started, want %d", len(starts), probes)
	}
	for i := 1; i < len(starts); i++ {
		// spacing runs from the launch of the probe before, which may reach
		// its dial a little later on a loaded machine: half is the bound.
		if gap := starts[i].Sub(starts[i-1]); gap < spacing/2 {
			t.Errorf("probe %d started %s after the one before, want about %s", i, gap, spacing)
		}
	}
}
