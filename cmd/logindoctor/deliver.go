package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/logindoctor/logindoctor/report"
)

// errOutOfTime says the run's time limit ended before its output was out.
var errOutOfTime = errors.New("the run's time limit (--timeout) ended before the report or bundle was written: give a longer --timeout")

// deliver writes the report (stdout or --output) and then, with --bundle,
// the ticket bundle, by ctx's deadline. Rendering, the slow part, runs
// aside and only reads the report, so the run can give up on it at the
// deadline; the writes happen here, so nothing is written once deliver
// has returned.
func (a *app) deliver(ctx context.Context, rep *report.Report, p runPlan, red *redactor) error {
	out, err := aside(ctx, func() ([]byte, error) { return a.renderReport(rep, p.g, p.failing, p.demo, red) })
	if err != nil {
		return err
	}
	if err := a.writeReport(ctx, out, p.g, rep.ReportID); err != nil {
		return err
	}
	if p.g.Output != "" && !a.io.OutTTY {
		a.printVerdictLine(rep, red)
	}
	if p.g.Bundle == "" {
		return nil
	}
	zip, err := a.ticketBundle(ctx, rep, p, red)
	if err != nil {
		return err
	}
	if err := writeOutput(ctx, p.g.Bundle, zip, 0o600); err != nil {
		return err
	}
	a.sayErr(a.t("cli.bundle_written", map[string]any{"path": p.g.Bundle, "report_id": rep.ReportID}), p.g.Bundle)
	return nil
}

// aside runs f in its own goroutine and returns its result, or
// errOutOfTime when ctx ends first (f then finishes unobserved).
func aside(ctx context.Context, f func() ([]byte, error)) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := f()
		ch <- result{data, err}
	}()
	select {
	case r := <-ch:
		return r.data, r.err
	case <-ctx.Done():
		return nil, errOutOfTime
	}
}

// renderReport renders the report in --format, scrubbed of secrets.
func (a *app) renderReport(rep *report.Report, g *globalOptions, failing []string, demo bool, red *redactor) ([]byte, error) {
	var buf bytes.Buffer
	color := g.Output == "" && a.io.colorEnabled(g.NoColor)
	if err := report.Render(&buf, rep, g.Format, report.RenderOptions{Color: color, Verbose: g.Verbose, Failing: failing, Width: a.outWidth(g), Demo: demo}); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return red.scrub(buf.Bytes()), nil
}

// writeReport writes the rendered report to stdout, or to --output
// (atomically, with the umask's permissions), giving up when ctx ends.
func (a *app) writeReport(ctx context.Context, out []byte, g *globalOptions, reportID string) error {
	if ctx.Err() != nil {
		return errOutOfTime
	}
	if g.Output == "" {
		_, err := a.io.Out.Write(out)
		return err
	}
	if err := writeOutput(ctx, g.Output, out, 0o666); err != nil {
		return err
	}
	a.sayErr(a.t("cli.report_written", map[string]any{"path": g.Output, "report_id": reportID}), g.Output)
	return nil
}

// printVerdictLine writes the report's one-line verdict to stdout: with -o
// in a CI log (stdout no terminal), the log still says how the run went.
func (a *app) printVerdictLine(rep *report.Report, red *redactor) {
	var buf bytes.Buffer
	if err := report.Render(&buf, rep, "text", report.RenderOptions{}); err != nil {
		return
	}
	line, _, _ := bytes.Cut(buf.Bytes(), []byte("\n"))
	fmt.Fprintf(a.io.Out, "%s\n", red.scrub(line))
}
