package report

import (
	"fmt"
	"io"
	"strings"
)

// RenderOptions are the caller's presentation choices. The CLI decides
// Color from NO_COLOR, --no-color and whether the output is a terminal.
type RenderOptions struct {
	// Color turns on ANSI colours (text format only).
	Color bool
	// Verbose adds the technical details per check (text format only;
	// the other formats always carry them).
	Verbose bool
	// Width wraps the text report at word boundaries (and between CJK
	// characters) to this many terminal columns; 0 does not wrap. The CLI
	// passes the terminal's width when the report goes to a terminal.
	Width int
	// Failing are the checks the exit decision counts as failed besides
	// the failed ones: a warning under --strict, a finding at --fail-on,
	// smoke's unchecked browser. JUnit reports them as <failure>, so the
	// CI's test view agrees with the exit code.
	Failing []string
	// Demo: the report is a demo scenario's, which nobody sends to IT: it
	// ends by saying so instead of asking to give IT the report ID.
	Demo bool
	// ScreenshotPath is where a server serving the HTML report (the
	// helpdesk inbox) serves the login page's screenshot: shown in the
	// report's screenshot section when the report carries none of its own
	// (a saved report.json keeps no attachment). A site-relative path only.
	ScreenshotPath string
}

// Formats lists the output formats Render understands.
func Formats() []string { return []string{"text", "json", "markdown", "html", "junit"} }

// Render writes r to w in format (one of Formats).
func Render(w io.Writer, r *Report, format string, opts RenderOptions) error {
	if r == nil {
		return fmt.Errorf("render %s: no report", format)
	}
	r = r.inert()
	var err error
	switch format {
	case "text":
		err = renderText(w, r, opts)
	case "json":
		err = renderJSON(w, r)
	case "markdown", "md":
		err = renderMarkdown(w, r)
	case "html":
		err = renderHTML(w, r, opts)
	case "junit":
		err = renderJUnit(w, r, opts.Failing)
	default:
		return fmt.Errorf("unknown format %q (use one of %s)", format, strings.Join(Formats(), ", "))
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	return nil
}
