package report

import (
	"strings"
	"unicode"

	"github.com/logindoctor/logindoctor/checks"
)

// Localize re-derives every localized text of the report — result
// summaries, fix titles and steps — in lang, from each result's code,
// params and variant. Build calls it; `report render --lang` calls it on a
// report read back with ReadJSON.
func (r *Report) Localize(lang string) {
	tr := r.translator(lang)
	r.Lang = tr.Lang()
	byCheck := make(map[string]Entry, len(r.Results))
	for i := range r.Results {
		e := &r.Results[i]
		tech := e.TechnicalSummary
		if tech == "" {
			tech = e.Summary
		}
		tech = safeLine(tech)
		e.Summary, e.TechnicalSummary = tech, ""
		if s, ok := tr.lookup(summaryID(tr, *e), r.messageData(tr, *e)); ok && s != tech {
			e.Summary, e.TechnicalSummary = s, tech
		}
		byCheck[e.Check] = *e
	}
	rankOf := make(map[string]int, len(r.Fixes))
	for _, f := range r.Fixes {
		rankOf[f.Check] = f.Rank
	}
	for i := range r.Fixes {
		f := &r.Fixes[i]
		e, ok := byCheck[f.Check]
		if !ok {
			e = Entry{Check: f.Check, Code: f.Code, Summary: f.Code}
		}
		data := r.messageData(tr, e)
		f.Title = r.fixTitle(tr, e, data)
		f.Steps = r.fixSteps(tr, e, data)
		if f.ExplainedBy != "" {
			f.Title = tr.T("fix.explained_by", map[string]any{
				"title": f.Title,
				"cause": causeName(tr, byCheck[f.ExplainedBy], f.ExplainedBy),
				"rank":  rankOf[f.ExplainedBy],
			})
		}
	}
}

// summaryID is the message of a result's localized summary: its code's,
// or for a passing check in a language other than English (whose readers
// cannot use the technical English line) the check's own pass line.
func summaryID(tr *Translator, e Entry) string {
	if e.Code == checks.CodeOK && tr.Lang() != defaultLang {
		return "pass." + e.Check + ".summary"
	}
	return e.Code + ".summary"
}

// messageData is what a finding's templates may use: its params, plus the
// check ID, the check's localized name, the code, the report ID and, for a
// blocked check, the blocking check's localized name. Every value is
// server-controlled as far as this package knows, so each enters a message
// through safeParam: one line, bounded, URLs redacted — a value can never
// add a step, a heading or a link to what the template makes.
func (r *Report) messageData(tr *Translator, e Entry) map[string]string {
	data := map[string]string{
		"check":      e.Check,
		"check_name": checkName(tr, e.Check),
		"code":       e.Code,
		"report_id":  r.ReportID,
	}
	if e.BlockedBy != "" {
		data["blocked_by_name"] = checkName(tr, e.BlockedBy)
	}
	for k, v := range e.Params {
		data[k] = v
	}
	if h, ok := data["hours"]; ok && e.Check == "policy.hours" {
		data["hours"] = localizeSchedule(tr, h)
	}
	for k, v := range data {
		data[k] = safeParam(v)
	}
	return data
}

// fixTitle is <CODE>.title, or the (localized) summary when the catalog
// has no title for the code.
func (r *Report) fixTitle(tr *Translator, e Entry, data map[string]string) string {
	if t, ok := tr.lookup(e.Code+".title", data); ok {
		return safeLine(t)
	}
	return safeLine(e.Summary)
}

// fixSteps is <CODE>.steps.<variant> when present, else <CODE>.steps, one
// step per line. The variant is the result's own, else the report's OS.
func (r *Report) fixSteps(tr *Translator, e Entry, data map[string]string) []string {
	variant := e.Variant
	if variant == "" {
		variant = r.GOOS
	}
	ids := []string{e.Code + ".steps"}
	if variant != "" {
		ids = []string{e.Code + ".steps." + variant, e.Code + ".steps"}
	}
	if s, ok := tr.first(ids, data); ok {
		if steps := splitSteps(s); len(steps) > 0 {
			return steps
		}
	}
	return []string{tr.T("fix.no_steps", anyMap(data))}
}

// splitSteps splits a block of steps into lines, dropping empty lines and
// any numbering the catalog author typed ("1. ", "2) "): renderers number.
func splitSteps(s string) []string {
	var steps []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(stripNumber(strings.TrimSpace(line)))
		if line != "" {
			steps = append(steps, line)
		}
	}
	return steps
}

func stripNumber(line string) string {
	digits := strings.TrimLeftFunc(line, unicode.IsDigit)
	if len(digits) == len(line) || len(digits) < 2 {
		return line
	}
	if (digits[0] == '.' || digits[0] == ')') && digits[1] == ' ' {
		return digits[2:]
	}
	return line
}

// checkName is the check's localized name, or its ID.
func checkName(tr *Translator, id string) string {
	if s, ok := tr.lookup("check."+id, nil); ok {
		return s
	}
	return id
}

// causeName names a root cause in a symptom's title: cause.<CODE>, else
// cause.<check>, else the check's name.
func causeName(tr *Translator, root Entry, check string) string {
	if s, ok := tr.first([]string{"cause." + root.Code, "cause." + check}, nil); ok {
		return s
	}
	return checkName(tr, check)
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
