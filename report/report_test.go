package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

func TestVerdictAndCounts(t *testing.T) {
	st := func(ss ...checks.Status) []checks.Result {
		var out []checks.Result
		for i, s := range ss {
			r := res("c"+string(rune('a'+i)), net, s, "X", low)
			if s == checks.StatusPass {
				r.Code = checks.CodeOK
			}
			out = append(out, r)
		}
		return out
	}
	tests := []struct {
		results []checks.Result
		verdict checks.Status
		counts  Counts
	}{
		{nil, checks.StatusPass, Counts{}},
		{st(checks.StatusPass, checks.StatusSkip), checks.StatusPass, Counts{Pass: 1, Skip: 1}},
		{st(checks.StatusPass, warn), warn, Counts{Pass: 1, Warn: 1}},
		{st(warn, fail), fail, Counts{Warn: 1, Fail: 1}},
		{st(warn, checks.StatusError), fail, Counts{Warn: 1, Error: 1}},
	}
	for _, tt := range tests {
		r := Build(tt.results, Options{ReportID: sampleID})
		if r.Verdict != tt.verdict || r.Counts != tt.counts {
			t.Errorf("%d results: verdict %s counts %+v, want %s %+v", len(tt.results), r.Verdict, r.Counts, tt.verdict, tt.counts)
		}
	}
}

// TestJSONShape pins the v1 contract's field names and their presence.
func TestJSONShape(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(render(t, sampleReport(t, "en"), "json", RenderOptions{}), &doc); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "report", doc, "schema", "report_id", "tool", "target", "started_at", "duration_ms", "lang",
		"verdict", "counts", "fixes", "results", "goos")
	wantKeys(t, "tool", doc["tool"].(map[string]any), "name", "version")
	wantKeys(t, "counts", doc["counts"].(map[string]any), "pass", "warn", "fail", "skip", "error")
	if doc["schema"] != Schema || doc["started_at"] != "2026-11-28T09:00:00Z" || doc["duration_ms"] != 1840.0 {
		t.Errorf("schema/started_at/duration_ms = %v %v %v", doc["schema"], doc["started_at"], doc["duration_ms"])
	}
	for _, f := range doc["fixes"].([]any) {
		wantKeys(t, "fix", f.(map[string]any), "rank", "check", "code", "severity", "owner", "title", "steps", "explained_by")
	}
	for _, x := range doc["results"].([]any) {
		e := x.(map[string]any)
		base := []string{"check", "stage", "status", "code", "severity", "owner", "summary", "evidence", "blocked_by", "duration_ms"}
		for _, opt := range []string{"params", "variant", "technical_summary"} {
			if _, ok := e[opt]; ok {
				base = append(base, opt)
			}
		}
		wantKeys(t, "result "+e["check"].(string), e, base...)
		if _, ok := e["evidence"].(map[string]any); !ok {
			t.Errorf("result %s: evidence is %T, want an object", e["check"], e["evidence"])
		}
	}

	empty := render(t, Build(nil, Options{ReportID: sampleID}), "json", RenderOptions{})
	for _, want := range []string{`"fixes": []`, `"results": []`, `"error": 0`} {
		if !bytes.Contains(empty, []byte(want)) {
			t.Errorf("empty report lacks %s:\n%s", want, empty)
		}
	}
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("%s keys = %v, want %v", what, got, keys)
	}
}

func TestReportIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		id := Build(nil, Options{}).ReportID
		if !ValidReportID(id) || strings.ContainsAny(id[3:], "0O1IL") {
			t.Fatalf("bad id %q", id)
		}
		if seen[id] {
			t.Fatalf("id %s drawn twice", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "LD-7K3QX", "LD-7K3QX90", "XX-7K3QX9", "LD-7K3QO9", "LD-7k3qx9"} {
		if ValidReportID(bad) {
			t.Errorf("ValidReportID(%q) = true", bad)
		}
	}
}

func TestBuildKeepsAttachments(t *testing.T) {
	r := sampleResults()[0]
	r.Attachments = []checks.Attachment{{Name: "screenshot.png", MIME: "image/png", Data: []byte{1}}}
	rep := Build([]checks.Result{r}, Options{ReportID: sampleID})
	if len(rep.Attachments) != 1 || rep.Attachments[0].Name != "screenshot.png" {
		t.Fatalf("attachments = %+v", rep.Attachments)
	}
	if bytes.Contains(render(t, rep, "json", RenderOptions{}), []byte("screenshot")) {
		t.Error("attachment leaked into JSON")
	}
}

func TestReadJSONRoundTripAndLocalize(t *testing.T) {
	cat := testCatalog(t)
	en := render(t, sampleReport(t, "en"), "json", RenderOptions{})
	zh := render(t, sampleReport(t, "zh"), "json", RenderOptions{})
	r, err := ReadJSON(bytes.NewReader(en))
	if err != nil {
		t.Fatal(err)
	}
	r.cat = cat
	if got := render(t, r, "json", RenderOptions{}); !bytes.Equal(got, en) {
		t.Fatalf("round trip changed the report:\n%s", got)
	}
	r.Localize("zh")
	if got := render(t, r, "json", RenderOptions{}); !bytes.Equal(got, zh) {
		t.Errorf("Localize(zh) of a read report differs from Build in zh:\n%s", got)
	}
	r.Localize("en")
	if got := render(t, r, "json", RenderOptions{}); !bytes.Equal(got, en) {
		t.Errorf("Localize back to en differs:\n%s", got)
	}
}

func TestReadJSONRejects(t *testing.T) {
	valid := string(render(t, sampleReport(t, "en"), "json", RenderOptions{}))
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", "hello", "not a logindoctor report"},
		{"JSON array", "[1,2]", "not a logindoctor report"},
		{"no schema", `{"report_id":"LD-7K3QX9"}`, "not a logindoctor report: no schema field"},
		{"other schema", `{"schema":"logindoctor/report/v2"}`,
			`report schema "logindoctor/report/v2" is not supported (this version reads logindoctor/report/v1)`},
		{"trailing data", valid + "{}", "not a logindoctor report"},
		{"unknown status", strings.Replace(valid, `"status": "fail"`, `"status": "broken"`, 1), `unknown status "broken"`},
		{"wrong type", strings.Replace(valid, `"duration_ms": 1840`, `"duration_ms": "long"`, 1), "not a logindoctor report"},
		{"no id", strings.Replace(valid, `"report_id": "LD-7K3QX9"`, `"report_id": ""`, 1), "no report_id"},
		{"fix without result", strings.Replace(valid, `"check": "clock.skew",
      "code"`, `"check": "nope",
      "code"`, 1), `names check "nope"`},
		{"too big", `{"schema":"` + Schema + `"}` + strings.Repeat(" ", MaxReportSize), "larger than 16 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %q", err, tt.want)
			}
			var schemaErr *UnsupportedSchemaError
			if errors.As(err, &schemaErr) == errors.Is(err, ErrNotReport) {
				t.Errorf("err %v should be exactly one of ErrNotReport / UnsupportedSchemaError", err)
			}
		})
	}
	newer := strings.Replace(valid, `"lang": "en",`, `"lang": "en", "added_later": {"x": 1},`, 1)
	if _, err := ReadJSON(strings.NewReader(newer)); err != nil {
		t.Errorf("a v1 report with an added field was refused: %v", err)
	}
}

func TestLocalizedTexts(t *testing.T) {
	cat := testCatalog(t)
	one := func(code, variant, goos, lang string) Fix {
		r := res("device.browsers", dev, warn, code, low).
			WithParam("browser", "Edge").WithParam("version", "90").WithParam("minimum", "120")
		r.Variant = variant
		rep := Build([]checks.Result{r}, Options{Lang: lang, GOOS: goos, ReportID: sampleID, catalog: cat})
		return rep.Fixes[0]
	}
	tests := []struct {
		name                 string
		code, variant, goos  string
		lang                 string
		wantTitle, wantStep0 string
	}{
		{"OS variant from GOOS", "DEVICE_BROWSER_OUTDATED", "", "windows", "en",
			"Edge 90 is too old for the CRM (needs 120 or newer)", "Open Edge, go to Settings → About, and let it update."},
		{"result variant beats GOOS", "DEVICE_BROWSER_OUTDATED", "linux", "windows", "en",
			"Edge 90 is too old for the CRM (needs 120 or newer)", "Update Edge."},
		{"unknown variant falls back to plain steps", "DEVICE_BROWSER_OUTDATED", "", "plan9", "zh",
			"Edge 90 版本太旧（CRM 需要 120 或更新版本）", "请更新 Edge。"},
		{"numbering typed in the catalog is dropped", "CLOCK_SKEW", "", "linux", "en",
			"Your computer clock is off by — one-time codes will be refused", "Open the date and time settings."},
		{"no messages: title is the summary, steps say whom to tell", "NO_SUCH_CODE", "", "", "zh",
			"device.browsers: NO_SUCH_CODE", "请把报告编号 LD-7K3QX9 发给 IT 部门，并说明问题代码 NO_SUCH_CODE。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := one(tt.code, tt.variant, tt.goos, tt.lang)
			if f.Title != tt.wantTitle || len(f.Steps) == 0 || f.Steps[0] != tt.wantStep0 {
				t.Errorf("title %q steps %q, want %q, %q…", f.Title, f.Steps, tt.wantTitle, tt.wantStep0)
			}
		})
	}
}

// TestEveryCodeRendersWithRealCatalogs builds and renders a finding for
// every reason code with no params, in every language and format: a gap
// or broken template in any catalog must never crash a report.
func TestEveryCodeRendersWithRealCatalogs(t *testing.T) {
	var results []checks.Result
	for _, row := range ReasonCodes() {
		for _, code := range row.Codes {
			results = append(results, res(row.Check, net, fail, code, high))
		}
	}
	for _, lang := range Languages() {
		r := Build(results, Options{Lang: lang, GOOS: "windows"})
		for _, f := range r.Fixes {
			if f.Title == "" || len(f.Steps) == 0 || strings.Contains(f.Title, "<no value>") {
				t.Errorf("%s %s: title %q steps %q", lang, f.Code, f.Title, f.Steps)
			}
		}
		for _, format := range Formats() {
			render(t, r, format, RenderOptions{Verbose: true, Color: true})
		}
	}
}
