package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"

	"github.com/logindoctor/logindoctor/checks"
)

// MaxReportSize is the largest JSON report ReadJSON accepts.
const MaxReportSize = 16 << 20

// ErrNotReport is returned (wrapped) for input that is not a logindoctor
// report at all.
var ErrNotReport = errors.New("not a logindoctor report")

// UnsupportedSchemaError is returned for a report of another schema.
type UnsupportedSchemaError struct{ Schema string }

func (e *UnsupportedSchemaError) Error() string {
	return fmt.Sprintf("report schema %q is not supported (this version reads %s)", e.Schema, Schema)
}

// ReadJSON reads a report written by the json format, for re-rendering.
// It reads at most MaxReportSize bytes and accepts only schema v1; fields
// it does not know (added by newer v1 writers) are ignored.
func ReadJSON(rd io.Reader) (*Report, error) {
	buf, err := io.ReadAll(io.LimitReader(rd, MaxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	if len(buf) > MaxReportSize {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrNotReport, MaxReportSize>>20)
	}
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(buf, &head); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	if head.Schema == nil {
		return nil, fmt.Errorf("%w: no schema field", ErrNotReport)
	}
	if *head.Schema != Schema {
		return nil, &UnsupportedSchemaError{Schema: *head.Schema}
	}
	var r Report
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.UseNumber() // evidence numbers survive a round trip exactly
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	r.normalize()
	return &r, nil
}

// Formats of the identifiers a report carries. Everything a saved file
// says is checked against them before anything renders it.
var (
	codePattern  = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,63}$`)
	checkPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}(\.[a-z0-9][a-z0-9_-]{0,63}){0,4}$`)
)

// validate rejects reports whose identifiers, statuses or fix references
// make no sense: a crafted file must not smuggle text into fields that
// renderers treat as known words.
func (r *Report) validate() error {
	if r.ReportID == "" {
		return errors.New("no report_id")
	}
	if !ValidReportID(r.ReportID) {
		return fmt.Errorf("report_id %.20q is not of the form LD-XXXXXX", r.ReportID)
	}
	switch r.Verdict {
	case checks.StatusPass, checks.StatusWarn, checks.StatusFail:
	default:
		return fmt.Errorf("unknown verdict %.20q", r.Verdict)
	}
	if r.Lang != "" && !slices.Contains(Languages(), r.Lang) {
		return fmt.Errorf("unknown lang %.20q", r.Lang)
	}
	seen := map[string]bool{}
	for i, e := range r.Results {
		if err := e.validate(); err != nil {
			return fmt.Errorf("result %d: %w", i, err)
		}
		seen[e.Check] = true
	}
	for _, f := range r.Fixes {
		if err := f.validate(); err != nil {
			return fmt.Errorf("fix %d: %w", f.Rank, err)
		}
		if !seen[f.Check] {
			return fmt.Errorf("fix %d names check %q, which has no result", f.Rank, f.Check)
		}
	}
	return nil
}

func (e Entry) validate() error {
	if err := validCheck("check", e.Check, false); err != nil {
		return err
	}
	switch e.Status {
	case checks.StatusPass, checks.StatusWarn, checks.StatusFail, checks.StatusSkip, checks.StatusError:
	default:
		return fmt.Errorf("(%s): unknown status %.20q", e.Check, e.Status)
	}
	if e.Stage != "" && e.Stage.Index() < 0 {
		return fmt.Errorf("(%s): unknown stage %.20q", e.Check, e.Stage)
	}
	if !codePattern.MatchString(e.Code) {
		return fmt.Errorf("(%s): code %.20q is not a reason code", e.Check, e.Code)
	}
	if err := validCheck("blocked_by", e.BlockedBy, true); err != nil {
		return err
	}
	return validLevels(e.Severity, e.Owner)
}

func (f Fix) validate() error {
	if err := validCheck("check", f.Check, false); err != nil {
		return err
	}
	if !codePattern.MatchString(f.Code) {
		return fmt.Errorf("(%s): code %.20q is not a reason code", f.Check, f.Code)
	}
	if err := validCheck("explained_by", f.ExplainedBy, true); err != nil {
		return err
	}
	return validLevels(f.Severity, f.Owner)
}

// validCheck checks a check ID (empty allowed when optional).
func validCheck(field, id string, optional bool) error {
	if (optional && id == "") || checkPattern.MatchString(id) {
		return nil
	}
	return fmt.Errorf("%s %.40q is not a check ID", field, id)
}

// validLevels checks a severity and an owner; both may be empty.
func validLevels(sev checks.Severity, owner checks.Owner) error {
	switch sev {
	case "", checks.SeverityInfo, checks.SeverityLow, checks.SeverityHigh, checks.SeverityCritical:
	default:
		return fmt.Errorf("unknown severity %.20q", sev)
	}
	switch owner {
	case "", checks.OwnerYou, checks.OwnerIT, checks.OwnerAdmin:
	default:
		return fmt.Errorf("unknown owner %.20q", owner)
	}
	return nil
}

// normalize restores the invariants Build guarantees: non-nil slices and
// evidence maps.
func (r *Report) normalize() {
	if r.Fixes == nil {
		r.Fixes = []Fix{}
	}
	if r.Results == nil {
		r.Results = []Entry{}
	}
	for i := range r.Results {
		if r.Results[i].Evidence == nil {
			r.Results[i].Evidence = map[string]any{}
		}
	}
	for i := range r.Fixes {
		if r.Fixes[i].Steps == nil {
			r.Fixes[i].Steps = []string{}
		}
	}
}
