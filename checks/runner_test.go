package checks

import (
	"context"
	"sync"
	"testing"
	"time"
)

func mustRegistry(t *testing.T, cs ...Check) *Registry {
	t.Helper()
	r, err := NewRegistry(cs...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunnerBlocksDependentsAndNeverCallsThem(t *testing.T) {
	a := fake("a", nil, failing)
	b := fake("b", []string{"a"}, passing)
	c := fake("c", []string{"b"}, passing)
	d := fake("d", nil, passing)
	run := &Runner{Registry: mustRegistry(t, a, b, c, d), CheckTimeout: time.Second}
	res := run.Run(context.Background(), NewEnv(Target{}), nil)

	want := []struct{ id, status, code, by string }{
		{"a", "fail", "FAKE_FAIL", ""},
		{"b", "skip", CodeBlocked, "a"},
		{"c", "skip", CodeBlocked, "b"},
		{"d", "pass", CodeOK, ""},
	}
	if len(res) != len(want) {
		t.Fatalf("got %d results, want %d", len(res), len(want))
	}
	for i, w := range want {
		r := res[i]
		if r.Check != w.id || string(r.Status) != w.status || r.Code != w.code || r.BlockedBy != w.by {
			t.Errorf("result %d = %s %s %s blocked_by=%q; want %s %s %s %q", i, r.Check, r.Status, r.Code, r.BlockedBy, w.id, w.status, w.code, w.by)
		}
	}
	if n := b.calls.Load() + c.calls.Load(); n != 0 {
		t.Fatalf("blocked checks ran %d times", n)
	}
}

func TestRunnerPanicBecomesCheckError(t *testing.T) {
	boom := fake("boom", nil, func(context.Context) Result { panic("kaput") })
	after := fake("after", []string{"boom"}, passing)
	res := (&Runner{Registry: mustRegistry(t, boom, after), CheckTimeout: time.Second}).Run(context.Background(), NewEnv(Target{}), nil)
	if res[0].Status != StatusError || res[0].Code != CodeCheckError {
		t.Fatalf("panic gave %s/%s, want error/CHECK_ERROR", res[0].Status, res[0].Code)
	}
	if res[1].Code != CodeBlocked || res[1].BlockedBy != "boom" {
		t.Fatalf("dependent of a crashed check = %s blocked_by %q", res[1].Code, res[1].BlockedBy)
	}
}

func TestRunnerIsConcurrent(t *testing.T) {
	// Three independent checks that each wait until all three have started:
	// they finish only if they really run at the same time.
	var wg sync.WaitGroup
	wg.Add(3)
	barrier := func(ctx context.Context) Result {
		wg.Done()
		ch := make(chan struct{})
		go func() { wg.Wait(); close(ch) }()
		select {
		case <-ch:
			return Pass("met")
		case <-ctx.Done():
			return failing(ctx)
		}
	}
	r := mustRegistry(t, fake("x", nil, barrier), fake("y", nil, barrier), fake("z", nil, barrier))
	for _, res := range (&Runner{Registry: r, CheckTimeout: 5 * time.Second}).Run(context.Background(), NewEnv(Target{}), nil) {
		if res.Status != StatusPass {
			t.Fatalf("%s: %s — checks did not run concurrently", res.Check, res.Status)
		}
	}
}

func TestRunnerCheckDeadline(t *testing.T) {
	slow := fake("slow", nil, sleeping(time.Hour))
	res := (&Runner{Registry: mustRegistry(t, slow), CheckTimeout: 50 * time.Millisecond}).Run(context.Background(), NewEnv(Target{}), nil)
	if res[0].Code != "FAKE_TIMEOUT" {
		t.Fatalf("slow check = %s, want its own timeout finding", res[0].Code)
	}
}

func TestRunnerAbandonsCheckIgnoringContext(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	stuck := fake("stuck", nil, func(context.Context) Result { <-release; return Pass("late") })
	res := (&Runner{Registry: mustRegistry(t, stuck), CheckTimeout: 20 * time.Millisecond}).Run(context.Background(), NewEnv(Target{}), nil)
	if res[0].Status != StatusError || res[0].Code != CodeCheckError {
		t.Fatalf("stuck check = %s/%s, want error/CHECK_ERROR", res[0].Status, res[0].Code)
	}
}

func TestRunnerRunDeadlineEndsEverything(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	first := fake("first", nil, sleeping(time.Hour))
	second := fake("second", []string{"first"}, passing)
	res := (&Runner{Registry: mustRegistry(t, first, second), CheckTimeout: time.Hour}).Run(ctx, NewEnv(Target{}), nil)
	if res[0].Code != "FAKE_TIMEOUT" {
		t.Fatalf("first = %s, want its timeout finding", res[0].Code)
	}
	if res[1].Status == StatusPass || second.calls.Load() != 0 {
		t.Fatalf("second ran after the run's deadline: %s", res[1].Status)
	}
}

func TestRunnerOnlySelected(t *testing.T) {
	a := fake("a", nil, failing)
	b := fake("b", []string{"a"}, passing)
	res := (&Runner{Registry: mustRegistry(t, a, b), CheckTimeout: time.Second}).Run(context.Background(), NewEnv(Target{}), []string{"b"})
	if len(res) != 1 || res[0].Check != "b" || res[0].Status != StatusPass || a.calls.Load() != 0 {
		t.Fatalf("--only b: got %+v (a ran %d times)", res, a.calls.Load())
	}
}

type decider struct{ *fakeCheck }

func (decider) BlockedBy(Deps) string { return "" }

func TestRunnerBlockDecider(t *testing.T) {
	a := fake("a", nil, failing)
	b := decider{fake("b", []string{"a"}, passing)}
	res := (&Runner{Registry: mustRegistry(t, a, b), CheckTimeout: time.Second}).Run(context.Background(), NewEnv(Target{}), nil)
	if res[1].Status != StatusPass || b.calls.Load() != 1 {
		t.Fatalf("a check that decides to run despite a failed dependency did not run: %s", res[1].Status)
	}
}

func TestRunnerProgressEvents(t *testing.T) {
	var mu sync.Mutex
	var events []Event
	r := &Runner{Registry: mustRegistry(t, fake("a", nil, passing), fake("b", []string{"a"}, passing)), CheckTimeout: time.Second,
		Progress: func(e Event) { mu.Lock(); events = append(events, e); mu.Unlock() }}
	r.Run(context.Background(), NewEnv(Target{}), nil)
	if len(events) != 4 {
		t.Fatalf("got %d progress events, want start+done for two checks", len(events))
	}
}
