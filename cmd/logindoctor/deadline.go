package main

// --timeout is a hard limit on the whole run: the checks get the run's
// time minus a reserve, and the report, the bundle and the wait for
// clean-up fit into that reserve.

import (
	"context"
	"sync"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// Bounds of the reserve the run keeps, out of --timeout, for what comes
// after the checks: the runner's wait for a late check, the report and the
// bundle, and the browser's clean-up (closing Chrome takes ~0.3 s).
const (
	minReserve = 250 * time.Millisecond
	maxReserve = 3 * time.Second
)

// runDeadlines are the instants of one run.
type runDeadlines struct {
	// checks is when the checks' context ends.
	checks time.Time
	// results is when the run stops waiting for the runner.
	results time.Time
	// end is start + --timeout: everything is done by then.
	end time.Time
}

// planDeadlines splits a run of length timeout starting at start. The
// reserve is a quarter of the run, within [minReserve, maxReserve] and
// never more than half of it; its first third is for checks finishing late,
// the rest for the report, the bundle and the clean-up.
func planDeadlines(start time.Time, timeout time.Duration) runDeadlines {
	reserve := min(max(timeout/4, minReserve), maxReserve, timeout/2)
	end := start.Add(timeout)
	return runDeadlines{checks: end.Add(-reserve), results: end.Add(-reserve * 2 / 3), end: end}
}

// collector keeps the results the runner reports as checks finish, so the
// run can report them even when the runner itself is still waiting for a
// check that ignores its deadline. After close it forwards nothing.
type collector struct {
	mu      sync.Mutex
	done    map[string]checks.Result
	closed  bool
	forward func(checks.Event)
}

func newCollector(forward func(checks.Event)) *collector {
	return &collector{done: map[string]checks.Result{}, forward: forward}
}

// event is the runner's Progress callback.
func (c *collector) event(e checks.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if e.Done {
		c.done[e.ID] = e.Result
	}
	if c.forward != nil {
		c.forward(e)
	}
}

// close stops collecting and returns what finished.
func (c *collector) close() map[string]checks.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return c.done
}

// runChecks runs ids under ctx and returns their results by the instant
// results at the latest: a check still running then is reported as not
// finished instead of holding the run past --timeout.
func (a *app) runChecks(ctx context.Context, results time.Time, runner *checks.Runner, env *checks.Env, ids []string) []checks.Result {
	col := newCollector(runner.Progress)
	r := *runner
	r.Progress = col.event
	ch := make(chan []checks.Result, 1)
	go func() { ch <- r.Run(ctx, env, ids) }()
	timer := time.NewTimer(time.Until(results))
	defer timer.Stop()
	select {
	case res := <-ch:
		col.close()
		return res
	case <-timer.C:
	}
	return a.unfinished(ids, col.close())
}

// unfinished lists the results of ids in registry order, with an error
// result for each check that did not finish.
func (a *app) unfinished(ids []string, done map[string]checks.Result) []checks.Result {
	selected := map[string]bool{}
	for _, id := range ids {
		selected[id] = true
	}
	var out []checks.Result
	for _, c := range a.registry.Checks() {
		in := c.Info()
		if !selected[in.ID] {
			continue
		}
		res, ok := done[in.ID]
		if !ok {
			res = checks.Errored("the run's time limit ended before this check finished")
			res.Check, res.Stage = in.ID, in.Stage
		}
		out = append(out, res)
	}
	return out
}
