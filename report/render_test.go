package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// goldenCases are the renderings kept under testdata/golden.
var goldenCases = []struct {
	name   string
	format string
	opts   RenderOptions
}{
	{"txt", "text", RenderOptions{}},
	{"verbose.txt", "text", RenderOptions{Verbose: true}},
	{"w40.txt", "text", RenderOptions{Width: 40}},
	{"color.txt", "text", RenderOptions{Color: true, Verbose: true}},
	{"json", "json", RenderOptions{}},
	{"md", "markdown", RenderOptions{}},
	{"html", "html", RenderOptions{}},
	{"junit.xml", "junit", RenderOptions{}},
}

func render(t testing.TB, r *Report, format string, opts RenderOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, r, format, opts); err != nil {
		t.Fatalf("Render %s: %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, lang := range Languages() {
		r := sampleReport(t, lang)
		for _, gc := range goldenCases {
			name := "sample." + lang + "." + gc.name
			t.Run(name, func(t *testing.T) {
				got := render(t, r, gc.format, gc.opts)
				file := filepath.Join("testdata", "golden", name)
				if *update {
					if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(file, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./report -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file; review with go test ./report -update && git diff\n--- got ---\n%s", name, got)
				}
			})
		}
	}
}

func TestEveryFormatShowsTheReportID(t *testing.T) {
	r := sampleReport(t, "zh")
	for _, f := range Formats() {
		for _, opts := range []RenderOptions{{}, {Color: true, Verbose: true}} {
			if out := render(t, r, f, opts); !bytes.Contains(out, []byte(sampleID)) {
				t.Errorf("%s %+v output lacks the report id", f, opts)
			}
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, sampleReport(t, "en"), "pdf", RenderOptions{})
	if err == nil || !strings.Contains(err.Error(), `unknown format "pdf"`) {
		t.Fatalf("err = %v", err)
	}
	if err := Render(&bytes.Buffer{}, nil, "json", RenderOptions{}); err == nil {
		t.Fatal("nil report rendered without error")
	}
}

func TestTextColorOnlyWhenAsked(t *testing.T) {
	r := sampleReport(t, "en")
	for _, color := range []bool{false, true} {
		out := render(t, r, "text", RenderOptions{Color: color, Verbose: true})
		if got := bytes.Contains(out, []byte("\x1b[")); got != color {
			t.Errorf("Color %v: escape sequences present = %v", color, got)
		}
		// The evidence holds "\x1b[31mred": it must never reach the terminal raw.
		if bytes.Contains(out, []byte("\x1b[31mred")) {
			t.Errorf("Color %v: evidence's escape sequence reached the output", color)
		}
	}
}

func TestTextShape(t *testing.T) {
	out := string(render(t, sampleReport(t, "en"), "text", RenderOptions{}))
	lines := strings.Split(out, "\n")
	if want := "✗ 5 problems found (report LD-7K3QX9)"; lines[0] != want {
		t.Errorf("first line = %q, want %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "Start here: Your computer clock is off by 4 min") {
		t.Errorf("second line = %q", lines[1])
	}
	for _, want := range []string{"Who can fix it: you", "1) Right-click the clock", "– Login page — Not checked"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "evidence") || strings.Contains(out, "offset_s") {
		t.Errorf("non-verbose text shows technical details:\n%s", out)
	}
}

func TestJUnitParses(t *testing.T) {
	var doc junitSuites
	if err := xml.Unmarshal(render(t, sampleReport(t, "en"), "junit", RenderOptions{}), &doc); err != nil {
		t.Fatalf("junit is not XML: %v", err)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "logindoctor" {
		t.Fatalf("suites = %+v", doc.Suites)
	}
	s := doc.Suites[0]
	if s.Tests != 11 || s.Failures != 2 || s.Errors != 1 || s.Skipped != 3 || len(s.Cases) != 11 {
		t.Errorf("tests/failures/errors/skipped = %d/%d/%d/%d, cases %d", s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases))
	}
	if !hasProperty(s.Properties, "report_id", sampleID) {
		t.Errorf("no report_id property: %+v", s.Properties)
	}
	byName := map[string]junitCase{}
	for _, c := range s.Cases {
		byName[c.Name] = c
	}
	if c := byName["tls.certificate"]; c.Classname != "network" || c.Failure == nil || c.Failure.Type != "TLS_NOT_YET_VALID" ||
		!strings.HasPrefix(c.Failure.Message, "TLS_NOT_YET_VALID: ") {
		t.Errorf("tls.certificate case = %+v", c)
	}
	if c := byName["policy.hours"]; c.Failure != nil || c.Error == nil || c.Error.Type != "CHECK_ERROR" {
		t.Errorf("errored check is not an <error>: %+v", c)
	}
	if c := byName["http.login"]; c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "BLOCKED: ") {
		t.Errorf("blocked check is not skipped: %+v", c)
	}
	if c := byName["dns.resolve"]; c.Failure != nil || c.Skipped != nil {
		t.Errorf("passing check marked: %+v", c)
	}
}

func hasProperty(ps []junitProperty, name, value string) bool {
	for _, p := range ps {
		if p.Name == name && p.Value == value {
			return true
		}
	}
	return false
}

func TestHTMLSelfContained(t *testing.T) {
	for _, lang := range Languages() {
		out := render(t, sampleReport(t, lang), "html", RenderOptions{})
		doc, err := html.Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("%s: html does not parse: %v", lang, err)
		}
		var langAttr string
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "script", "link", "img", "iframe", "object", "embed":
					t.Errorf("%s: element <%s> in a self-contained page", lang, n.Data)
				case "html":
					langAttr = attr(n, "lang")
				}
				for _, a := range n.Attr {
					if a.Key == "src" || a.Key == "href" {
						t.Errorf("%s: <%s %s=%q> loads a resource", lang, n.Data, a.Key, a.Val)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		if want := map[string]string{"en": "en", "zh": "zh-CN"}[lang]; langAttr != want {
			t.Errorf("%s: <html lang=%q>, want %q", lang, langAttr, want)
		}
		for _, want := range []string{"@media print", "&lt;script&gt;", sampleID} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("%s: html lacks %q", lang, want)
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestMarkdownEscapes(t *testing.T) {
	out := string(render(t, sampleReport(t, "en"), "markdown", RenderOptions{}))
	inFence := false
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		if !inFence && strings.Contains(line, "<script>") {
			t.Errorf("markdown carries raw HTML outside a code block: %q", line)
		}
	}
	for _, want := range []string{"# ✗ logindoctor report LD-7K3QX9", "<details>", "</details>", "| ✗ | `tls.certificate` |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func BenchmarkBuildRender(b *testing.B) {
	results := sampleResults()
	opts := sampleOptions(testCatalog(b), "zh")
	var buf bytes.Buffer
	for b.Loop() {
		r := Build(results, opts)
		for _, f := range Formats() {
			buf.Reset()
			if err := Render(&buf, r, f, RenderOptions{Verbose: true}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
