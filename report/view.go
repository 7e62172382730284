package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// view is what every human-facing renderer shows, already localized.
type view struct {
	R         *Report
	tr        *Translator
	Verdict   string // "2 problems found"
	Headline  string // verdict line with the report id
	StartHere string // "" when there is nothing to fix
	Fixes     []fixView
	Entries   []entryView
	Stages    []stageView
}

type fixView struct {
	Fix
	OwnerText    string // localized owner label
	Who          string // "Who can fix it: you"
	SeverityText string // localized severity
}

type entryView struct {
	Entry
	Icon         string
	Name         string // localized check name
	StageName    string // localized stage name
	StatusText   string // localized status word
	SeverityText string
	Note         string // short note for the check list: "see fix 2" or the skip's summary
	// Line is the check list's summary: the summary in the report's
	// language, or "" when only the English technical line exists and the
	// report is in another language (that line stays in the details).
	Line     string
	Duration string
	Evidence []fact
}

type stageView struct {
	Name    string
	Entries []entryView
}

// fact is one evidence item, its value as compact JSON on one line (a
// value's line breaks must not start lines of the report).
type fact struct{ Key, Value string }

func newView(r *Report) *view {
	tr := r.translator(r.Lang)
	v := &view{R: r, tr: tr, Verdict: verdictText(tr, r)}
	v.Headline = tr.T("verdict.line", map[string]any{"verdict": v.Verdict, "id": r.ReportID})
	if len(r.Fixes) > 0 {
		v.StartHere = tr.T("start_here", map[string]any{"title": r.Fixes[0].Title})
	}
	rank := map[string]int{}
	for _, f := range r.Fixes {
		rank[f.Check] = f.Rank
		owner := ownerLabel(tr, f.Owner)
		v.Fixes = append(v.Fixes, fixView{Fix: f, OwnerText: owner, SeverityText: v.t("severity." + string(f.Severity)),
			Who: tr.T("fix.owner", map[string]any{"owner": owner})})
	}
	byStage := map[checks.Stage][]entryView{}
	for _, e := range r.Results {
		ev := v.entry(e, rank[e.Check])
		v.Entries = append(v.Entries, ev)
		byStage[e.Stage] = append(byStage[e.Stage], ev)
	}
	for _, s := range stagesOf(r.Results) {
		v.Stages = append(v.Stages, stageView{Name: v.t("stage." + string(s)), Entries: byStage[s]})
	}
	return v
}

func (v *view) entry(e Entry, rank int) entryView {
	ev := entryView{
		Entry:        e,
		Icon:         icon(e.Status),
		Name:         checkName(v.tr, e.Check),
		StageName:    v.t("stage." + string(e.Stage)),
		StatusText:   v.t("status." + string(e.Status)),
		SeverityText: v.t("severity." + string(e.Severity)),
		Duration:     formatMS(e.DurationMS),
		Evidence:     facts(e.Evidence),
	}
	if v.tr.Lang() == defaultLang || e.TechnicalSummary != "" {
		ev.Line = e.Summary
	}
	switch {
	case rank > 0:
		ev.Note = v.tr.T("fix.see", map[string]any{"rank": rank})
	case e.Status == checks.StatusSkip:
		ev.Note = e.Summary
	}
	return ev
}

// t looks up a fixed message; a missing one shows its ID.
func (v *view) t(id string) string { return v.tr.T(id, nil) }

// label is a label followed by the language's colon ("Code: ", "代码：").
func (v *view) label(id string) string { return v.t(id) + v.t("punct.colon") }

// paren puts text in the language's parentheses, with a leading space in
// English.
func (v *view) paren(text string) string { return v.tr.T("punct.paren", map[string]any{"text": text}) }

// verdictText is the one-line verdict without the report id.
func verdictText(tr *Translator, r *Report) string {
	n := len(r.Fixes)
	form := "other"
	if n == 1 {
		form = "one"
	}
	switch r.Verdict {
	case checks.StatusFail:
		return tr.T("verdict.fail."+form, map[string]any{"count": n})
	case checks.StatusWarn:
		return tr.T("verdict.warn."+form, map[string]any{"count": n})
	}
	return tr.T("verdict.pass", nil)
}

func ownerLabel(tr *Translator, o checks.Owner) string {
	if o == "" {
		return tr.T("owner.it", nil)
	}
	return tr.T("owner."+string(o), nil)
}

// icon is the status's semantic icon: ✓ pass, ! warn, ✗ fail or error,
// – skip.
func icon(s checks.Status) string {
	switch s {
	case checks.StatusPass:
		return "✓"
	case checks.StatusWarn:
		return "!"
	case checks.StatusFail, checks.StatusError:
		return "✗"
	}
	return "–"
}

// stagesOf lists the stages present, in the guide's order, unknown last.
func stagesOf(entries []Entry) []checks.Stage {
	seen := map[checks.Stage]bool{}
	var out []checks.Stage
	for _, e := range entries {
		if !seen[e.Stage] {
			seen[e.Stage] = true
			out = append(out, e.Stage)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return stageOrder(out[i]) < stageOrder(out[j]) })
	return out
}

func facts(ev map[string]any) []fact {
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]fact, 0, len(keys))
	for _, k := range keys {
		out = append(out, fact{Key: k, Value: oneLine(compactJSON(ev[k]))})
	}
	return out
}

func compactJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// formatMS shows a duration readably: "12 ms", "1.84 s".
func formatMS(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%d ms", ms)
	}
	return fmt.Sprintf("%.2f s", time.Duration(ms*int64(time.Millisecond)).Seconds())
}

// EvidenceJSON is the evidence as indented JSON ("" when there is none).
func (e entryView) EvidenceJSON() string {
	if len(e.Entry.Evidence) == 0 {
		return ""
	}
	return evidenceJSON(e.Entry.Evidence)
}
