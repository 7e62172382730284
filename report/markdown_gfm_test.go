package report

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestMarkdownRendersInGFM renders the Markdown golden sample through a
// real GFM renderer (goldmark), the way GitHub, GitLab or a ticket system
// would, and checks what a reader sees: bold labels, no stray asterisks,
// the checks as a table, each fix as a list item, and a space before every
// parenthesis that follows a word.
func TestMarkdownRendersInGFM(t *testing.T) {
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			r := sampleReport(t, lang)
			doc := gfmHTML(t, render(t, r, "markdown", RenderOptions{}))
			v := newView(r)
			if want := "<strong>" + strings.TrimSpace(v.label("label.verdict")) + "</strong>"; !strings.Contains(doc, want) {
				t.Errorf("no %s in:\n%s", want, doc)
			}
			text := visibleText(t, doc)
			if strings.Contains(text, "**") {
				t.Errorf("literal ** in the rendered text:\n%s", text)
			}
			if !strings.Contains(doc, "<table>") {
				t.Errorf("the checks are not a table:\n%s", doc)
			}
			for _, f := range r.Fixes {
				title := html.EscapeString(f.Title)
				if !regexp.MustCompile(`<li><strong>` + regexp.QuoteMeta(title) + `</strong>`).MatchString(doc) {
					t.Errorf("fix %d %q is not a list item", f.Rank, f.Title)
				}
			}
			if m := regexp.MustCompile(`\p{L}\(`).FindString(text); m != "" {
				t.Errorf("a parenthesis glued to a word (%q) in:\n%s", m, text)
			}
			for _, glued := range []string{"Code:<code>", "Duration:1", ":</strong>" + string(r.Verdict)} {
				if strings.Contains(doc, glued) {
					t.Errorf("label glued to its value: %q", glued)
				}
			}
		})
	}
}

// visibleText is the text content of an HTML fragment outside code (code
// spans and blocks show evidence verbatim).
func visibleText(t *testing.T, doc string) string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "code" || n.Data == "pre") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return b.String()
}
