// Package quality is the net.quality check: how good the path to the login
// host is — round-trip time and jitter from a few spaced connects, loss
// (connects that failed or needed a retransmit), and the download speed of
// a bounded transfer from the login host — judged against what a browser
// login needs: about 100 kbit/s to log in, 10 Mbit/s to work comfortably.
//
// Through a proxy the round trips are measured to the proxy (the first hop
// this computer controls) and the report says so; the transfer takes the
// route the browser takes.
package quality

import (
	"context"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
	"github.com/logindoctor/logindoctor/checks/reach"
)

// ID is the check's stable ID.
const ID = "net.quality"

// The reason codes of net.quality; all are warnings.
const (
	CodeHighLatency = "NET_HIGH_LATENCY"
	CodePacketLoss  = "NET_PACKET_LOSS"
	CodeSlowLink    = "NET_SLOW_LINK"
)

// The defaults of the quality.* keys.
const (
	DefaultLatencyWarn  = 250 * time.Millisecond
	DefaultMinBandwidth = 2_000_000 // bit/s
)

// maxWork bounds the whole measurement, however long the check may run.
const maxWork = 5 * time.Second

// New returns the net.quality check.
func New() checks.Check { return check{} }

type check struct{}

var _ checks.Check = check{}

func (check) Info() checks.Info {
	return checks.Info{ID: ID, Stage: checks.StageNetwork, DependsOn: []string{reach.ID}}
}

// Run measures the round trips first and the transfer after them (a
// transfer running alongside would inflate the round trips of a slow link).
func (check) Run(ctx context.Context, env *checks.Env, deps checks.Deps) checks.Result {
	if env.Target.URL == nil || env.Target.Host() == "" {
		return checks.NotConfigured("url")
	}
	wctx, cancel := checks.Budget{Reserve: checks.QualityReserve, Share: 4, Cap: maxWork}.Context(ctx)
	defer cancel()
	route, err := env.Route(wctx, env.Target.URL)
	if err != nil {
		route = checks.Route{Source: checks.SourceDirect}
	}
	pt := probeTarget(env.Target, route, deps)
	rt := measureRoundTrips(wctx, env.Dialer, pt)
	dl := measureDownload(wctx, env, route, rt.median())
	return verdict(limitsOf(env.Target.Quality), pt, rt, dl)
}

// limits are the thresholds of one run.
type limits struct {
	latency   time.Duration
	bandwidth int64 // bit/s
}

func limitsOf(q checks.QualityConfig) limits {
	l := limits{latency: q.LatencyWarn, bandwidth: q.MinBandwidth}
	if l.latency <= 0 {
		l.latency = DefaultLatencyWarn
	}
	if l.bandwidth <= 0 {
		l.bandwidth = DefaultMinBandwidth
	}
	return l
}

// classify names a failed probe for the evidence.
func classify(err error) string {
	if f := netfail.Dial(err); f.Detail != "" {
		return f.Detail
	}
	return err.Error()
}
