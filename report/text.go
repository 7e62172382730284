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
	wrap := func(first, indent, s string) string { return wrapText(first, indent, s, opts.Width) }
	fmt.Fprintln(bw, p.status(r.Verdict, p.bold(wrap(icon(r.Verdict)+" ", "  ", oneLine(v.Headline)))))
	if v.StartHere != "" {
		fmt.Fprintln(bw, wrap("", "  ", oneLine(v.StartHere)))
	}
	writeTextFixes(bw, v, p, wrap)
	writeTextChecks(bw, v, p, opts.Verbose, wrap)
	if opts.Verbose {
		writeTextDetails(bw, v, p, wrap)
	}
	fmt.Fprintln(bw)
	if !opts.Verbose {
		fmt.Fprintln(bw, p.faint(wrap("", "", v.t("hint.verbose"))))
	}
	fmt.Fprintln(bw, p.faint(wrap("", "", idHint(v.tr, r.ReportID, opts.Demo))))
	return bw.Flush()
}

// wrapFunc lays out text after a first-line prefix, continuation lines
// starting with indent (see wrapText).
type wrapFunc func(first, indent, s string) string

func writeTextFixes(w io.Writer, v *view, p palette, wrap wrapFunc) {
	if len(v.Fixes) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", p.bold(v.t("section.fixes")))
	for _, f := range v.Fixes {
		num := fmt.Sprintf("%2d. ", f.Rank)
		fmt.Fprintln(w, p.bold(wrap(num, "    ", oneLine(f.Title))))
		fmt.Fprintln(w, p.faint(wrap("    ", "    ", f.Who)))
		for i, s := range f.Steps {
			step := fmt.Sprintf("    %d) ", i+1)
			fmt.Fprintln(w, wrap(step, strings.Repeat(" ", len(step)), oneLine(s)))
		}
	}
}

// writeTextChecks lists the checks, one line each. Without verbose, the
// checks that are not set up share one line: for the person at the
// keyboard they are not news, and the settings they need are IT's business.
func writeTextChecks(w io.Writer, v *view, p palette, verbose bool, wrap wrapFunc) {
	fmt.Fprintf(w, "\n%s\n", p.bold(v.t("section.checks")))
	var notSetUp []string
	for _, e := range v.Entries {
		if !verbose && e.Code == checks.CodeNotConfigured {
			notSetUp = append(notSetUp, e.Name)
			continue
		}
		line := e.Name
		if e.Note != "" {
			line += " — " + oneLine(e.Note)
		}
		text := wrap("  "+e.Icon+" ", "    ", line)
		// Colour the icon; the note after the name is faint.
		text = "  " + p.status(e.Status, e.Icon) + strings.TrimPrefix(text, "  "+e.Icon)
		if e.Note != "" && p.on {
			if i := strings.Index(text, " — "); i >= 0 {
				text = text[:i] + p.faint(text[i:])
			}
		}
		fmt.Fprintln(w, text)
	}
	if len(notSetUp) > 0 {
		names := strings.Join(notSetUp, v.t("punct.list"))
		fmt.Fprintln(w, p.faint(wrap("  "+icon(checks.StatusSkip)+" ", "    ", v.tr.T("checks.not_set_up", map[string]any{"names": names}))))
	}
}

func writeTextDetails(w io.Writer, v *view, p palette, wrap wrapFunc) {
	r := v.R
	fmt.Fprintf(w, "\n%s\n", p.bold(v.t("section.details")))
	for _, kv := range [][2]string{
		{"label.report_id", r.ReportID},
		{"label.target", oneLine(r.Target)},
		{"label.started", r.StartedAt.Format("2006-01-02 15:04:05 UTC")},
		{"label.duration", formatMS(r.DurationMS)},
		{"label.tool", r.Tool.Name + " " + r.Tool.Version},
	} {
		fmt.Fprintln(w, wrap("  ", "    ", v.label(kv[0])+kv[1]))
	}
	for _, s := range v.Stages {
		fmt.Fprintf(w, "\n  %s\n", p.bold(s.Name))
		for _, e := range s.Entries {
			head := wrap("  "+e.Icon+" ", "      ", e.Check+"  "+string(e.Status)+"  "+e.Code+"  "+e.Duration)
			if p.on {
				head = "  " + p.status(e.Status, e.Icon) + " " + strings.Replace(strings.TrimPrefix(head, "  "+e.Icon+" "), e.Check, p.bold(e.Check), 1)
			}
			fmt.Fprintln(w, head)
			fmt.Fprintln(w, wrap("      ", "      ", oneLine(e.Summary)))
			if e.TechnicalSummary != "" {
				fmt.Fprintln(w, wrap("      ", "      ", oneLine(e.TechnicalSummary)))
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

// idHint is the report's last line: give IT the report ID — or, for a
// demo, that nobody needs it.
func idHint(tr *Translator, id string, demo bool) string {
	if demo {
		return tr.T("hint.demo", map[string]any{"id": id})
	}
	return tr.T("hint.report_id", map[string]any{"id": id})
}
