package checks

import (
	"context"
	"sync/atomic"
	"time"
)

// fakeCheck is a configurable check for runner and registry tests.
type fakeCheck struct {
	info  Info
	run   func(ctx context.Context) Result
	calls atomic.Int32
}

func (f *fakeCheck) Info() Info { return f.info }

func (f *fakeCheck) Run(ctx context.Context, _ *Env, _ Deps) Result {
	f.calls.Add(1)
	return f.run(ctx)
}

func fake(id string, deps []string, run func(ctx context.Context) Result) *fakeCheck {
	return &fakeCheck{info: Info{ID: id, Stage: StageNetwork, DependsOn: deps}, run: run}
}

func passing(context.Context) Result { return Pass("fine") }

func failing(context.Context) Result {
	return Finding(StatusFail, "FAKE_FAIL", SeverityCritical, OwnerIT, "broken")
}

// sleeping passes after d, or returns a timeout finding when ctx ends first.
func sleeping(d time.Duration) func(ctx context.Context) Result {
	return func(ctx context.Context) Result {
		select {
		case <-time.After(d):
			return Pass("slept")
		case <-ctx.Done():
			return Finding(StatusFail, "FAKE_TIMEOUT", SeverityHigh, OwnerIT, "deadline")
		}
	}
}
