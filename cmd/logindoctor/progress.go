package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/report"
)

// defaultProgressWidth is the progress line's width when the terminal does
// not say.
const defaultProgressWidth = 80

// progress shows, on a terminal only, which checks are running and how
// many are done, on one line of stderr that is rewritten in place. The
// line names the checks in the reader's language and never reaches the
// terminal's last column, so it can never wrap (a wrapped line cannot be
// rewritten in place). The width is asked for at every line: a window
// made narrower during the run gets lines that fit it.
type progress struct {
	a        *app
	enabled  bool
	total    int
	done     int
	finished bool
	running  map[string]bool
}

func (a *app) newProgress(p runPlan) *progress {
	enabled := a.io.ErrTTY && !p.smoke && a.io.Getenv("CI") == ""
	return &progress{a: a, enabled: enabled, total: len(p.ids), running: map[string]bool{}}
}

// event is the runner's Progress callback (the runner serialises calls).
func (p *progress) event(e checks.Event) {
	if !p.enabled || p.finished {
		return
	}
	if e.Done {
		delete(p.running, e.ID)
		p.done++
	} else {
		p.running[e.ID] = true
	}
	fmt.Fprintf(p.a.io.ErrOut, "\r\033[K%s", p.line())
}

// line is the progress text, cut to fit the terminal.
func (p *progress) line() string {
	ids := make([]string, 0, len(p.running))
	for id := range p.running {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = p.a.t("check."+id, nil)
	}
	params := map[string]any{"done": p.done, "total": p.total}
	line := p.a.t("cli.progress_idle", params) // between checks: nothing to name
	if len(names) > 0 {
		params["running"] = strings.Join(names, p.a.t("punct.list", nil))
		line = p.a.t("cli.progress", params)
	}
	return fitColumns(line, p.width()-1)
}

// width is the terminal's width now, or defaultProgressWidth when it
// does not say.
func (p *progress) width() int {
	if w := p.a.errWidth(); w > 0 {
		return w
	}
	return defaultProgressWidth
}

// finish clears the progress line; later events print nothing, so the
// report starts on a clean line.
func (p *progress) finish() {
	if p.enabled && !p.finished {
		fmt.Fprint(p.a.io.ErrOut, "\r\033[K")
	}
	p.finished = true
}

// fitColumns cuts s to at most max terminal columns, ending with "…" when
// cut.
func fitColumns(s string, max int) string {
	if report.TextWidth(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		if used+report.RuneWidth(r) > max-1 {
			break
		}
		b.WriteRune(r)
		used += report.RuneWidth(r)
	}
	return strings.TrimRight(b.String(), " ,，、") + "…"
}
