package report

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
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
	// Screenshot is the login page's screenshot as a data: URI ("" when
	// the report has none that may be embedded).
	Screenshot template.URL
}

// maxEmbeddedImage bounds the screenshot embedded in the HTML page.
const maxEmbeddedImage = 2 << 20

// embeddableMIME are the image types the page embeds; anything else stays
// a file of the bundle only.
var embeddableMIME = map[string]bool{"image/png": true, "image/jpeg": true}

// renderHTML writes one self-contained page: inline CSS with a print
// stylesheet, no external resources, every value escaped by html/template.
func renderHTML(w io.Writer, r *Report, opts RenderOptions) error {
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
		HintID:   idHint(v.tr, r.ReportID, opts.Demo),
		// The URI is built here from a checked image's bytes in base64,
		// so it can carry nothing but the image; a server's path must be
		// site-relative.
		Screenshot: template.URL(shotSource(r.Attachments, opts.ScreenshotPath)), //nolint:gosec // see above
	})
}

// screenshot is the first attachment that may be shown as the login page's
// screenshot: declared and sniffed as PNG or JPEG, at most
// maxEmbeddedImage bytes.
func screenshot(atts []checks.Attachment) (checks.Attachment, bool) {
	for _, a := range atts {
		if len(a.Data) == 0 || len(a.Data) > maxEmbeddedImage || !embeddableMIME[a.MIME] {
			continue
		}
		if http.DetectContentType(a.Data) == a.MIME {
			return a, true
		}
	}
	return checks.Attachment{}, false
}

// shotSource is the screenshot's data: URI, else path when it is
// site-relative ("/…", not "//…"), else "".
func shotSource(atts []checks.Attachment, path string) string {
	if uri := screenshotURI(atts); uri != "" {
		return uri
	}
	if strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "//") && !strings.ContainsAny(path, "\\\"'<> ") {
		return path
	}
	return ""
}

// screenshotURI is the screenshot as a data: URI, or "".
func screenshotURI(atts []checks.Attachment) string {
	a, ok := screenshot(atts)
	if !ok {
		return ""
	}
	var b bytes.Buffer
	b.WriteString("data:" + a.MIME + ";base64,")
	b.WriteString(base64.StdEncoding.EncodeToString(a.Data))
	return b.String()
}

// htmlLang is the page's lang attribute: Simplified Chinese for zh.
func htmlLang(lang string) string {
	if lang == "zh" {
		return "zh-CN"
	}
	return lang
}
