package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
	"github.com/logindoctor/logindoctor/checks"
)

// palette colours text; with colour off every method returns s unchanged.
type palette struct{ on bool }

func (p palette) paint(s string, attrs ...color.Attribute) string {
	if !p.on || s == "" {
		return s
	}
	c := color.New(attrs...)
	c.EnableColor() // the caller decided; ignore color.NoColor
	return c.Sprint(s)
}

func (p palette) status(s checks.Status, text string) string {
	switch s {
	case checks.StatusPass:
		return p.paint(text, color.FgGreen)
	case checks.StatusWarn:
		return p.paint(text, color.FgYellow)
	case checks.StatusFail, checks.StatusError:
		return p.paint(text, color.FgRed)
	}
	return p.paint(text, color.Faint)
}

func (p palette) bold(s string) string  { return p.paint(s, color.Bold) }
func (p palette) faint(s string) string { return p.paint(s, color.Faint) }

// renderText writes the report for a person at a terminal: the verdict,
// where to start, the numbered fixes, a short list of checks and, with
// Verbose, the technical details by stage.
func renderText(w io.Writer, r *Report, opts RenderOptions) error {
	bw := bufio.NewWriter(w)
	v := newView(r)
	p := palette{on: opts.Color}
	fmt.Fprintln(bw, p.status(r.Verdict, icon(r.Verdict)+" "+p.bold(oneLine(v.Headline))))
	if v.StartHere != "" {
		fmt.Fprintln(bw, oneLine(v.StartHere))
	}
	writeTextFixes(bw, v, p)
	writeTextChecks(bw, v, p, opts.Verbose)
	if opts.Verbose {
		writeTextDetails(bw, v, p)
	}
	fmt.Fprintln(bw)
	if !opts.Verbose {
		fmt.Fprintln(bw, p.faint(v.t("hint.verbose")))
	}
	fmt.Fprintln(bw, p.faint(v.tr.T("hint.report_id", map[string]any{"id": r.ReportID})))
	return bw.Flush()
}

func writeTextFixes(w io.Writer, v *view, p palette) {
	if len(v.Fixes) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", p.bold(v.t("section.fixes")))
	for _, f := range v.Fixes {
		fmt.Fprintf(w, "%2d. %s\n", f.Rank, p.bold(oneLine(f.Title)))
		fmt.Fprintf(w, "    %s\n", p.faint(f.Who))
		for i, s := range f.Steps {
			fmt.Fprintf(w, "    %d) %s\n", i+1, oneLine(s))
		}
	}
}

// writeTextChecks lists the checks, one line each. Without verbose, the
// checks that are not set up share one line: for the person at the
// keyboard they are not news, and the settings they need are IT's business.
func writeTextChecks(w io.Writer, v *view, p palette, verbose bool) {
	fmt.Fprintf(w, "\n%s\n", p.bold(v.t("section.checks")))
	var notSetUp []string
	for _, e := range v.Entries {
		if !verbose && e.Code == checks.CodeNotConfigured {
			notSetUp = append(notSetUp, e.Name)
			continue
		}
		line := p.status(e.Status, e.Icon) + " " + e.Name
		if e.Note != "" {
			line += p.faint(" — " + oneLine(e.Note))
		}
		fmt.Fprintln(w, "  "+line)
	}
	if len(notSetUp) > 0 {
		names := strings.Join(notSetUp, v.t("punct.list"))
		fmt.Fprintln(w, "  "+p.faint(icon(checks.StatusSkip)+" "+v.tr.T("checks.not_set_up", map[string]any{"names": names})))
	}
}

func writeTextDetails(w io.Writer, v *view, p palette) {
	r := v.R
	fmt.Fprintf(w, "\n%s\n", p.bold(v.t("section.details")))
	fmt.Fprintf(w, "  %s%s\n", v.label("label.report_id"), r.ReportID)
	fmt.Fprintf(w, "  %s%s\n", v.label("label.target"), oneLine(r.Target))
	fmt.Fprintf(w, "  %s%s\n", v.label("label.started"), r.StartedAt.Format("2006-01-02 15:04:05 UTC"))
	fmt.Fprintf(w, "  %s%s\n", v.label("label.duration"), formatMS(r.DurationMS))
	fmt.Fprintf(w, "  %s%s %s\n", v.label("label.tool"), r.Tool.Name, r.Tool.Version)
	for _, s := range v.Stages {
		fmt.Fprintf(w, "\n  %s\n", p.bold(s.Name))
		for _, e := range s.Entries {
			fmt.Fprintf(w, "  %s %s  %s  %s  %s\n", p.status(e.Status, e.Icon), p.bold(e.Check),
				e.Status, e.Code, p.faint(e.Duration))
			fmt.Fprintf(w, "      %s\n", oneLine(e.Summary))
			if e.TechnicalSummary != "" {
				fmt.Fprintf(w, "      %s\n", oneLine(e.TechnicalSummary))
			}
			if e.BlockedBy != "" {
				fmt.Fprintf(w, "      %s%s\n", v.label("label.blocked_by"), e.BlockedBy)
			}
			for _, f := range e.Evidence {
				fmt.Fprintf(w, "      %s: %s\n", p.faint(f.Key), indentMore(f.Value, "        "))
			}
		}
	}
}

// indentMore indents the continuation lines of a multi-line value.
func indentMore(s, indent string) string {
	return strings.ReplaceAll(strings.TrimRight(clean(s), "\n"), "\n", "\n"+indent)
}
