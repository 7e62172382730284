package main

import (
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/report"
)

// TestProgressFitsANarrowTerminal: on a 30-column terminal every progress
// line fits in 29 columns (CJK counts 2), names the checks in the reader's
// language, and the line is cleared before the report.
func TestProgressFitsANarrowTerminal(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		a, errOut := termApp(t, 30, lang)
		ids := []string{"clock.skew", "dns.resolve", "tls.certificate"}
		p := a.newProgress(runPlan{ids: ids})
		for _, id := range ids {
			p.event(checks.Event{ID: id})
		}
		p.event(checks.Event{ID: "dns.resolve", Done: true})
		p.finish()
		p.event(checks.Event{ID: "clock.skew", Done: true}) // after finish: silent
		out := errOut.String()
		if !strings.HasSuffix(out, "\r\033[K") {
			t.Errorf("%s: the progress line is not cleared last: %q", lang, out)
		}
		for _, line := range strings.Split(out, "\r\033[K") {
			if c := report.TextWidth(line); c > 29 {
				t.Errorf("%s: %d columns: %q", lang, c, line)
			}
			if strings.Contains(line, "clock.skew") || strings.Contains(line, "dns.resolve") {
				t.Errorf("%s: check IDs instead of names: %q", lang, line)
			}
		}
		if want := a.t("check.clock.skew", nil); !strings.Contains(out, want) && !strings.Contains(out, "…") {
			t.Errorf("%s: no check name %q in %q", lang, want, out)
		}
	}
}

func TestFitColumns(t *testing.T) {
	if got := fitColumns("检查中…已完成 1/3", 10); report.TextWidth(got) > 10 || !strings.HasSuffix(got, "…") {
		t.Errorf("fitColumns = %q", got)
	}
	if got := fitColumns("short", 10); got != "short" {
		t.Errorf("fitColumns = %q", got)
	}
}

// TestProgressBetweenChecks: when no check runs (one ended, the next not
// yet started) the line says how many are done and names nothing — no
// dangling "now:".
func TestProgressBetweenChecks(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		a, errOut := termApp(t, 100, lang)
		p := a.newProgress(runPlan{ids: []string{"dns.resolve", "net.reach"}})
		p.event(checks.Event{ID: "dns.resolve"})
		p.event(checks.Event{ID: "dns.resolve", Done: true})
		lines := strings.Split(errOut.String(), "\r\033[K")
		last := lines[len(lines)-1]
		if want := a.t("cli.progress_idle", map[string]any{"done": 1, "total": 2}); last != want {
			t.Errorf("%s: between checks %q, want %q", lang, last, want)
		}
		if strings.HasSuffix(strings.TrimSpace(last), ":") || strings.HasSuffix(last, "：") {
			t.Errorf("%s: the line ends in a colon: %q", lang, last)
		}
	}
}
