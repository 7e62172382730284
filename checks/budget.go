package checks

import (
	"context"
	"time"
)

// DefaultCheckTimeout is a check's deadline when the target sets none
// (check_timeout's default).
const DefaultCheckTimeout = 10 * time.Second

// The reserves of the built-in checks, in one list so that a test can hold
// them against DefaultCheckTimeout. A reserve is the most a check keeps
// back from its deadline, after its network work is cut short, to judge
// and report what that work saw: a hanging server must give the check's
// own finding (NET_TIMEOUT, PROXY_UNREACHABLE …), not a check the runner
// abandoned at its deadline.
const (
	// DNSReserve: dns.resolve judges every host's answers after its lookups.
	DNSReserve = 250 * time.Millisecond
	// DialReserve: net.reach sums up the connects of every endpoint.
	DialReserve = 200 * time.Millisecond
	// ProxyReserve: proxy.route reports a proxy that accepts and never
	// answers CONNECT as PROXY_UNREACHABLE.
	ProxyReserve = 2 * time.Second
	// QualityReserve: net.quality sums up its probes and the transfer.
	QualityReserve = 200 * time.Millisecond
	// TLSReserve: tls.certificate reports a server that never finishes
	// the handshake.
	TLSReserve = 300 * time.Millisecond
	// HTTPReserve: http.login names the hop and layer that hung.
	HTTPReserve = 300 * time.Millisecond
	// APIReserve: account.status and policy.network report an API that
	// does not answer (ACCOUNT_API_UNREACHABLE, POLICY_IP_UNKNOWN).
	APIReserve = 2 * time.Second
	// ClockReserve: clock.skew compares the time sources that answered.
	ClockReserve = 3 * time.Second
	// BrowserReserve: browser.page takes the screenshot, closes the
	// browser and removes its profile.
	BrowserReserve = 1500 * time.Millisecond
)

// Budget shares a check's time between its network work and the reporting
// after it: the work ends Reserve before the check's deadline, but keeps
// back at most 1/Share of the time left (so that a short deadline still
// leaves time to work), and never runs longer than Cap.
type Budget struct {
	// Reserve is the most kept back from the deadline (one of the
	// reserves above).
	Reserve time.Duration
	// Share bounds the reserve to 1/Share of the time left; 0 or 1:
	// the reserve alone decides.
	Share int
	// Cap bounds the work however far away the deadline is; 0: no cap.
	Cap time.Duration
}

// Deadline is when the work must end, seen at now. Without a deadline on
// ctx the check's is taken to be DefaultCheckTimeout away.
func (b Budget) Deadline(ctx context.Context, now time.Time) time.Time {
	dl, ok := ctx.Deadline()
	if !ok {
		dl = now.Add(DefaultCheckTimeout)
	}
	left := dl.Sub(now)
	reserve := b.Reserve
	if b.Share > 1 {
		reserve = min(reserve, left/time.Duration(b.Share))
	}
	end := dl.Add(-max(reserve, 0))
	if b.Cap > 0 && end.Sub(now) > b.Cap {
		end = now.Add(b.Cap)
	}
	return end
}

// Context returns a context that ends at the work's deadline.
func (b Budget) Context(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithDeadline(ctx, b.Deadline(ctx, time.Now()))
}
