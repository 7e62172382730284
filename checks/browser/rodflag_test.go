package browser

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestStrayRodFlagIsAnUnknownFlag re-runs this test binary with "-rod=x"
// and without DISABLE_ROD_FLAG in its environment. Without the rodflag
// package, rod's init would register -rod and panic on "x"; with it, the
// flag is unknown to the program and flag parsing fails normally (exit 2).
func TestStrayRodFlagIsAnUnknownFlag(t *testing.T) {
	if os.Getenv("LOGINDOCTOR_RODFLAG_CHILD") != "" {
		return
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISABLE_ROD_FLAG=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStrayRodFlagIsAnUnknownFlag$", "-rod=x")
	cmd.Env = append(env, "LOGINDOCTOR_RODFLAG_CHILD=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("want exit code 2, got %v\n%s", err, out)
	}
	if strings.Contains(string(out), "unknown rod env option") || !strings.Contains(string(out), "flag provided but not defined: -rod") {
		t.Fatalf("want an unknown-flag error, not a panic:\n%s", out)
	}
}
