// Package report turns check results into the ranked, localized report of
// the JSON contract (schema logindoctor/report/v1) and renders it as text,
// JSON, Markdown, HTML or JUnit XML.
package report

import (
	"slices"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// Schema is the JSON schema name this package writes and reads.
const Schema = "logindoctor/report/v1"

// Report is the v1 report. Its JSON form is a public interface: fields may
// be added, never renamed or removed.
type Report struct {
	Schema     string        `json:"schema"`
	ReportID   string        `json:"report_id"`
	Tool       Tool          `json:"tool"`
	Target     string        `json:"target"`
	StartedAt  time.Time     `json:"started_at"`
	DurationMS int64         `json:"duration_ms"`
	Lang       string        `json:"lang"`
	Verdict    checks.Status `json:"verdict"`
	Counts     Counts        `json:"counts"`
	Fixes      []Fix         `json:"fixes"`
	Results    []Entry       `json:"results"`
	// GOOS is the operating system whose fix steps apply (an addition to
	// the contract's first fields, kept so Localize picks the same step variants).
	GOOS string `json:"goos,omitempty"`
	// Attachments travel to the ticket bundle, never into JSON.
	Attachments []checks.Attachment `json:"-"`

	cat *catalog // nil: the embedded catalogs (tests inject their own)
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Counts counts results by status; every key is always present.
type Counts struct {
	Pass  int `json:"pass"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Skip  int `json:"skip"`
	Error int `json:"error"`
}

// Fix is one ranked entry of the fix list.
type Fix struct {
	Rank     int             `json:"rank"`
	Check    string          `json:"check"`
	Code     string          `json:"code"`
	Severity checks.Severity `json:"severity"`
	Owner    checks.Owner    `json:"owner"`
	Title    string          `json:"title"`
	Steps    []string        `json:"steps"`
	// ExplainedBy is the check ID of the root cause this finding is
	// probably a symptom of ("" when it is a root cause itself).
	ExplainedBy string `json:"explained_by"`
}

// Entry is one check's result as the report shows it.
type Entry struct {
	Check    string          `json:"check"`
	Stage    checks.Stage    `json:"stage"`
	Status   checks.Status   `json:"status"`
	Code     string          `json:"code"`
	Severity checks.Severity `json:"severity"`
	Owner    checks.Owner    `json:"owner"`
	// Summary is the localized summary, or the check's technical English
	// one-liner when the catalog has none for the code.
	Summary    string         `json:"summary"`
	Evidence   map[string]any `json:"evidence"`
	BlockedBy  string         `json:"blocked_by"`
	DurationMS int64          `json:"duration_ms"`
	// Params and Variant are what the localized texts were made from.
	Params  map[string]string `json:"params,omitempty"`
	Variant string            `json:"variant,omitempty"`
	// TechnicalSummary is the check's own English one-liner, present only
	// when Summary was localized into something else.
	TechnicalSummary string `json:"technical_summary,omitempty"`
}

// Options are the facts of a run that the results do not carry.
type Options struct {
	Lang        string // "en" | "zh" (anything else: see NormalizeLang)
	ToolName    string // default "logindoctor"
	ToolVersion string
	Target      string // the login URL as configured
	StartedAt   time.Time
	Duration    time.Duration
	// ReportID is used as is when set; otherwise a new one is drawn.
	ReportID string
	// GOOS selects OS-specific fix steps for results without a Variant.
	GOOS string

	catalog *catalog // nil: the embedded catalogs (tests inject their own)
}

// Build makes the report of results (in registry order): counts, verdict,
// the ranked fix list and every text in opts.Lang.
func Build(results []checks.Result, opts Options) *Report {
	r := &Report{
		Schema:     Schema,
		ReportID:   opts.ReportID,
		Tool:       Tool{Name: opts.ToolName, Version: opts.ToolVersion},
		Target:     RedactURLs(opts.Target),
		StartedAt:  opts.StartedAt.UTC().Truncate(time.Second),
		DurationMS: opts.Duration.Milliseconds(),
		GOOS:       opts.GOOS,
		Results:    make([]Entry, 0, len(results)),
		cat:        opts.catalog,
	}
	if r.ReportID == "" {
		r.ReportID = NewReportID()
	}
	if r.Tool.Name == "" {
		r.Tool.Name = "logindoctor"
	}
	for _, res := range results {
		r.Results = append(r.Results, entryOf(res))
		r.Attachments = append(r.Attachments, res.Attachments...)
	}
	markClockChecked(r.Results)
	r.Counts = countOf(r.Results)
	r.Verdict = verdictOf(r.Counts)
	r.Fixes = rankFixes(r.Results)
	r.Localize(opts.Lang)
	return r
}

// translator returns the report's messages in lang.
func (r *Report) translator(lang string) *Translator {
	if r.cat != nil {
		return newTranslator(r.cat, lang)
	}
	return Messages(lang)
}

// clockBound are the codes a wrong computer clock can cause: their steps
// begin by asking the person to look at their clock.
var clockBound = []string{"TLS_EXPIRED", "TLS_NOT_YET_VALID"}

// markClockChecked gives those codes the "clock_ok" variant when
// clock.skew found the clock right in the same run: the person need not
// look at a clock logindoctor has already checked.
func markClockChecked(entries []Entry) {
	ok := slices.ContainsFunc(entries, func(e Entry) bool { return e.Check == "clock.skew" && e.Status == checks.StatusPass })
	if !ok {
		return
	}
	for i, e := range entries {
		if e.Variant == "" && slices.Contains(clockBound, e.Code) {
			entries[i].Variant = "clock_ok"
		}
	}
}

// entryOf is a result as the report keeps it: URLs in the summary, the
// params and the evidence lose their query values and fragments (see
// RedactURLs), whatever the check put there.
func entryOf(res checks.Result) Entry {
	ev := redactEvidence(res.Evidence)
	var params map[string]string
	if res.Params != nil {
		params = make(map[string]string, len(res.Params))
		for k, v := range res.Params {
			params[k] = RedactURLs(v)
		}
	}
	return Entry{
		Check:      res.Check,
		Stage:      res.Stage,
		Status:     res.Status,
		Code:       res.Code,
		Severity:   res.Severity,
		Owner:      res.Owner,
		Summary:    RedactURLs(res.Summary),
		Evidence:   ev,
		BlockedBy:  res.BlockedBy,
		DurationMS: res.Duration.Milliseconds(),
		Params:     params,
		Variant:    res.Variant,
	}
}

func countOf(entries []Entry) Counts {
	var c Counts
	for _, e := range entries {
		switch e.Status {
		case checks.StatusPass:
			c.Pass++
		case checks.StatusWarn:
			c.Warn++
		case checks.StatusFail:
			c.Fail++
		case checks.StatusSkip:
			c.Skip++
		case checks.StatusError:
			c.Error++
		}
	}
	return c
}

// verdictOf: fail if anything failed or errored, else warn if anything
// warned, else pass.
func verdictOf(c Counts) checks.Status {
	switch {
	case c.Fail > 0 || c.Error > 0:
		return checks.StatusFail
	case c.Warn > 0:
		return checks.StatusWarn
	}
	return checks.StatusPass
}

// actionable reports whether an entry needs a fix (warn, fail or error).
func (e Entry) actionable() bool { return e.Status.Actionable() }
