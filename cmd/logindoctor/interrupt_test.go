//go:build unix

package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/hostile"
)

// Ctrl-C in the middle of a run against a server that never answers: the
// checks cut short make no diagnosis — the interrupted line, no numbered
// fix, no "send IT the saved report", exit 3.
func TestInterruptedRunGivesNoDiagnosis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv, err := hostile.Start(hostile.Options{Mode: hostile.Silent})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, format := range []string{"text", "json"} {
		cmd := exec.Command(bin, "https://"+srv.Addr()+"/login", "--config", loopbackProfile(t, ""),
			"--check-timeout", "30s", "--timeout", "60s", "--skip", "device.browsers,browser.page", "--format", format)
		cmd.Env = binaryEnv(t.TempDir(), t.TempDir())
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Signal once the run is waiting on the silent server.
		for deadline := time.Now().Add(10 * time.Second); srv.Accepted() == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		}
		time.Sleep(200 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		all := stdout.String() + stderr.String()
		if code := cmd.ProcessState.ExitCode(); code != exitBroken {
			t.Errorf("%s: exit %d, want 3\n%s", format, code, all)
		}
		if !strings.Contains(all, "Interrupted — no diagnosis") {
			t.Errorf("%s: no interrupted line:\n%s", format, all)
		}
		if regexp.MustCompile(`(?m)^\s*1\. `).MatchString(all) || strings.Contains(all, `"fixes"`) ||
			strings.Contains(all, "NET_") || strings.Contains(all, "saved report") {
			t.Errorf("%s: a fix list or advice after Ctrl-C:\n%s", format, all)
		}
	}
}
