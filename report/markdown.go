package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// renderMarkdown writes a report that pastes cleanly into a ticket: a
// heading with the report id and verdict, the numbered fixes, a table of
// checks and the technical details in a collapsible block.
func renderMarkdown(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	v := newView(r)
	fmt.Fprintf(bw, "# %s %s %s — %s\n\n", icon(r.Verdict), mdText(v.t("label.title")), r.ReportID, mdText(v.Verdict))
	fmt.Fprintf(bw, "%s · %s · %s · %s · %s\n\n",
		mdField(v, "label.verdict", mdText(v.t("status."+string(r.Verdict)))),
		mdField(v, "label.target", mdCode(r.Target)),
		mdField(v, "label.started", r.StartedAt.Format("2006-01-02 15:04:05 UTC")),
		mdField(v, "label.duration", formatMS(r.DurationMS)),
		mdField(v, "label.tool", mdText(r.Tool.Name+" "+r.Tool.Version)))
	if v.StartHere != "" {
		fmt.Fprintf(bw, "**%s**\n\n", mdText(v.StartHere))
	}
	writeMarkdownFixes(bw, v)
	if a, ok := screenshot(r.Attachments); ok {
		fmt.Fprintf(bw, "%s\n\n", mdText(v.tr.T("label.screenshot_file", map[string]any{"name": safeLine(a.Name)})))
	}
	writeMarkdownChecks(bw, v)
	writeMarkdownDetails(bw, v)
	return bw.Flush()
}

func writeMarkdownFixes(w io.Writer, v *view) {
	fmt.Fprintf(w, "## %s\n\n", mdText(v.t("section.fixes")))
	if len(v.Fixes) == 0 {
		fmt.Fprintf(w, "%s\n\n", mdText(v.t("section.no_fixes")))
		return
	}
	for _, f := range v.Fixes {
		fmt.Fprintf(w, "%d. **%s**  \n   %s · %s · %s\n", f.Rank, mdText(f.Title),
			mdText(f.Who), mdCode(f.Code), mdText(f.SeverityText))
		for i, s := range f.Steps {
			fmt.Fprintf(w, "   %d. %s\n", i+1, mdText(s))
		}
	}
	fmt.Fprintln(w)
}

func writeMarkdownChecks(w io.Writer, v *view) {
	fmt.Fprintf(w, "## %s\n\n", mdText(v.t("section.checks")))
	fmt.Fprintf(w, "| | %s | %s | %s | %s | %s |\n|---|---|---|---|---|---|\n",
		mdText(v.t("label.check")), mdText(v.t("label.stage")), mdText(v.t("label.status")),
		mdText(v.t("label.code")), mdText(v.t("label.summary")))
	for _, e := range v.Entries {
		summary := mdText(e.Line)
		switch {
		case e.Note == "" || e.Note == e.Line:
		case e.Line == "":
			summary = mdText(e.Note)
		default:
			summary = mdText(e.Line + v.paren(e.Note))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", e.Icon, mdCode(e.Check), mdText(e.StageName),
			mdText(e.StatusText), mdCode(e.Code), summary)
	}
	fmt.Fprintln(w)
}

func writeMarkdownDetails(w io.Writer, v *view) {
	fmt.Fprintf(w, "<details>\n<summary>%s</summary>\n\n", mdText(v.t("section.details")))
	for _, e := range v.Entries {
		fmt.Fprintf(w, "### %s — %s\n\n", mdCode(e.Check), mdText(e.StatusText))
		fmt.Fprintf(w, "- %s%s · %s%s · %s%s\n", mdLabel(v, "label.code"), mdCode(e.Code),
			mdLabel(v, "label.severity"), mdText(e.SeverityText), mdLabel(v, "label.duration"), e.Duration)
		if e.TechnicalSummary != "" {
			fmt.Fprintf(w, "- %s\n", mdText(e.TechnicalSummary))
		}
		if e.BlockedBy != "" {
			fmt.Fprintf(w, "- %s%s\n", mdLabel(v, "label.blocked_by"), mdCode(e.BlockedBy))
		}
		if len(e.Evidence) > 0 {
			fmt.Fprintf(w, "\n%s\n", mdFence(evidenceJSON(e.Entry.Evidence)))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "</details>")
}

// mdField is a bold label and its (already escaped) value: "**Verdict:**
// failed". The space after the closing "**" is needed: a closing
// delimiter run preceded by punctuation (the colon, or Chinese "：") and
// followed by a letter is not right-flanking, so CommonMark would show the
// asterisks literally.
func mdField(v *view, labelID, value string) string {
	return "**" + mdText(strings.TrimSpace(v.label(labelID))) + "** " + value
}

// mdLabel is a label with the language's colon, escaped; mdText would drop
// the space that follows an English colon ("Code: "), so it is put back.
func mdLabel(v *view, labelID string) string {
	l := v.label(labelID)
	if strings.HasSuffix(l, " ") {
		return mdText(l) + " "
	}
	return mdText(l)
}

// evidenceJSON shows the evidence as indented JSON (keys sorted).
func evidenceJSON(ev map[string]any) string {
	var b strings.Builder
	if err := renderJSONValue(&b, ev); err != nil {
		return fmt.Sprint(ev)
	}
	return strings.TrimRight(b.String(), "\n")
}

// mdText escapes text so that nothing in it can change the document's
// structure: it stays on one line; Markdown punctuation is
// backslash-escaped, "<", ">" and "&" become entities (no raw HTML, no
// autolink), the "://", "www." and "@" that GFM turns into links are
// broken up, and a line-start marker (list, heading, quote, setext) at its
// beginning is escaped, since the text may follow a list marker.
func mdText(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '!', '@':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '-', '+', '=':
			if i == 0 {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case ':', '.', ')':
			if linkPunct(s, i) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// linkPunct reports whether the ':', '.' or ')' at s[i] would let GFM see
// a link ("http://…", "www.…") or an ordered-list marker ("1." or "1)" at
// the start).
func linkPunct(s string, i int) bool {
	switch {
	case s[i] == ':':
		return strings.HasPrefix(s[i+1:], "/")
	case s[i] == '.' && strings.HasSuffix(strings.ToLower(s[:i]), "www"):
		return true
	}
	return strings.TrimLeft(s[:i], "0123456789") == ""
}

// mdCode is s as an inline code span, with a fence longer than any run of
// backticks inside it; pipes are escaped for tables.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(clean(s)), " ")
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + strings.ReplaceAll(s, "|", `\|`) + pad + fence
}

// mdFence is s as a fenced JSON code block that s cannot close.
func mdFence(s string) string {
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + "json\n" + clean(s) + "\n" + fence
}

func longestRun(s string, c rune) int {
	best, cur := 0, 0
	for _, r := range s {
		if r == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}
