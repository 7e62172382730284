//go:build unix

package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/hostile"
	"github.com/logindoctor/logindoctor/fixtures/idp"
)

// The performance claims of the README ("How fast, how safe"), as tests (pass/fail) and benchmarks
// (numbers for the README): checks run concurrently, a black-holed network
// ends within the check timeout, and the binary starts fast and stays small.

// healthyRun is a full run without the browser against a loopback world
// where everything works: the fake CRM (answering after delay), its NTP
// server, an account API and an egress-IP service.
type healthyRun struct {
	args []string
	env  map[string]string
}

func newHealthyRun(tb testing.TB, delay time.Duration) healthyRun {
	tb.Helper()
	leaf, ca := validLeaf(tb)
	ip := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("127.0.0.1\n")) })
	page := startCRM(tb, crm.Options{Cert: leaf, Delay: delay, Handler: ip})
	api, err := idp.Start(idp.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { api.Close() })
	profile := loopbackProfile(tb, strings.Join([]string{
		"account:",
		"  provider: okta",
		"  base_url: " + api.URL(),
		"  user: active@example.com",
		"policy:",
		"  allowed_networks: [127.0.0.0/8]",
		"  egress_ip_url: " + strings.TrimSuffix(page.URL(), crm.LoginPath) + "/ip",
		"",
	}, "\n"))
	return healthyRun{
		args: []string{page.URL(), "--config", profile, "--ca-file", ca, "--format", "json",
			"--check-timeout", "5s", "--skip", "browser.page,device.browsers"},
		env: cleanEnv(map[string]string{"LOGINDOCTOR_ACCOUNT_TOKEN": api.Token()}),
	}
}

// timing is one run's wall time (the runner's span, from the report) and
// its slowest single check.
type timing struct {
	wall, slowest time.Duration
	slowestID     string
	perCheck      map[string]time.Duration
}

func timingOf(rep fullReport) timing {
	t := timing{wall: time.Duration(rep.DurationMS) * time.Millisecond, perCheck: map[string]time.Duration{}}
	for _, r := range rep.Results {
		d := time.Duration(r.Duration) * time.Millisecond
		t.perCheck[r.Check] = d
		if d > t.slowest {
			t.slowest, t.slowestID = d, r.Check
		}
	}
	return t
}

// concurrencyRatio is the most a full run may take, relative to its
// slowest single check; concurrencySlack absorbs millisecond rounding,
// rendering and a loaded machine (-race).
const (
	concurrencyRatio = 1.3
	concurrencySlack = 50 * time.Millisecond
)

// TestChecksRunConcurrently: with a login page that takes 300 ms, the
// checks that wait for it (clock.skew's Date probe, http.login) and the
// rest run side by side, so the run takes about as long as its slowest
// check, not their sum.
func TestChecksRunConcurrently(t *testing.T) {
	h := newHealthyRun(t, 300*time.Millisecond)
	r := cliRun(t, context.Background(), h.env, nil, h.args...)
	noPanic(t, r)
	rep := parseReport(t, r)
	if r.code != exitPass {
		t.Fatalf("healthy world: exit %d: %s\n%s", r.code, rep.codes(), r.errOut)
	}
	tm := timingOf(rep)
	limit := time.Duration(float64(tm.slowest)*concurrencyRatio) + concurrencySlack
	t.Logf("wall %s, slowest %s (%s), ratio %.2f; per check %v", tm.wall, tm.slowest, tm.slowestID, ratio(tm), tm.perCheck)
	if tm.slowest < 300*time.Millisecond {
		t.Fatalf("the slowest check took %s: the 300 ms page delay did not apply", tm.slowest)
	}
	if tm.wall > limit {
		t.Errorf("the run took %s, more than %.1f × its slowest check (%s, %s) + %s", tm.wall, concurrencyRatio, tm.slowestID, tm.slowest, concurrencySlack)
	}
}

func ratio(t timing) float64 {
	if t.slowest <= 0 {
		return 0
	}
	return float64(t.wall) / float64(t.slowest)
}

// BenchmarkFullRun is a full run without the browser against the healthy
// loopback world: wall time, slowest check and their ratio, and each
// check's own time.
func BenchmarkFullRun(b *testing.B) {
	h := newHealthyRun(b, 0)
	var sum timing
	sum.perCheck = map[string]time.Duration{}
	b.ResetTimer()
	for range b.N {
		r := cliRun(b, context.Background(), h.env, nil, h.args...)
		if r.code != exitPass {
			b.Fatalf("exit %d\n%s", r.code, r.errOut)
		}
		tm := timingOf(parseReport(b, r))
		sum.wall += tm.wall
		sum.slowest += tm.slowest
		for id, d := range tm.perCheck {
			sum.perCheck[id] += d
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(sum.wall.Milliseconds())/n, "wall-ms")
	b.ReportMetric(float64(sum.slowest.Milliseconds())/n, "slowest-check-ms")
	b.ReportMetric(ratio(sum), "wall/slowest")
	ids := make([]string, 0, len(sum.perCheck))
	for id := range sum.perCheck {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b.ReportMetric(float64(sum.perCheck[id].Microseconds())/n/1000, "ms-"+id)
	}
}

// blackHoled returns a run where every connection (TCP and UDP, DNS
// included) is black-holed, against fixtures that would answer if reached:
// a CRM whose listener counts connections, an NTP server, an account API
// and an egress-IP service.
func blackHoled(tb testing.TB, checkTimeout time.Duration) (args []string, env map[string]string, tweak func(*checks.Env), target *hostile.Server) {
	tb.Helper()
	target = startHostile(tb, hostile.Options{Mode: hostile.Silent})
	api, err := idp.Start(idp.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { api.Close() })
	profile := loopbackProfile(tb, strings.Join([]string{
		"endpoints: [\"" + target.Addr() + "\"]",
		"account:",
		"  provider: okta",
		"  base_url: " + api.URL(),
		"  user: active@example.com",
		"policy:",
		"  allowed_networks: [127.0.0.0/8]",
		"  egress_ip_url: http://" + target.Addr() + "/ip",
		"",
	}, "\n"))
	dir := tb.TempDir()
	resolvConf, hosts := filepath.Join(dir, "resolv.conf"), filepath.Join(dir, "hosts")
	if err := os.WriteFile(resolvConf, []byte("nameserver 127.0.0.1\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(hosts, nil, 0o600); err != nil {
		tb.Fatal(err)
	}
	tweak = func(e *checks.Env) {
		e.Dialer = faultnet.BlackHole{}
		e.Resolver = &net.Resolver{PreferGo: true, Dial: faultnet.BlackHole{}.DialContext}
		e.ResolvConf, e.HostsFile = resolvConf, hosts
	}
	args = []string{target.URL(), "--config", profile, "--format", "json",
		"--check-timeout", checkTimeout.String(), "--timeout", "30s", "--skip", "browser.page,device.browsers"}
	return args, cleanEnv(map[string]string{"LOGINDOCTOR_ACCOUNT_TOKEN": api.Token()}), tweak, target
}

// TestBlackHoledRunEndsInTime: when every packet is dropped, the whole run
// still ends within the check timeout plus one second, every network check
// says why, and nothing reached the fixtures.
func TestBlackHoledRunEndsInTime(t *testing.T) {
	const checkTimeout = time.Second
	args, env, tweak, target := blackHoled(t, checkTimeout)
	r := cliRun(t, context.Background(), env, tweak, args...)
	noPanic(t, r)
	rep := parseReport(t, r)
	t.Logf("black-holed run: exit %d in %s: %s", r.code, r.elapsed.Round(time.Millisecond), rep.codes())
	withinDeadline(t, r, checkTimeout)
	if r.code != exitFail {
		t.Errorf("exit %d, want 1", r.code)
	}
	for id, want := range map[string]string{"net.reach": "NET_TIMEOUT", "clock.skew": "CLOCK_UNVERIFIED", "account.status": "ACCOUNT_API_UNREACHABLE", "policy.network": "POLICY_IP_UNKNOWN"} {
		if got := rep.result(id); got.Code != want {
			t.Errorf("%s = %s/%s (%s), want %s", id, got.Status, got.Code, got.Summary, want)
		}
	}
	if n := target.Accepted(); n != 0 {
		t.Errorf("%d connections got past the black hole", n)
	}
}

// BenchmarkBlackHoledRun measures how long a run on a dead network takes
// with a 1 s check timeout.
func BenchmarkBlackHoledRun(b *testing.B) {
	args, env, tweak, _ := blackHoled(b, time.Second)
	var worst time.Duration
	b.ResetTimer()
	for range b.N {
		r := cliRun(b, context.Background(), env, tweak, args...)
		if r.code != exitFail {
			b.Fatalf("exit %d", r.code)
		}
		worst = max(worst, r.elapsed)
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
}

// BenchmarkBinary execs the real binary: cold start of --help and list,
// the binary's size, and the peak memory (max RSS) of a full run without
// the browser.
func BenchmarkBinary(b *testing.B) {
	bin := buildBinary(b)
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	env := binaryEnv(b.TempDir(), b.TempDir())
	for _, args := range [][]string{{"--help"}, {"list"}} {
		b.Run("cold-start-"+strings.TrimLeft(args[0], "-"), func(b *testing.B) {
			for range b.N {
				cmd := exec.Command(bin, args...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %v\n%s", args, err, out)
				}
			}
			b.ReportMetric(float64(st.Size())/(1<<20), "MiB-binary")
		})
	}
	b.Run("full-run-peak-rss", func(b *testing.B) {
		h := newHealthyRun(b, 0)
		var peak int64
		for range b.N {
			cmd := exec.Command(bin, h.args...)
			cmd.Env = append(binaryEnv(b.TempDir(), b.TempDir()), "LOGINDOCTOR_ACCOUNT_TOKEN="+h.env["LOGINDOCTOR_ACCOUNT_TOKEN"])
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("full run: %v\n%s", err, out)
			}
			peak = max(peak, maxRSS(cmd.ProcessState))
		}
		b.ReportMetric(float64(peak)/(1<<20), "MiB-peak-rss")
	})
}

// maxRSS is a finished process's peak resident set in bytes.
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) // bytes on macOS
	}
	return int64(ru.Maxrss) << 10 // KiB elsewhere
}
