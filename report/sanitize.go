package report

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/logindoctor/logindoctor/checks"
)

// Every string in a report may come from a hostile server (a certificate's
// issuer, an API's error text, a redirect's URL) or from a crafted JSON
// file given to `report render`. The helpers here make such text inert
// before any renderer sees it; each renderer then escapes for its format.

// maxParamRunes bounds a parameter substituted into a message.
const maxParamRunes = 200

// maxLineRunes bounds a one-line text of the report (summary, title, step).
const maxLineRunes = 500

// maxFieldRunes bounds any other string (evidence values, names).
const maxFieldRunes = 4000

// ellipsis marks text that was cut short.
const ellipsis = "…"

// invisible reports whether r is a control or formatting character that
// must never reach a terminal or a document: C0 and C1 controls (ESC,
// BEL, CSI U+009B…), DEL, the bidirectional overrides, embeddings,
// isolates and marks that reorder what a reader sees, and the BOM.
func invisible(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E, r == 0x200F, r == 0x061C, r == 0xFEFF:
		return true
	}
	return false
}

// clean drops control and bidirectional-formatting characters except
// newlines; tabs become spaces, line and paragraph separators newlines,
// and invalid UTF-8 the replacement character.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r == 0x2028 || r == 0x2029:
			return '\n'
		case invisible(r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// oneLine keeps a message on one line, without control characters (a
// server's text must not drive the terminal nor start a new step).
func oneLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// bounded cuts s to at most n runes, marking the cut with an ellipsis.
func bounded(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimRightFunc(string(runes[:n-1]), unicode.IsSpace) + ellipsis
}

// safeParam is how every parameter enters a message: one line, without
// secrets in URLs, at most maxParamRunes runes.
func safeParam(s string) string { return bounded(oneLine(RedactURLs(s)), maxParamRunes) }

// safeLine is a one-line text of the report, bounded.
func safeLine(s string) string { return bounded(oneLine(s), maxLineRunes) }

// safeField is any other string: cleaned (newlines kept) and bounded.
func safeField(s string) string { return bounded(clean(s), maxFieldRunes) }

// maxNameRunes bounds short identifiers (tool name and version, language).
const maxNameRunes = 64

// inert returns a copy of r in which every string is safe for any
// renderer: one-line texts are one line, nothing carries control or
// bidirectional-formatting characters, and everything is bounded. Render
// uses it on every report, live or read back from a file.
func (r *Report) inert() *Report {
	c := *r
	c.Schema = safeLine(r.Schema)
	c.ReportID = safeLine(r.ReportID)
	c.Target = safeLine(r.Target)
	c.Tool = Tool{Name: bounded(oneLine(r.Tool.Name), maxNameRunes), Version: bounded(oneLine(r.Tool.Version), maxNameRunes)}
	c.Lang = bounded(oneLine(r.Lang), maxNameRunes)
	c.GOOS = bounded(oneLine(r.GOOS), maxNameRunes)
	c.Verdict = checks.Status(safeLine(string(r.Verdict)))
	c.Fixes = make([]Fix, len(r.Fixes))
	for i, f := range r.Fixes {
		c.Fixes[i] = f.inert()
	}
	c.Results = make([]Entry, len(r.Results))
	for i, e := range r.Results {
		c.Results[i] = e.inert()
	}
	return &c
}

func (f Fix) inert() Fix {
	f.Check, f.Code, f.ExplainedBy = safeLine(f.Check), safeLine(f.Code), safeLine(f.ExplainedBy)
	f.Severity, f.Owner = checks.Severity(safeLine(string(f.Severity))), checks.Owner(safeLine(string(f.Owner)))
	f.Title = safeLine(f.Title)
	steps := make([]string, 0, len(f.Steps))
	for _, s := range f.Steps {
		steps = append(steps, safeLine(s))
	}
	f.Steps = steps
	return f
}

func (e Entry) inert() Entry {
	e.Check, e.Code, e.BlockedBy, e.Variant = safeLine(e.Check), safeLine(e.Code), safeLine(e.BlockedBy), safeLine(e.Variant)
	e.Stage, e.Status = checks.Stage(safeLine(string(e.Stage))), checks.Status(safeLine(string(e.Status)))
	e.Severity, e.Owner = checks.Severity(safeLine(string(e.Severity))), checks.Owner(safeLine(string(e.Owner)))
	e.Summary, e.TechnicalSummary = safeLine(e.Summary), safeLine(e.TechnicalSummary)
	if e.Params != nil {
		p := make(map[string]string, len(e.Params))
		for k, v := range e.Params {
			p[safeLine(k)] = safeParam(v)
		}
		e.Params = p
	}
	ev := make(map[string]any, len(e.Evidence))
	for k, v := range e.Evidence {
		ev[safeLine(k)] = mapStrings(v, safeField)
	}
	e.Evidence = ev
	return e
}
