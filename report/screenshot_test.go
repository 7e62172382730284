package report

import (
	"bytes"
	"image"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

// tinyPNG is a real 2×2 PNG.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var dataImg = regexp.MustCompile(`<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"]+">`)

func TestHTMLEmbedsTheScreenshot(t *testing.T) {
	for _, lang := range Languages() {
		r := sampleReport(t, lang)
		r.Attachments = []checks.Attachment{
			{Name: "console.txt", MIME: "text/plain", Data: []byte("not an image")},
			{Name: "screenshot.png", MIME: "image/png", Data: tinyPNG(t)},
		}
		out := string(render(t, r, "html", RenderOptions{}))
		if n := len(dataImg.FindAllString(out, -1)); n != 1 {
			t.Errorf("%s: %d embedded PNG <img>, want 1", lang, n)
		}
		if strings.Count(out, "<img") != 1 || strings.Contains(out, "not an image") || strings.Contains(out, "data:text") {
			t.Errorf("%s: the text attachment was embedded", lang)
		}
		md := string(render(t, r, "markdown", RenderOptions{}))
		if !strings.Contains(md, "screenshot.png") {
			t.Errorf("%s: the Markdown does not say where the screenshot is", lang)
		}
	}
}

func TestHTMLRefusesWhatIsNotAnImage(t *testing.T) {
	png := tinyPNG(t)
	cases := map[string]checks.Attachment{
		"text declared as png": {Name: "screenshot.png", MIME: "image/png", Data: []byte("<script>alert(1)</script>")},
		"svg":                  {Name: "screenshot.svg", MIME: "image/svg+xml", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		"png declared as html": {Name: "screenshot.png", MIME: "text/html", Data: png},
		"too large":            {Name: "screenshot.png", MIME: "image/png", Data: append(append([]byte{}, png...), make([]byte, maxEmbeddedImage)...)},
	}
	for name, att := range cases {
		r := sampleReport(t, "en")
		r.Attachments = []checks.Attachment{att}
		if out := render(t, r, "html", RenderOptions{}); bytes.Contains(out, []byte("<img")) {
			t.Errorf("%s: embedded", name)
		}
		if md := render(t, r, "markdown", RenderOptions{}); bytes.Contains(md, []byte("Screenshot")) {
			t.Errorf("%s: named in the Markdown", name)
		}
	}
}

// TestScreenshotPath: a server's site-relative screenshot path shows when
// the report carries no screenshot of its own; anything that could leave
// the site or break out of the attribute does not.
func TestScreenshotPath(t *testing.T) {
	for path, want := range map[string]string{
		"/reports/LD-7K3QX9/screenshot.png": "/reports/LD-7K3QX9/screenshot.png",
		"//evil.example/x.png":              "",
		"https://evil.example/x.png":        "",
		"javascript:alert(1)":               "",
		`/a" onerror="x`:                    "",
		"":                                  "",
	} {
		if got := shotSource(nil, path); got != want {
			t.Errorf("shotSource(nil, %q) = %q, want %q", path, got, want)
		}
	}
	var buf bytes.Buffer
	r := Build(nil, Options{Lang: "en"})
	if err := Render(&buf, r, "html", RenderOptions{ScreenshotPath: "/reports/LD-7K3QX9/screenshot.png"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<img src="/reports/LD-7K3QX9/screenshot.png"`) {
		t.Errorf("the page does not show the served screenshot:\n%s", buf.String())
	}
}
