package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/hostile"
	"github.com/logindoctor/logindoctor/fixtures/idp"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
)

// The leak tests end runs every way a run can end early — a check's
// deadline, the run's deadline, cancellation, a panic inside a check,
// SIGINT to the real binary — and then look for what was left behind:
// goroutines, child processes, Chrome profiles.

// fixtureGoroutines are the server side of the fixtures: they may still be
// noticing that a client left; only the client side must be gone.
var fixtureGoroutines = []goleak.Option{
	goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
	goleak.IgnoreAnyFunction("github.com/logindoctor/logindoctor/fixtures/hostile.(*Server).serve"),
	goleak.IgnoreAnyFunction("github.com/logindoctor/logindoctor/fixtures/hostile.(*Server).watch.func1"),
	goleak.IgnoreAnyFunction("github.com/miekg/dns.(*Server).serveTCPConn"),
}

// fakeCheck is a check whose Run is a function.
type fakeCheck struct {
	info checks.Info
	run  func(ctx context.Context) checks.Result
}

func (f fakeCheck) Info() checks.Info { return f.info }
func (f fakeCheck) Run(ctx context.Context, _ *checks.Env, _ checks.Deps) checks.Result {
	return f.run(ctx)
}

// misbehavingRegistry holds a check that panics, one that waits on a
// connection that never answers until its context ends, and one that
// depends on it.
func misbehavingRegistry(t *testing.T, silentAddr string) *checks.Registry {
	t.Helper()
	panics := fakeCheck{checks.Info{ID: "fake.panic", Stage: checks.StageDevice}, func(context.Context) checks.Result {
		var results []checks.Result
		return results[3] // an index out of range: a runtime panic, as a real bug would be
	}}
	hangs := fakeCheck{checks.Info{ID: "fake.hang", Stage: checks.StageNetwork}, func(ctx context.Context) checks.Result {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", silentAddr)
		if err != nil {
			return checks.Errored(err.Error())
		}
		defer c.Close()
		stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
		defer stop()
		_, err = c.Read(make([]byte, 1)) // the server never writes
		return checks.Finding(checks.StatusFail, "FAKE_TIMEOUT", checks.SeverityHigh, checks.OwnerIT, "no answer: "+err.Error())
	}}
	after := fakeCheck{checks.Info{ID: "fake.after", Stage: checks.StageNetwork, DependsOn: []string{"fake.hang"}}, func(context.Context) checks.Result {
		return checks.Pass("ran")
	}}
	reg, err := checks.NewRegistry(panics, hangs, after)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestRunnerLeavesNothingBehind ends runs of misbehaving checks by check
// timeout, run timeout and cancellation; a panic inside a check is an
// error result. No goroutine survives any of them.
func TestRunnerLeavesNothingBehind(t *testing.T) {
	silent := startHostile(t, hostile.Options{Mode: hostile.Silent})
	reg := misbehavingRegistry(t, silent.Addr())
	tests := []struct {
		name         string
		checkTimeout time.Duration
		ctx          func() (context.Context, context.CancelFunc)
		want         string // in fake.hang's summary
	}{
		{"check timeout", 150 * time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, "no answer"},
		{"run timeout", 10 * time.Second, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 150*time.Millisecond)
		}, "no answer"},
		{"cancellation", 10 * time.Second, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(150*time.Millisecond, cancel)
			return ctx, cancel
		}, "cancelled"}, // cut short by Ctrl-C: CHECK_ERROR, not the check's own finding
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			results := (&checks.Runner{Registry: reg, CheckTimeout: tc.checkTimeout}).Run(ctx, checks.NewEnv(checks.Target{}), nil)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("the run took %s", took)
			}
			byID := map[string]checks.Result{}
			for _, r := range results {
				byID[r.Check] = r
			}
			if p := byID["fake.panic"]; p.Status != checks.StatusError || !strings.Contains(p.Summary, "crashed") {
				t.Errorf("panicking check: %s/%s %q, want an error result", p.Status, p.Code, p.Summary)
			}
			if h := byID["fake.hang"]; h.Status == checks.StatusPass || !strings.Contains(h.Summary, tc.want) {
				t.Errorf("hanging check: %s/%s %q", h.Status, h.Code, h.Summary)
			}
			if a := byID["fake.after"]; a.Status != checks.StatusSkip && a.Status != checks.StatusError {
				t.Errorf("dependent of a failed check: %s/%s", a.Status, a.Code)
			}
			goleak.VerifyNone(t, append([]goleak.Option{ignore}, fixtureGoroutines...)...)
		})
	}
}

// hangingWorld is a set of fixtures where every check of a full run waits:
// a login page that never answers, an endpoint that never speaks, an NTP
// server and an account API that never reply, an egress-IP service that
// never answers, and (for the named URL) a DNS server that never replies.
type hangingWorld struct {
	ipURL, namedURL string
	profile         string
	ca              string
	dns             func(*checks.Env)
	env             map[string]string
}

func newHangingWorld(t *testing.T) hangingWorld {
	t.Helper()
	leaf, ca := validLeaf(t)
	page := startCRM(t, crm.Options{Cert: leaf, Hang: true})
	silent := startHostile(t, hostile.Options{Mode: hostile.Silent})
	ntp, err := ntpserver.Start(ntpserver.Options{Behaviour: ntpserver.Silent})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ntp.Close() })
	api, err := idp.Start(idp.Options{Mode: idp.ModeHang})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	dnsAddr := startZone(t, dnsserver.Zone{"crm.hanging.test": dnsserver.Fail(dnsserver.Silent)})
	profile := writeConfig(t, []byte(strings.Join([]string{
		"endpoints: [\"" + silent.Addr() + "\"]",
		"clock:",
		"  ntp_servers: [\"" + ntp.Addr() + "\"]",
		"account:",
		"  provider: okta",
		"  base_url: " + api.URL(),
		"  user: active@example.com",
		"policy:",
		"  allowed_networks: [192.0.2.0/24]",
		"  egress_ip_url: http://" + silent.Addr() + "/ip",
		"",
	}, "\n")))
	return hangingWorld{
		ipURL: page.URL(), namedURL: "https://crm.hanging.test/login", profile: profile, ca: ca,
		dns: useDNS(t, dnsAddr),
		env: cleanEnv(map[string]string{"LOGINDOCTOR_ACCOUNT_TOKEN": api.Token()}),
	}
}

// TestCLIRunsLeaveNoGoroutines runs the real built-in checks through the
// CLI against hanging fixtures and ends each run by the check timeout, the
// run timeout and cancellation; afterwards no goroutine of the run is left.
func TestCLIRunsLeaveNoGoroutines(t *testing.T) {
	w := newHangingWorld(t)
	tests := []struct {
		name   string
		flags  []string
		cancel time.Duration // cancel the run after this long (0: never)
		limit  time.Duration // the run must end within this
		exit   int
	}{
		{"check timeout", []string{"--check-timeout", "300ms", "--timeout", "20s"}, 0, 3*300*time.Millisecond + deadlineSlack, exitFail},
		{"run timeout", []string{"--check-timeout", "20s", "--timeout", "300ms"}, 0, 300*time.Millisecond + deadlineSlack, exitFail},
		{"cancellation", []string{"--check-timeout", "20s", "--timeout", "40s"}, 300 * time.Millisecond, 300*time.Millisecond + deadlineSlack, exitBroken},
	}
	for _, tc := range tests {
		for _, url := range []string{w.ipURL, w.namedURL} {
			t.Run(tc.name+" "+url, func(t *testing.T) {
				ignore := goleak.IgnoreCurrent()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tc.cancel > 0 {
					time.AfterFunc(tc.cancel, cancel)
				}
				args := append([]string{url, "--config", w.profile, "--ca-file", w.ca, "--format", "json", "--skip", "browser.page,device.browsers"}, tc.flags...)
				r := cliRun(t, ctx, w.env, w.dns, args...)
				noPanic(t, r)
				if tc.exit == exitBroken {
					// Interrupted: no diagnosis, so no report at all.
					if r.out != "" || !strings.Contains(r.errOut, "Interrupted") {
						t.Errorf("interrupted run printed a report or no interrupted line:\n%s\n%s", r.out, r.errOut)
					}
				} else {
					t.Logf("exit %d in %s: %s", r.code, r.elapsed.Round(time.Millisecond), parseReport(t, r).codes())
				}
				if r.code != tc.exit {
					t.Errorf("exit %d, want %d\n%s", r.code, tc.exit, r.errOut)
				}
				if r.elapsed > tc.limit {
					t.Errorf("the run took %s, want < %s", r.elapsed, tc.limit)
				}
				goleak.VerifyNone(t, append([]goleak.Option{ignore}, fixtureGoroutines...)...)
			})
		}
	}
}

// goTool finds the go command (on PATH, else in GOROOT/bin as go test
// sets it), or skips the test.
func goTool(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("the go tool is not available: cannot build the real binary")
	return ""
}

// buildBinary builds logindoctor into a temporary directory.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "logindoctor")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command(goTool(t), "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binaryEnv is a minimal environment for the real binary: no proxies, no
// DISABLE_ROD_FLAG, a private HOME and TMPDIR.
func binaryEnv(home, tmp string) []string {
	return []string{"LANG=en_US.UTF-8", "PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + tmp}
}

// proc is one process of /proc.
type proc struct {
	pid, ppid int
	state     string
	cmdline   string
}

// processes lists every process of /proc (nil where there is no /proc).
func processes() map[int]proc {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	out := map[int]proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out[pid] = proc{pid: pid, ppid: ppid, state: fields[0], cmdline: string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '}))}
	}
	return out
}

// descendants are the live processes below pid.
func descendants(pid int) []proc {
	all := processes()
	var out []proc
	below := map[int]bool{pid: true}
	for changed := true; changed; {
		changed = false
		for _, p := range all {
			if below[p.ppid] && !below[p.pid] {
				below[p.pid] = true
				out = append(out, p)
				changed = true
			}
		}
	}
	return out
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	p, ok := processes()[pid]
	return ok && p.state != "Z" && p.state != "X"
}

// TestRealBinary builds logindoctor and checks what only the real process
// shows: SIGINT or SIGHUP ends a run at once with exit 3 and leaves no child process
// and no Chrome profile behind; a stray -rod flag is a usage error, not a
// panic in go-rod's init.
func TestRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)

	t.Run("stray -rod flag without DISABLE_ROD_FLAG", func(t *testing.T) {
		cmd := exec.Command(bin, "-rod=x", "https://127.0.0.1:1/")
		cmd.Env = binaryEnv(t.TempDir(), t.TempDir())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := cmd.ProcessState.ExitCode()
		if code != exitUsage || strings.Contains(stderr.String(), "panic") {
			t.Fatalf("exit %d (%v), stderr:\n%s\nwant exit 2 and no panic", code, err, stderr.String())
		}
	})

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			if runtime.GOOS == "windows" {
				t.Skip("no such signal on Windows")
			}
			testSignal(t, bin, sig)
		})
	}
}

// testSignal signals a running binary (Chrome open, when installed) and
// requires exit 3 within 2 s with nothing left behind.
func testSignal(t *testing.T, bin string, sig syscall.Signal) {
	started := time.Now()
	pages, err := loginpages.Start(loginpages.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pages.Close() })
	home, tmp := t.TempDir(), t.TempDir()
	// The page never finishes loading: http.login passes and browser.page
	// (when a browser is installed) waits in Chrome until its deadline.
	cmd := exec.Command(bin, pages.URL(loginpages.NeverLoads), "--config", loopbackProfile(t, ""),
		"--check-timeout", "30s", "--timeout", "60s", "--skip", "device.browsers", "--format", "json")
	cmd.Env = binaryEnv(home, tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// Wait for Chrome to be running under the binary (up to 5 s), else
	// signal after ~300 ms.
	_, chromeErr := exec.LookPath("chromium")
	wantChrome := chromeErr == nil && processes() != nil
	time.Sleep(300 * time.Millisecond)
	for deadline := time.Now().Add(5 * time.Second); wantChrome && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if hasChrome(descendants(cmd.Process.Pid)) {
			break
		}
	}
	kids := descendants(cmd.Process.Pid)
	t.Logf("before %s (%s after start): %d child processes, Chrome: %v", sig, time.Since(started).Round(time.Millisecond), len(kids), hasChrome(kids))
	if wantChrome && !hasChrome(kids) {
		t.Logf("Chrome did not start within 5 s; stderr so far:\n%s", stderr.String())
	}

	signalled := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		t.Fatalf("still running 2 s after %s\nstderr:\n%s", sig, stderr.String())
	}
	took := time.Since(signalled)
	code := cmd.ProcessState.ExitCode()
	t.Logf("exit %d %s after %s (%s)", code, took.Round(time.Millisecond), sig, cmd.ProcessState)
	if code != exitBroken {
		t.Errorf("exit %d after %s, want 3\nstderr:\n%s", code, sig, stderr.String())
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Errorf("panic after %s:\n%s", sig, stderr.String())
	}

	// Every process it started is gone (leakless needs ~1.5 s at worst).
	var left []proc
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		left = left[:0]
		for _, k := range kids {
			if alive(k.pid) {
				left = append(left, k)
			}
		}
		for _, p := range processes() {
			if strings.Contains(p.cmdline, tmp) && p.state != "Z" && !containsPID(left, p.pid) {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, p := range left {
		t.Errorf("process %d outlived logindoctor: %.200s", p.pid, p.cmdline)
		if pr, err := os.FindProcess(p.pid); err == nil {
			_ = pr.Kill()
		}
	}
	// And no Chrome profile is left in its TMPDIR (or, newer than this
	// test, in the system's).
	for _, dir := range []string{tmp, os.TempDir()} {
		matches, _ := filepath.Glob(filepath.Join(dir, "logindoctor-chrome-*"))
		for _, m := range matches {
			if st, err := os.Stat(m); err != nil || !st.ModTime().After(started) {
				continue
			}
			t.Errorf("Chrome profile left behind: %s", m)
		}
	}
}

func hasChrome(ps []proc) bool {
	for _, p := range ps {
		if strings.Contains(p.cmdline, "logindoctor-chrome-") {
			return true
		}
	}
	return false
}

func containsPID(ps []proc, pid int) bool {
	for _, p := range ps {
		if p.pid == pid {
			return true
		}
	}
	return false
}
