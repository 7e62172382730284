package main

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/builtin"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/report"
)

// runWith runs logindoctor in-process on ios after tweak adjusts the app.
func runWith(t *testing.T, ios *IOStreams, tweak func(*app), args ...string) int {
	t.Helper()
	t.Chdir(t.TempDir())
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(a)
	}
	return a.execute(context.Background(), args)
}

// warnReport is a report with one low-severity warning and nothing worse.
func warnReport() *report.Report {
	w := checks.Finding(checks.StatusWarn, "TLS_EXPIRING_SOON", checks.SeverityLow, checks.OwnerAdmin, "expires in 3 days")
	w.Check, w.Stage = "tls.certificate", checks.StageNetwork
	p := checks.Pass("fine")
	p.Check, p.Stage = "dns.resolve", checks.StageNetwork
	return report.Build([]checks.Result{p, w}, report.Options{Lang: "en"})
}

func TestFailOnAddsToStrictNeverCancelsIt(t *testing.T) {
	a := &app{msg: report.Messages("en")}
	rep := warnReport()
	for _, c := range []struct {
		name  string
		g     globalOptions
		smoke bool
		fail  bool
	}{
		{"smoke --fail-on high, low warning (README's GitHub example)", globalOptions{FailOn: "high"}, true, true},
		{"--strict --fail-on critical, low warning", globalOptions{Strict: true, FailOn: "critical"}, false, true},
		{"--fail-on low, low warning", globalOptions{FailOn: "low"}, false, true},
		{"--fail-on high alone, low warning", globalOptions{FailOn: "high"}, false, false},
		{"plain check, warning", globalOptions{}, false, false},
	} {
		j := a.judge(rep, &c.g, c.smoke)
		if got := exitCode(j.err()); (got == exitFail) != c.fail {
			t.Errorf("%s: exit %d (%v), want fail=%v", c.name, got, j.reasons, c.fail)
		}
		if c.fail && !strings.Contains(strings.Join(j.failing, ","), "tls.certificate") {
			t.Errorf("%s: the warning is not among the failing checks %v", c.name, j.failing)
		}
	}
}

// A run that exits 1 because of --strict has that warning as a JUnit
// <failure>, and says on stderr why it exits 1.
func TestStrictWarningIsAJUnitFailureAndExplained(t *testing.T) {
	w := newWorld(t, certs.Expiring, crm.Options{})
	ios, out, errOut := testStreams(w.env(nil))
	code := runWith(t, ios, nil, quick(w, "--strict", "--format", "junit")...)
	if code != exitFail {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	var doc junitSuites
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			failed = append(failed, c.Name+" "+c.Failure.Type)
		}
	}
	if len(failed) == 0 || !strings.Contains(strings.Join(failed, ","), "TLS_EXPIRING_SOON") {
		t.Errorf("exit 1 but the JUnit failures are %v\n%s", failed, out)
	}
	if !strings.Contains(errOut.String(), "exit 1: 1 warning and --strict") {
		t.Errorf("stderr does not say why it exits 1:\n%s", errOut)
	}
}

// junitSuites is what the test reads of the JUnit document.
type junitSuites struct {
	Suites []struct {
		Errors int `xml:"errors,attr"`
		Cases  []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Type string `xml:"type,attr"`
			} `xml:"failure"`
			Error *struct {
				Type string `xml:"type,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// noBrowserHere makes the run's environment a machine without any browser:
// an empty file-system root for the browser finder.
func noBrowserHere(t *testing.T) func(*app) {
	root := t.TempDir()
	return func(a *app) {
		a.newEnv = func(tg checks.Target) *checks.Env {
			env := builtin.NewEnv(tg)
			env.FSRoot = root
			return env
		}
	}
}

func TestSmokeWithoutABrowserFails(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	ios, out, errOut := testStreams(w.env(map[string]string{"CI": "true"}))
	code := runWith(t, ios, noBrowserHere(t), "smoke", w.url, "--ca-file", w.caFile, "--check-timeout", "3s")
	if code != exitFail {
		t.Fatalf("smoke without a browser: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut.String(), "browser not checked: no Chrome/Chromium/Edge found — install chromium") {
		t.Errorf("no loud line about the missing browser:\n%s", errOut)
	}
	// And JUnit shows it as a failure, not a skip.
	ios, out, errOut = testStreams(w.env(map[string]string{"CI": "true"}))
	if code := runWith(t, ios, noBrowserHere(t), "smoke", w.url, "--ca-file", w.caFile, "--check-timeout", "3s", "--format", "junit"); code != exitFail {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var doc junitSuites
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Suites[0].Cases {
		if c.Name == "browser.page" && (c.Failure == nil || c.Failure.Type != "BROWSER_UNAVAILABLE") {
			t.Errorf("browser.page is not a failure in JUnit: %+v", c)
		}
	}
}
