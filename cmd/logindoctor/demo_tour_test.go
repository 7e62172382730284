package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/report"
)

var updateGolden = flag.Bool("update", false, "rewrite cmd/logindoctor/testdata golden files")

// fastTour are flags that keep a tour quick in tests (no browser).
var fastTour = []string{"demo", "--skip", "browser.page,device.browsers"}

func TestDemoTourJSONIsOneArray(t *testing.T) {
	code, out, errOut := runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, append(fastTour, "--format", "json")...)
	if code != exitPass {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var reports []jsonReport
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("demo --format json is not one JSON value: %v\n%s", err, out)
	}
	if len(reports) != len(demoTour) {
		t.Fatalf("%d reports, want %d", len(reports), len(demoTour))
	}
	if reports[0].Verdict != "pass" || reports[1].Fixes[0].Code != "TLS_EXPIRED" {
		t.Errorf("reports out of the tour's order: %s, %+v", reports[0].Verdict, reports[1].Fixes)
	}
	if strings.Count(errOut, "══ ") != len(demoTour) {
		t.Errorf("banners are not on stderr:\n%s", errOut)
	}
}

func TestDemoTourNamesOneFilePerScenario(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, map[string]string{"PATH": os.Getenv("PATH")}, append(fastTour, "-o", filepath.Join(dir, "x.json"), "--bundle", filepath.Join(dir, "b.zip"))...)
	if code != exitPass {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, name := range demoTour {
		for _, f := range []string{"x-" + name + ".json", "b-" + name + ".zip"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("no %s: %v", f, err)
			}
		}
	}
}

func TestDemoListIsAligned(t *testing.T) {
	golden, err := filepath.Abs(filepath.Join("testdata", "demo-list.en.golden"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, map[string]string{"LANG": "en_US.UTF-8"}, "demo", "--list")
	if code != exitPass {
		t.Fatalf("exit %d", code)
	}
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/logindoctor -run TestDemoListIsAligned -update)", err)
	}
	if out != string(want) {
		t.Errorf("demo --list differs from %s:\n%s", golden, out)
	}
	// Every description starts in the same column.
	col := -1
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		name := strings.Fields(line)[0]
		rest := line[strings.Index(line, name)+len(name):]
		c := len(line) - len(strings.TrimLeft(rest, " "))
		if col >= 0 && c != col {
			t.Errorf("description of %s starts at byte %d, others at %d", name, c, col)
		}
		col = c
	}
}

func TestDemoHostRulesKeepTheBrowserOffline(t *testing.T) {
	w := &demoWorld{names: []string{"crm.demo.test"}}
	got := w.hostRules()
	if !strings.HasPrefix(got, "MAP crm.demo.test 127.0.0.1, ") || !strings.Contains(got, "MAP * ~NOTFOUND") || !strings.Contains(got, "EXCLUDE localhost") {
		t.Errorf("host rules %q", got)
	}
}

// The demo never leaves the machine: the built binary runs a scenario in a
// network namespace of its own with nothing but loopback (needs root; in CI
// a missing root or unshare is a failure, not a skip).
func TestDemoRunsWithoutANetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	_, errU := exec.LookPath("unshare")
	_, errIP := exec.LookPath("ip")
	if os.Geteuid() != 0 || errU != nil || errIP != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("needs root, unshare and ip (euid %d, %v, %v), and CI is set", os.Geteuid(), errU, errIP)
		}
		t.Skip("needs root, unshare and ip")
	}
	bin := buildBinary(t)
	cmd := exec.Command("unshare", "-n", "sh", "-c", `ip link set lo up && exec "$0" demo --scenario expired-cert --format json`, bin)
	cmd.Env = binaryEnv(t.TempDir(), t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != exitFail {
		t.Fatalf("offline demo: exit %d, want 1\n%s\n%s", code, stdout.String(), stderr.String())
	}
	r := decode(t, stdout.String())
	if len(r.Fixes) == 0 || r.Fixes[0].Code != "TLS_EXPIRED" {
		t.Errorf("offline demo: fixes %+v, want TLS_EXPIRED first", r.Fixes)
	}
}

// BenchmarkDemoTour is `logindoctor demo` as `make demo` runs it (the
// whole tour, text, with the browser where the tour opens it),
// in-process. Its budget is 10 s on the project's 2 shared cores; s/tour
// is the mean wall time of one tour.
func BenchmarkDemoTour(b *testing.B) {
	start := time.Now()
	for b.Loop() {
		ios, _, errOut := testStreams(map[string]string{"PATH": os.Getenv("PATH")})
		a, err := newApp(ios, []string{"demo"})
		if err != nil {
			b.Fatal(err)
		}
		if code := a.execute(context.Background(), []string{"demo"}); code != exitPass {
			b.Fatalf("exit %d\n%s", code, errOut)
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/tour")
}

// tourResults are the parts of a report that make its diagnosis.
type tourResults struct {
	Verdict string `json:"verdict"`
	Results []struct {
		Check  string `json:"check"`
		Status string `json:"status"`
		Code   string `json:"code"`
		Owner  string `json:"owner"`
	} `json:"results"`
	Fixes []struct {
		Code  string `json:"code"`
		Check string `json:"check"`
	} `json:"fixes"`
}

// TestDemoTourDiagnosesLikeEachScenarioAlone: what the tour's scenarios
// share (certificates, one browser, one scan of the installed browsers)
// and the order they start in change no diagnosis: every scenario's
// checks end as they do when it runs alone (with the same checks).
func TestDemoTourDiagnosesLikeEachScenarioAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the tour and each of its scenarios")
	}
	env := map[string]string{"PATH": os.Getenv("PATH")}
	code, out, errOut := runCLI(t, env, "demo", "--format", "json")
	if code != exitPass {
		t.Fatalf("tour: exit %d\n%s", code, errOut)
	}
	var tour []tourResults
	if err := json.Unmarshal([]byte(out), &tour); err != nil || len(tour) != len(demoTour) {
		t.Fatalf("tour: %d reports (%v)\n%s", len(tour), err, out)
	}
	for i, name := range demoTour {
		args := []string{"demo", "--scenario", name, "--format", "json"}
		if !slices.Contains(tourBrowser, name) {
			args = append(args, "--skip", "browser.page")
		}
		_, out, errOut := runCLI(t, env, args...)
		var alone tourResults
		if err := json.Unmarshal([]byte(out), &alone); err != nil {
			t.Fatalf("%s alone: %v\n%s", name, err, errOut)
		}
		if !reflect.DeepEqual(tour[i], alone) {
			t.Errorf("%s: the tour diagnoses\n  %+v\nalone\n  %+v", name, tour[i], alone)
		}
	}
}

// TestDemoSaysNothingGoesToIT: a demo report saves nothing, so it does not
// end with "give IT the report ID" but says it was a demo, in the reader's
// language.
func TestDemoSaysNothingGoesToIT(t *testing.T) {
	for _, lang := range report.Languages() {
		code, out, errOut := runCLI(t, map[string]string{"LANG": "en_US.UTF-8"}, "demo", "--scenario", "expired-cert",
			"--skip", "browser.page,device.browsers", "--lang", lang)
		if code != exitFail {
			t.Fatalf("%s: exit %d\n%s\n%s", lang, code, out, errOut)
		}
		tr := report.Messages(lang)
		id := regexp.MustCompile(`LD-[0-9A-Z]{6}`).FindString(out)
		if want := tr.T("hint.demo", map[string]any{"id": id}); id == "" || !strings.Contains(out, want) {
			t.Errorf("%s: no %q at the end:\n%s", lang, want, out)
		}
		if give := tr.T("hint.report_id", map[string]any{"id": id}); strings.Contains(out, give) {
			t.Errorf("%s: the demo asks to give IT its report ID:\n%s", lang, out)
		}
	}
}
