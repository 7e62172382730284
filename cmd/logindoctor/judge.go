package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/report"
)

// codeBrowserUnavailable is browser.page's skip when no browser is found.
const codeBrowserUnavailable = "BROWSER_UNAVAILABLE"

// judgement is the exit decision of a finished run: the reasons it fails
// (empty: exit 0), and the checks the decision counts as failed, which
// JUnit then reports as <failure> too.
type judgement struct {
	reasons []string
	failing []string
	// noBrowser: smoke could not check the page in a browser.
	noBrowser bool
}

// err is the judgement as the command's error: nil, or a verdictError
// (exit 1) naming every reason.
func (j judgement) err() error {
	if len(j.reasons) == 0 {
		return nil
	}
	return &verdictError{reason: strings.Join(j.reasons, "; ")}
}

// judge decides the exit code from the report. Each rule adds to the
// others, none cancels one: a failed verdict fails; warnings fail with
// --strict (smoke is strict); --fail-on LEVEL fails on any finding of that
// severity or worse; smoke fails when the page was not checked in a
// browser because none was found.
func (a *app) judge(rep *report.Report, g *globalOptions, smoke bool) judgement {
	var j judgement
	switch {
	case rep.Verdict == checks.StatusFail:
		n := rep.Counts.Fail + rep.Counts.Error
		j.reasons = append(j.reasons, a.t("cli.reason.problems."+plural(n), map[string]any{"count": n}))
	case rep.Verdict == checks.StatusWarn && (g.Strict || smoke):
		id := "cli.reason.warnings_strict."
		if smoke && !g.Strict {
			id = "cli.reason.warnings_smoke."
		}
		j.reasons = append(j.reasons, a.t(id+plural(rep.Counts.Warn), map[string]any{"count": rep.Counts.Warn}))
		j.failing = append(j.failing, checksWith(rep, checks.StatusWarn)...)
	}
	if g.FailOn != "" {
		min := checks.Severity(g.FailOn).Rank()
		for _, e := range rep.Results {
			if e.Status.Actionable() && e.Severity.Rank() >= min {
				if rep.Verdict != checks.StatusFail {
					j.reasons = append(j.reasons, a.t("cli.reason.fail_on", map[string]any{"check": e.Check, "code": e.Code, "level": g.FailOn}))
				}
				j.failing = append(j.failing, e.Check)
			}
		}
	}
	if smoke {
		for _, e := range rep.Results {
			if e.Check == "browser.page" && e.Status == checks.StatusSkip && e.Code == codeBrowserUnavailable {
				j.noBrowser = true
				j.reasons = append(j.reasons, a.t("cli.smoke_no_browser", nil))
				j.failing = append(j.failing, e.Check)
			}
		}
	}
	slices.Sort(j.failing)
	j.failing = slices.Compact(j.failing)
	return j
}

// checksWith lists the checks of the report with status st.
func checksWith(rep *report.Report, st checks.Status) []string {
	var out []string
	for _, e := range rep.Results {
		if e.Status == st {
			out = append(out, e.Check)
		}
	}
	return out
}

// plural is the catalog's plural form of n: "one" or "other".
func plural(n int) string {
	if n == 1 {
		return "one"
	}
	return "other"
}

// explainExit prints why a run exits 1 when the verdict line alone does
// not say it (warnings under --strict, --fail-on, smoke's missing browser),
// and smoke's missing browser loudly in any case.
func (a *app) explainExit(j judgement, rep *report.Report) {
	if j.noBrowser {
		fmt.Fprintln(a.io.ErrOut, "!! "+a.t("cli.smoke_no_browser", nil))
	}
	if len(j.reasons) > 0 && (rep.Verdict != checks.StatusFail || j.noBrowser) {
		fmt.Fprintln(a.io.ErrOut, a.t("cli.exit_reason", map[string]any{"reason": strings.Join(j.reasons, "; ")}))
	}
}
