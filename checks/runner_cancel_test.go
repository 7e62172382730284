package checks

import (
	"context"
	"testing"
	"time"
)

// A check cut short by the run's cancellation (Ctrl-C) reports whatever its
// interrupted work looked like — a timeout here, "network unreachable" for
// a connect. That is no finding: it is the check's CHECK_ERROR.
func TestRunnerCancelledCheckIsCheckError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	slow := fake("slow", nil, sleeping(time.Hour))
	res := (&Runner{Registry: mustRegistry(t, slow), CheckTimeout: time.Hour}).Run(ctx, NewEnv(Target{}), nil)
	if res[0].Status != StatusError || res[0].Code != CodeCheckError {
		t.Fatalf("cancelled check = %s/%s, want error/CHECK_ERROR", res[0].Status, res[0].Code)
	}
}
