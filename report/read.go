package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

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

// validate rejects reports whose statuses or fix references make no sense.
func (r *Report) validate() error {
	if r.ReportID == "" {
		return errors.New("no report_id")
	}
	seen := map[string]bool{}
	for i, e := range r.Results {
		switch e.Status {
		case checks.StatusPass, checks.StatusWarn, checks.StatusFail, checks.StatusSkip, checks.StatusError:
		default:
			return fmt.Errorf("result %d (%s): unknown status %q", i, e.Check, e.Status)
		}
		seen[e.Check] = true
	}
	for _, f := range r.Fixes {
		if !seen[f.Check] {
			return fmt.Errorf("fix %d names check %q, which has no result", f.Rank, f.Check)
		}
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
