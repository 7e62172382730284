package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/logindoctor/logindoctor/report"
)

// FuzzReadJSON feeds `logindoctor report render` arbitrary bytes: ReadJSON
// must never panic, and whatever it accepts must render in every format
// and language and survive a JSON round trip.
func FuzzReadJSON(f *testing.F) {
	for _, name := range []string{"sample.en.json", "sample.zh.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "golden", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"schema":null}`, `{"schema":"logindoctor/report/v1"}`,
		`{"schema":"logindoctor/report/v1","report_id":"LD-1"}`,
		`{"schema":"logindoctor/report/v1","report_id":"LD-1","results":[{"check":"a","status":"fail","code":"X","evidence":{"n":1e999}}]}`,
		`{"schema":"logindoctor/report/v1","report_id":"LD-1","results":[{"check":"a","status":"pass"}],"fixes":[{"rank":1,"check":"a","steps":null}]}`,
		`{"schema":"logindoctor/report/v1","report_id":"LD-1","results":[{"check":"a","status":"pass","duration_ms":-1,"started_at":"x"}]}`,
		`{"schema":"logindoctor/report/v1","report_id":"LD-1","lang":"xx","verdict":"nope","counts":{"pass":-5}}`,
		`{"schema":"logindoctor/report/v2"}`,
		`{"schema":"logindoctor/report/v1","report_id":"<script>alert(1)</script>","target":"]]></x>"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := report.ReadJSON(bytes.NewReader(data))
		if err != nil {
			if rep != nil {
				t.Fatalf("error %v with a report", err)
			}
			return
		}
		for _, lang := range []string{"", "en", "zh"} {
			if lang != "" {
				rep.Localize(lang)
			}
			for _, format := range report.Formats() {
				var buf bytes.Buffer
				if err := report.Render(&buf, rep, format, report.RenderOptions{Verbose: true}); err != nil {
					t.Fatalf("an accepted report does not render as %s: %v", format, err)
				}
			}
		}
		var js bytes.Buffer
		if err := report.Render(&js, rep, "json", report.RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := report.ReadJSON(&js); err != nil {
			t.Fatalf("a re-rendered report does not read back: %v\n%s", err, js.Bytes())
		}
	})
}
