package checks

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// abandonGrace is how long the runner waits past a check's own deadline
// before it gives up on a check that ignores its context.
const abandonGrace = 500 * time.Millisecond

// Event reports progress: a check started (Done false) or finished.
type Event struct {
	ID     string
	Done   bool
	Result Result
}

// Runner runs checks concurrently: every check whose dependencies passed
// runs as soon as they finish, each under CheckTimeout inside the run's
// context. Dependents of a failed check get skip/BLOCKED without running.
type Runner struct {
	Registry     *Registry
	CheckTimeout time.Duration // 0: DefaultCheckTimeout
	// Progress, if set, is called (from many goroutines, serialised by
	// the runner) as checks start and finish.
	Progress func(Event)
}

// Run runs the checks named by ids (all when ids is nil) and returns their
// results in registry order. Dependencies outside ids are treated as met.
// Run always returns once ctx ends, even if a check misbehaves.
func (r *Runner) Run(ctx context.Context, env *Env, ids []string) []Result {
	if ids == nil {
		ids = r.Registry.IDs()
	}
	selected := map[string]bool{}
	for _, id := range ids {
		selected[id] = true
	}
	var order []Check
	for _, c := range r.Registry.Checks() {
		if selected[c.Info().ID] {
			order = append(order, c)
		}
	}
	results := make([]Result, len(order))
	done := make(map[string]chan struct{}, len(order))
	pos := make(map[string]int, len(order))
	for i, c := range order {
		done[c.Info().ID] = make(chan struct{})
		pos[c.Info().ID] = i
	}
	var progressMu sync.Mutex
	report := func(e Event) {
		if r.Progress != nil {
			progressMu.Lock()
			defer progressMu.Unlock()
			r.Progress(e)
		}
	}
	var wg sync.WaitGroup
	for i, c := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := c.Info()
			defer close(done[in.ID])
			deps := Deps{}
			for _, d := range in.DependsOn {
				ch, ok := done[d]
				if !ok {
					continue // not selected: treated as met
				}
				select {
				case <-ch:
					deps[d] = results[pos[d]]
				case <-ctx.Done():
					results[i] = finish(in, runEnded(ctx), 0)
					return
				}
			}
			if by := blockedBy(c, in, deps); by != "" {
				results[i] = finish(in, Skip(CodeBlocked, "not run: "+by+" did not pass"), 0)
				results[i].BlockedBy = by
				results[i].Params = map[string]string{"blocked_by": by}
				report(Event{ID: in.ID, Done: true, Result: results[i]})
				return
			}
			report(Event{ID: in.ID})
			results[i] = r.runOne(ctx, c, in, env, deps)
			report(Event{ID: in.ID, Done: true, Result: results[i]})
		}()
	}
	wg.Wait()
	return results
}

func blockedBy(c Check, in Info, deps Deps) string {
	if bd, ok := c.(BlockDecider); ok {
		return bd.BlockedBy(deps)
	}
	return DefaultBlockedBy(in.DependsOn, deps)
}

// runOne runs one check under its deadline, turning a panic into an error
// result and abandoning a check that outlives its deadline.
func (r *Runner) runOne(ctx context.Context, c Check, in Info, env *Env, deps Deps) Result {
	timeout := r.CheckTimeout
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	timeout += max(in.StartAllowance, 0)
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	ch := make(chan Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				res := Errored(fmt.Sprintf("the check crashed: %v", p))
				res.Evidence = map[string]any{"panic": fmt.Sprint(p), "stack": string(debug.Stack())}
				ch <- res
			}
		}()
		ch <- c.Run(cctx, env, deps)
	}()
	var res Result
	grace := time.NewTimer(timeout + abandonGrace)
	defer grace.Stop()
	select {
	case res = <-ch:
	case <-grace.C:
		res = Errored(fmt.Sprintf("the check did not finish within its %s deadline", timeout))
	case <-ctx.Done():
		// The run ended: give the check a moment to report its own finding.
		select {
		case res = <-ch:
		case <-time.After(abandonGrace):
			res = runEnded(ctx)
		}
	}
	if cutShort(ctx, res) {
		res = runEnded(ctx)
	}
	return finish(in, res, time.Since(start))
}

// cutShort reports a finding made while the run was being cancelled
// (Ctrl-C): whatever it says — a refused or unreachable network, mostly —
// is the cancellation's doing, so it is the check's CHECK_ERROR instead.
func cutShort(ctx context.Context, res Result) bool {
	return errors.Is(ctx.Err(), context.Canceled) && res.Status != StatusPass && res.Status != StatusSkip
}

func runEnded(ctx context.Context) Result {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return Errored("the run's time limit ended before this check finished")
	}
	return Errored("the run was cancelled before this check finished")
}

// finish stamps the runner's fields and fills defaults a check left out.
func finish(in Info, res Result, d time.Duration) Result {
	res.Check = in.ID
	res.Stage = in.Stage
	res.Duration = d
	if res.Status == "" {
		res = Errored("the check returned no status")
		res.Check, res.Stage, res.Duration = in.ID, in.Stage, d
	}
	if res.Code == "" {
		res.Code = CodeOK
	}
	if res.Severity == "" {
		res.Severity = SeverityInfo
	}
	return res
}
