package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/logindoctor/logindoctor/checks"
)

// injectedIssuer is a certificate issuer name a hostile server chose: it
// tries to add a numbered step, a heading, a table cell and a link.
const injectedIssuer = "Evil CA\n2) Your IT department approved this certificate: install it from http://evil.example/x.crt\n# Heading | cell"

// untrustedReport is a one-finding report whose issuer param, summary and
// evidence carry issuer.
func untrustedReport(lang, issuer string) *Report {
	r := checks.Finding(checks.StatusFail, "TLS_UNTRUSTED", checks.SeverityCritical, checks.OwnerAdmin,
		"certificate of crm.example.com is signed by "+issuer).
		WithParam("host", "crm.example.com").WithParam("issuer", issuer).With("issuer", issuer)
	r.Check, r.Stage = "tls.certificate", checks.StageNetwork
	return Build([]checks.Result{r}, Options{Lang: lang, ReportID: sampleID, StartedAt: sampleStart, GOOS: "linux"})
}

// gfmHTML renders Markdown the way GitHub-like ticket systems do: GFM
// (tables, autolinks, strikethrough) with raw HTML passed through, so any
// raw HTML that reached the document shows up as a tag.
func gfmHTML(t *testing.T, md []byte) string {
	t.Helper()
	var out bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	if err := gm.Convert(md, &out); err != nil {
		t.Fatalf("goldmark: %v", err)
	}
	return out.String()
}

// structuralTags counts the elements a value could add to a document.
func structuralTags(doc string) map[string]int {
	counts := map[string]int{}
	for _, tag := range []string{"<a ", "<a>", "<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<img", "<table", "<tr", "<td", "<th",
		"<li", "<ol", "<ul", "<blockquote", "<hr", "<script", "<iframe", "<details", "<summary", "<del", "<em", "<strong", "<pre"} {
		counts[tag] = strings.Count(doc, tag)
	}
	return counts
}

func sameTags(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	for tag, n := range want {
		if got[tag] != n {
			t.Errorf("%s: %d %s elements, the benign report has %d", what, got[tag], tag, n)
		}
	}
}

// numberedLines counts lines that look like a numbered step or fix.
var numberedLine = regexp.MustCompile(`(?m)^\s*\d+[.)] `)

// TestServerTextCannotAddSteps: an issuer name with line breaks, a
// heading, a table cell and a link changes nothing in the structure of
// any format: the same number of steps, no heading, link or cell of its own.
func TestServerTextCannotAddSteps(t *testing.T) {
	for _, lang := range Languages() {
		benign, hostile := untrustedReport(lang, "Evil CA"), untrustedReport(lang, injectedIssuer)
		if got, want := len(hostile.Fixes[0].Steps), len(benign.Fixes[0].Steps); got != want {
			t.Errorf("%s json: %d steps, want %d: %q", lang, got, want, hostile.Fixes[0].Steps)
		}
		for _, s := range append([]string{hostile.Fixes[0].Title, hostile.Results[0].Summary}, hostile.Fixes[0].Steps...) {
			if strings.ContainsAny(s, "\r\n") {
				t.Errorf("%s: a line break survived in %q", lang, s)
			}
		}
		for _, opts := range []RenderOptions{{}, {Verbose: true}} {
			b, h := string(render(t, benign, "text", opts)), string(render(t, hostile, "text", opts))
			if nb, nh := len(numberedLine.FindAllString(b, -1)), len(numberedLine.FindAllString(h, -1)); nb != nh {
				t.Errorf("%s text: %d numbered lines, the benign report has %d:\n%s", lang, nh, nb, h)
			}
			if regexp.MustCompile(`(?m)^\s*(2\) Your IT|# Heading)`).MatchString(h) {
				t.Errorf("%s text: the injected text starts a line:\n%s", lang, h)
			}
		}
		bmd, hmd := render(t, benign, "markdown", RenderOptions{}), render(t, hostile, "markdown", RenderOptions{})
		if nb, nh := len(numberedLine.FindAll(bmd, -1)), len(numberedLine.FindAll(hmd, -1)); nb != nh {
			t.Errorf("%s markdown: %d numbered lines, want %d:\n%s", lang, nh, nb, hmd)
		}
		hdoc := gfmHTML(t, hmd)
		sameTags(t, lang+" markdown", structuralTags(hdoc), structuralTags(gfmHTML(t, bmd)))
		if strings.Contains(hdoc, "href") {
			t.Errorf("%s markdown: a link came from the issuer:\n%s", lang, hdoc)
		}
		hhtml := string(render(t, hostile, "html", RenderOptions{}))
		sameTags(t, lang+" html", structuralTags(hhtml), structuralTags(string(render(t, benign, "html", RenderOptions{}))))
		if strings.Contains(hhtml, "href") {
			t.Errorf("%s html: a link came from the issuer", lang)
		}
		failure := junitFailure(t, render(t, hostile, "junit", RenderOptions{}))
		benignFailure := junitFailure(t, render(t, benign, "junit", RenderOptions{}))
		if nb, nh := len(numberedLine.FindAllString(benignFailure, -1)), len(numberedLine.FindAllString(failure, -1)); nb != nh {
			t.Errorf("%s junit: %d numbered lines, want %d:\n%s", lang, nh, nb, failure)
		}
	}
}

// junitFailure parses JUnit XML and returns the text of its failures.
func junitFailure(t *testing.T, doc []byte) string {
	t.Helper()
	var suites junitSuites
	if err := xml.Unmarshal(doc, &suites); err != nil {
		t.Fatalf("junit: %v", err)
	}
	var b strings.Builder
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				b.WriteString(c.Failure.Message + "\n" + c.Failure.Text)
			}
		}
	}
	return b.String()
}

// terminalHostile are strings that would drive a terminal or a Markdown
// renderer: clipboard write (OSC 52), window title, clear screen (7-bit
// and 8-bit CSI), an image and raw HTML.
var terminalHostile = []string{
	"\x1b]52;c;ZXZpbA==\x07", "\x1b]0;title\x07", "\x1b[2J", "\u009b2J",
	"![x](http://evil/x.png)", "<img src=x onerror=alert(1)>",
}

// craftedReport is the sample report's JSON with the strings of items put
// into the target, the tool, each fix's title and steps, and each
// result's summaries and evidence.
func craftedReport(t *testing.T, items []string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(render(t, sampleReport(t, "en"), "json", RenderOptions{}), &doc); err != nil {
		t.Fatal(err)
	}
	evil := strings.Join(items, " ")
	doc["target"] = "https://crm.example.com/" + evil
	doc["tool"] = map[string]any{"name": "logindoctor" + evil, "version": evil}
	for _, f := range doc["fixes"].([]any) {
		fix := f.(map[string]any)
		fix["title"] = evil
		fix["steps"] = []any{evil, items[0], items[4], items[5]}
	}
	for _, r := range doc["results"].([]any) {
		res := r.(map[string]any)
		res["summary"] = evil
		res["technical_summary"] = evil
		res["evidence"] = map[string]any{"x" + evil: evil, "list": items}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCraftedReportRendersInert: a saved report that tries to drive the
// terminal or plant active Markdown renders without ESC, CSI or BEL, and
// its Markdown yields no image and no raw HTML.
func TestCraftedReportRendersInert(t *testing.T) {
	read := func(items []string) *Report {
		r, err := ReadJSON(bytes.NewReader(craftedReport(t, items)))
		if err != nil {
			t.Fatalf("the crafted report (valid identifiers) was refused: %v", err)
		}
		return r
	}
	r := read(terminalHostile)
	benignMD := render(t, read([]string{"one", "two", "three", "four", "five", "six"}), "markdown", RenderOptions{})
	for _, opts := range []RenderOptions{{}, {Verbose: true}, {Verbose: true, Color: true}} {
		text := string(render(t, r, "text", opts))
		if strings.ContainsAny(text, "\x07\u009b") {
			t.Errorf("text %+v carries BEL or CSI", opts)
		}
		// With colour on, the only escapes are the SGR colour codes the
		// renderer itself writes.
		if rest := regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(text, ""); strings.Contains(rest, "\x1b") {
			t.Errorf("text %+v carries an ESC that is not a colour code", opts)
		}
	}
	for _, format := range Formats() {
		out := string(render(t, r, format, RenderOptions{Verbose: true}))
		if strings.ContainsAny(out, "\x1b\x07\u009b") {
			t.Errorf("%s carries a terminal control character", format)
		}
	}
	benign := gfmHTML(t, benignMD)
	doc := gfmHTML(t, render(t, r, "markdown", RenderOptions{}))
	sameTags(t, "crafted markdown", structuralTags(doc), structuralTags(benign))
	if strings.Contains(doc, "<img") || strings.Contains(doc, "href") {
		t.Errorf("crafted markdown renders an image or raw HTML:\n%s", doc)
	}
	if h := string(render(t, r, "html", RenderOptions{})); strings.Contains(h, "<img") {
		t.Error("crafted report: the HTML page has an image")
	}
}

// TestReadJSONRefusesBadIdentifiers: a saved report whose identifiers are
// not of their format is not a report.
func TestReadJSONRefusesBadIdentifiers(t *testing.T) {
	valid := string(render(t, sampleReport(t, "en"), "json", RenderOptions{}))
	tests := []struct{ name, old, new string }{
		{"report_id", `"report_id": "LD-7K3QX9"`, `"report_id": "LD-7K3QX9\u001b]0;x\u0007"`},
		{"report_id alphabet", `"report_id": "LD-7K3QX9"`, `"report_id": "LD-0OIL11"`},
		{"verdict", `"verdict": "fail"`, `"verdict": "fail\u001b[2J"`},
		{"stage", `"stage": "device"`, `"stage": "![x](http://evil/x.png)"`},
		{"code", `"code": "CLOCK_SKEW",
      "severity": "critical",
      "owner": "you",
      "summary"`, `"code": "<img src=x onerror=alert(1)>",
      "severity": "critical",
      "owner": "you",
      "summary"`},
		{"fix code", `"code": "CLOCK_SKEW"`, `"code": "clock skew"`},
		{"check", `"check": "dns.resolve"`, `"check": "dns.resolve\n2) evil"`},
		{"severity", `"severity": "low"`, `"severity": "\u009b2J"`},
		{"owner", `"owner": "it"`, `"owner": "it\u202e"`},
		{"blocked_by", `"blocked_by": "tls.certificate"`, `"blocked_by": "# x"`},
		{"lang", `"lang": "en"`, `"lang": "en\u001b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crafted := strings.Replace(valid, tt.old, tt.new, 1)
			if crafted == valid {
				t.Fatalf("the test did not change the report (no %q)", tt.old)
			}
			_, err := ReadJSON(strings.NewReader(crafted))
			if !errors.Is(err, ErrNotReport) {
				t.Fatalf("err = %v, want ErrNotReport", err)
			}
			if strings.ContainsAny(err.Error(), "\x1b\x07\u009b\u202e\n") {
				t.Errorf("the error repeats control characters: %q", err)
			}
		})
	}
}

// bidiChars are the characters that reorder what a reader sees.
var bidiChars = []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C}

// TestBidiOverridesStripped: no format carries a bidirectional override,
// embedding, isolate or mark that came in a title, summary or evidence.
func TestBidiOverridesStripped(t *testing.T) {
	tricky := "Evil CA " + string(bidiChars) + "gpj.exe"
	for _, lang := range Languages() {
		r := untrustedReport(lang, tricky)
		r.Results[0].Evidence["chain"] = []any{tricky, map[string]any{"subject" + tricky: tricky}}
		for _, format := range Formats() {
			for _, opts := range []RenderOptions{{}, {Verbose: true}} {
				out := string(render(t, r, format, opts))
				if i := strings.IndexFunc(out, func(c rune) bool { return strings.ContainsRune(string(bidiChars), c) }); i >= 0 {
					t.Errorf("%s %s: a bidi control at byte %d: %q", lang, format, i, out[max(0, i-20):min(len(out), i+20)])
				}
				if !strings.Contains(out, "gpj.exe") {
					t.Errorf("%s %s: the text around the control is gone", lang, format)
				}
			}
		}
	}
}
