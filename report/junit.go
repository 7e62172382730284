package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// The JUnit XML document: one <testsuite name="logindoctor"> with one
// <testcase> per check (classname = stage, name = check ID).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut *junitOutput  `xml:"system-out,omitempty"`
}

type junitOutput struct {
	Text string `xml:",cdata"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// renderJUnit writes the JUnit XML of r; failing are the checks the exit
// decision also counts as failed (RenderOptions.Failing).
func renderJUnit(w io.Writer, r *Report, failing []string) error {
	return writeJUnit(w, generateJUnit(r, failing...))
}

// generateJUnit is the pure step: report → XML structs. Every time comes
// from the report, so the same report always gives the same bytes.
func generateJUnit(r *Report, failing ...string) junitSuites {
	suite := junitSuite{
		Name:      "logindoctor",
		Time:      seconds(r.DurationMS),
		Timestamp: r.StartedAt.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"report_id", r.ReportID},
			{"verdict", string(r.Verdict)},
			{"target", r.Target},
			{"tool", strings.TrimSpace(r.Tool.Name + " " + r.Tool.Version)},
			{"lang", r.Lang},
		},
	}
	steps := map[string]Fix{}
	for _, f := range r.Fixes {
		steps[f.Check] = f
	}
	for _, e := range r.Results {
		c := junitCaseOf(e, steps[e.Check], slices.Contains(failing, e.Check))
		suite.Cases = append(suite.Cases, c)
		suite.Tests++
		switch {
		case c.Failure != nil:
			suite.Failures++
		case c.Error != nil:
			suite.Errors++
		case c.Skipped != nil:
			suite.Skipped++
		}
	}
	return junitSuites{
		Name: "logindoctor " + r.ReportID, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite},
	}
}

// junitCaseOf is one check's test case: a failed check, or one the exit
// decision counts as failed (failing), is a <failure>; a check that could
// not finish is an <error>; a skipped one <skipped>; a warning is output.
func junitCaseOf(e Entry, fix Fix, failing bool) junitCase {
	c := junitCase{Classname: string(e.Stage), Name: e.Check, Time: seconds(e.DurationMS)}
	msg := e.Code + ": " + xmlSafe(e.Summary)
	switch {
	case e.Status == checks.StatusFail, failing:
		c.Failure = &junitMessage{Message: msg, Type: e.Code, Text: junitDetails(e, fix)}
	case e.Status == checks.StatusError:
		c.Error = &junitMessage{Message: msg, Type: e.Code, Text: junitDetails(e, fix)}
	case e.Status == checks.StatusSkip:
		c.Skipped = &junitMessage{Message: msg}
	case e.Status == checks.StatusWarn:
		c.SystemOut = &junitOutput{Text: "warning " + msg + "\n" + junitDetails(e, fix)}
	}
	return c
}

// junitDetails is the failure body: the fix title and steps, then evidence.
func junitDetails(e Entry, fix Fix) string {
	var b strings.Builder
	if fix.Title != "" {
		fmt.Fprintf(&b, "%s\n", fix.Title)
		for i, s := range fix.Steps {
			fmt.Fprintf(&b, "%d. %s\n", i+1, s)
		}
	}
	if e.TechnicalSummary != "" {
		fmt.Fprintf(&b, "%s\n", e.TechnicalSummary)
	}
	for _, f := range facts(e.Evidence) {
		fmt.Fprintf(&b, "%s: %s\n", f.Key, f.Value)
	}
	return xmlSafe(b.String())
}

// writeJUnit is the I/O step.
func writeJUnit(w io.Writer, doc junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// xmlSafe drops characters XML 1.0 cannot carry (most control
// characters); encoding/xml would otherwise write U+FFFD or fail parsers.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, s)
}
