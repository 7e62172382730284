package report

import (
	_ "embed"
	"html/template"
	"io"
)

//go:embed html.tmpl
var htmlSource string

// htmlView adds what only the HTML page needs to the shared view.
type htmlView struct {
	*view
	HTMLLang string
	Icon     string
	Started  string
	Duration string
	HintID   string
}

// renderHTML writes one self-contained page: inline CSS with a print
// stylesheet, no external resources, every value escaped by html/template.
func renderHTML(w io.Writer, r *Report) error {
	v := newView(r)
	tmpl, err := template.New("report").Funcs(template.FuncMap{"t": v.t, "label": v.label, "paren": v.paren}).Parse(htmlSource)
	if err != nil {
		return err
	}
	return tmpl.Execute(w, htmlView{
		view:     v,
		HTMLLang: htmlLang(r.Lang),
		Icon:     icon(r.Verdict),
		Started:  r.StartedAt.Format("2006-01-02 15:04:05 UTC"),
		Duration: formatMS(r.DurationMS),
		HintID:   v.tr.T("hint.report_id", map[string]any{"id": r.ReportID}),
	})
}

// htmlLang is the page's lang attribute: Simplified Chinese for zh.
func htmlLang(lang string) string {
	if lang == "zh" {
		return "zh-CN"
	}
	return lang
}
