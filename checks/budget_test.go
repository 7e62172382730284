package checks

import (
	"context"
	"testing"
	"time"
)

// TestReservesFitTheDefaultTimeout: every reserve leaves the work most of
// a default check's time, and ends before the runner would abandon the
// check (its deadline plus abandonGrace).
func TestReservesFitTheDefaultTimeout(t *testing.T) {
	for name, r := range map[string]time.Duration{
		"DNSReserve": DNSReserve, "DialReserve": DialReserve, "ProxyReserve": ProxyReserve,
		"TLSReserve": TLSReserve, "HTTPReserve": HTTPReserve, "APIReserve": APIReserve,
		"ClockReserve": ClockReserve, "BrowserReserve": BrowserReserve,
	} {
		if r <= 0 || r > DefaultCheckTimeout/3 {
			t.Errorf("%s = %v: want more than 0 and at most a third of the %v default check timeout", name, r, DefaultCheckTimeout)
		}
	}
	if abandonGrace >= DefaultCheckTimeout/10 {
		t.Errorf("abandonGrace %v is not small beside the %v default check timeout", abandonGrace, DefaultCheckTimeout)
	}
}

// TestBudgetDeadline: the reserve, its share of a short deadline, the cap,
// a missing deadline and one already past.
func TestBudgetDeadline(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(d time.Duration) context.Context {
		ctx, cancel := context.WithDeadline(context.Background(), now.Add(d))
		t.Cleanup(cancel)
		return ctx
	}
	for _, tc := range []struct {
		name string
		b    Budget
		ctx  context.Context
		want time.Duration // from now
	}{
		{"the reserve", Budget{Reserve: 200 * time.Millisecond, Share: 4}, at(10 * time.Second), 9800 * time.Millisecond},
		{"a share of a short deadline", Budget{Reserve: 200 * time.Millisecond, Share: 4}, at(400 * time.Millisecond), 300 * time.Millisecond},
		{"no share: the reserve alone", Budget{Reserve: 200 * time.Millisecond}, at(400 * time.Millisecond), 200 * time.Millisecond},
		{"the cap", Budget{Reserve: 200 * time.Millisecond, Share: 4, Cap: 5 * time.Second}, at(10 * time.Second), 5 * time.Second},
		{"cap beyond the reserve", Budget{Reserve: 2 * time.Second, Share: 5, Cap: 9 * time.Second}, at(10 * time.Second), 8 * time.Second},
		{"no deadline: the default timeout", Budget{Reserve: 2 * time.Second, Share: 5}, context.Background(), DefaultCheckTimeout - 2*time.Second},
		{"no deadline, capped", Budget{Reserve: DNSReserve, Share: 5, Cap: 5 * time.Second}, context.Background(), 5 * time.Second},
		{"deadline past: nothing kept back", Budget{Reserve: time.Second, Share: 4}, at(-time.Second), -time.Second},
	} {
		if got := tc.b.Deadline(tc.ctx, now).Sub(now); got != tc.want {
			t.Errorf("%s: work ends %v from now, want %v", tc.name, got, tc.want)
		}
	}
}

// TestBudgetContext: the work's context ends before the check's.
func TestBudgetContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	wctx, wcancel := Budget{Reserve: 300 * time.Millisecond, Share: 2}.Context(ctx)
	defer wcancel()
	dl, _ := ctx.Deadline()
	wdl, ok := wctx.Deadline()
	if !ok || dl.Sub(wdl) < 290*time.Millisecond || dl.Sub(wdl) > 300*time.Millisecond {
		t.Fatalf("work ends %v before the check, want 300ms", dl.Sub(wdl))
	}
}
