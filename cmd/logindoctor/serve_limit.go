package main

import (
	"context"
	"errors"
	"sync/atomic"
)

// errBusy: no probe slot came free before the probe's own deadline, or the
// queue was full. The answer is 503 with Retry-After.
var errBusy = errors.New("all probe slots are busy")

// limiter bounds the probes that run at once (and, among them, those that
// start a browser), and how many may wait: a request beyond that is turned
// away at once instead of piling up; a waiting one gives up at its deadline.
type limiter struct {
	slots    chan struct{}
	browser  chan struct{}
	maxQueue int64
	waiting  atomic.Int64
	metrics  *serverMetrics
}

func newLimiter(probes, browserProbes, maxQueue int, m *serverMetrics) *limiter {
	probes = max(probes, 1)
	browserProbes = min(max(browserProbes, 1), probes)
	return &limiter{slots: make(chan struct{}, probes), browser: make(chan struct{}, browserProbes), maxQueue: int64(max(maxQueue, 0)), metrics: m}
}

// acquire waits for a slot (and a browser slot when browser is set) until
// ctx ends. The returned release must be called once the probe is done.
func (l *limiter) acquire(ctx context.Context, browser bool) (release func(), err error) {
	if !l.tryAcquire(browser) {
		if l.waiting.Add(1) > l.maxQueue {
			l.waiting.Add(-1)
			return nil, errBusy
		}
		l.metrics.queue.Inc()
		err := l.wait(ctx, browser)
		l.metrics.queue.Dec()
		l.waiting.Add(-1)
		if err != nil {
			return nil, err
		}
	}
	l.metrics.inFlight.Inc()
	var once atomic.Bool
	return func() {
		if once.Swap(true) {
			return
		}
		l.metrics.inFlight.Dec()
		<-l.slots
		if browser {
			<-l.browser
		}
	}, nil
}

// tryAcquire takes the slots without waiting, or nothing.
func (l *limiter) tryAcquire(browser bool) bool {
	if browser {
		select {
		case l.browser <- struct{}{}:
		default:
			return false
		}
	}
	select {
	case l.slots <- struct{}{}:
		return true
	default:
		if browser {
			<-l.browser
		}
		return false
	}
}

// wait blocks for the slots until ctx ends. The browser slot is taken
// first: a browser probe waiting for a general slot holds no general slot
// that plain probes could use.
func (l *limiter) wait(ctx context.Context, browser bool) error {
	if browser {
		select {
		case l.browser <- struct{}{}:
		case <-ctx.Done():
			return errBusy
		}
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		if browser {
			<-l.browser
		}
		return errBusy
	}
}
