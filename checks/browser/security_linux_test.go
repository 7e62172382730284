package browser

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
	"github.com/logindoctor/logindoctor/fixtures/testenv"
)

// childMode, when set, makes a test run as the helper process of its own
// parent test (see runChild).
const childMode = "LOGINDOCTOR_BROWSER_CHILD"

// needRoot skips outside CI when not root; in CI it fails.
func needRoot(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t, "files owned by another user, and a process tree to kill")
}

// leaklessVersion is the version hash of the leakless guard that go-rod
// v0.116.2 embeds (github.com/ysmood/leakless/pkg/shared.Version): it
// extracts and runs $TMPDIR/leakless-<arch>-<hash>/leakless.
const leaklessVersion = "adb80298fa6a3af7ced8b1c9b5f18007"

// TestPlantedLeaklessNeverRuns plants, as another user, the guard binary
// go-rod's leakless would run from the shared temp dir (a script that
// leaves a marker), then runs the check in a process whose TMPDIR is that
// dir: the browser starts, and the planted file is never executed.
func TestPlantedLeaklessNeverRuns(t *testing.T) {
	if os.Getenv(childMode) == "planted" {
		childRunCheck(t)
		return
	}
	needRoot(t)
	needChrome(t)
	tmp := shortTempDir(t)
	marker := filepath.Join(shortTempDir(t), "planted-binary-ran")
	for _, dir := range []string{"leakless-" + runtime.GOARCH + "-" + leaklessVersion, "leakless-" + leaklessVersion} {
		plant(t, filepath.Join(tmp, dir), "#!/bin/sh\ntouch "+marker+"\n")
	}
	srv := startPages(t, loginpages.Options{})
	out := runChild(t, "planted", []string{"TMPDIR=" + tmp, "LOGINDOCTOR_TEST_URL=" + srv.URL(loginpages.Healthy)})
	if !strings.Contains(out, "CODE "+checks.CodeOK) {
		t.Errorf("the check in the child did not pass (the browser did not run?):\n%s", out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the binary planted in the shared temp dir was executed")
	}
}

// plant makes dir/leakless (and .exe) owned by nobody, running script.
func plant(t *testing.T, dir, script string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "leakless")
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, bin} {
		if err := os.Chown(p, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
}

// childRunCheck (in the child) runs the check on LOGINDOCTOR_TEST_URL and
// prints its code.
func childRunCheck(t *testing.T) {
	c := New().(*pageCheck)
	env := checks.NewEnv(checks.Target{URL: mustURL(t, os.Getenv("LOGINDOCTOR_TEST_URL"))})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.Run(ctx, env, nil)
	env.WaitBackground(ctx)
	os.Stdout.WriteString("CODE " + r.Code + " " + r.Summary + "\n")
}

// runChild runs this test binary's current test as a child in mode.
func runChild(t *testing.T, mode string, env []string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), childMode+"="+mode), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return string(out)
}

// TestChromeDiesWithItsParent: a process that started the browser is
// killed with SIGKILL (no clean-up can run); the browser and its helpers
// are gone within a few seconds all the same.
func TestChromeDiesWithItsParent(t *testing.T) {
	if os.Getenv(childMode) == "orphan" {
		childStartAndWait(t)
		return
	}
	needChrome(t)
	dir := shortTempDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childMode+"=orphan", "LOGINDOCTOR_TEST_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := readReady(t, cmd, stdout)
	if len(chromeProcs(t, dir)) == 0 || len(groupProcs(pid)) == 0 {
		t.Fatalf("no browser running before the kill")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		procs, group := chromeProcs(t, dir), groupProcs(pid)
		if len(procs) == 0 && len(group) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, p := range group {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
			t.Fatalf("the browser outlived its parent: %v (group %d: %v)", procs, pid, group)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readReady reads the child's "READY <browser pid>" line.
func readReady(t *testing.T, cmd *exec.Cmd, stdout interface{ Read([]byte) (int, error) }) int {
	t.Helper()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "READY ") {
				lines <- sc.Text()
				return
			}
		}
		close(lines)
	}()
	select {
	case l, ok := <-lines:
		pid, err := strconv.Atoi(strings.TrimPrefix(l, "READY "))
		if !ok || err != nil {
			_ = cmd.Process.Kill()
			t.Fatalf("child did not start a browser (%q)", l)
		}
		return pid
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("child did not start a browser in 30 s")
	}
	return 0
}

// childStartAndWait (in the child) starts a browser, says so, and waits
// to be killed.
func childStartAndWait(t *testing.T) {
	s, err := newSession(os.Getenv("LOGINDOCTOR_TEST_DIR"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.start(ctx, launchSpec{Bin: needChrome(t), Route: checks.Route{Source: checks.SourceDirect}}); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("READY " + strconv.Itoa(s.proc.pid()) + "\n")
	time.Sleep(60 * time.Second)
}

// groupProcs lists the processes of process group pgid.
func groupProcs(pgid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && inGroup(filepath.Join("/proc", e.Name()), pgid) {
			out = append(out, pid)
		}
	}
	return out
}

// TestBrowserKilledWithParentWithoutPipe isolates the parent-death
// signal: the "browser" is sleep, which never notices its DevTools pipe
// closing; it must still die when the process that started it is killed.
func TestBrowserKilledWithParentWithoutPipe(t *testing.T) {
	if os.Getenv(childMode) == "sleeper" {
		p, err := startChrome("/bin/sleep", []string{"60"}, os.Environ())
		if err != nil {
			t.Fatal(err)
		}
		<-p.started
		os.Stdout.WriteString("READY " + strconv.Itoa(p.cmd.Process.Pid) + "\n")
		time.Sleep(60 * time.Second)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childMode+"=sleeper")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := readReady(t, cmd, stdout)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(pid, 0) == nil && !isZombie(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d outlived its parent", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// isZombie says whether pid has exited but is not reaped yet.
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && len(b) > i+2 && b[i+2] == 'Z'
}

// TestPoolChromeDiesWithItsParent: a process holding a warm pool browser
// is killed with SIGKILL; the browser and its helpers are gone all the
// same.
func TestPoolChromeDiesWithItsParent(t *testing.T) {
	if os.Getenv(childMode) == "pool-orphan" {
		p := NewPool(PoolOptions{Size: 1, TempDir: os.Getenv("LOGINDOCTOR_TEST_DIR")})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		l, err := p.take(ctx, poolRequest{spec: launchSpec{Bin: needChrome(t), Route: checks.Route{Source: checks.SourceDirect}}})
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("READY " + strconv.Itoa(l.proc.pid()) + "\n")
		time.Sleep(60 * time.Second)
		return
	}
	needChrome(t)
	dir := shortTempDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childMode+"=pool-orphan", "LOGINDOCTOR_TEST_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := readReady(t, cmd, stdout)
	if len(chromeProcs(t, dir)) == 0 {
		t.Fatal("no pool browser running before the kill")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		procs, group := chromeProcs(t, dir), groupProcs(pid)
		if len(procs) == 0 && len(group) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, p := range group {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
			t.Fatalf("the pool browser outlived its parent: %v", procs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
