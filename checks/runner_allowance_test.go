package checks

import (
	"context"
	"testing"
	"time"
)

// deadlineCheck reports how much time its context gave it.
type deadlineCheck struct{ allowance time.Duration }

func (d deadlineCheck) Info() Info {
	return Info{ID: "test.deadline", Stage: StageBrowser, StartAllowance: d.allowance}
}

func (d deadlineCheck) Run(ctx context.Context, _ *Env, _ Deps) Result {
	dl, _ := ctx.Deadline()
	return Pass("ok").With("left", time.Until(dl))
}

// TestStartAllowanceExtendsDeadline: a check that declares a start-up
// allowance (browser.page: Chrome starting) gets check_timeout plus it.
func TestStartAllowanceExtendsDeadline(t *testing.T) {
	for _, allowance := range []time.Duration{0, 3 * time.Second} {
		reg, err := NewRegistry(deadlineCheck{allowance})
		if err != nil {
			t.Fatal(err)
		}
		rs := (&Runner{Registry: reg, CheckTimeout: time.Second}).Run(context.Background(), NewEnv(Target{}), nil)
		left, _ := rs[0].Evidence["left"].(time.Duration)
		if want := time.Second + allowance; left > want || left < want-500*time.Millisecond {
			t.Errorf("allowance %v: the check had %v, want about %v", allowance, left, want)
		}
	}
}
