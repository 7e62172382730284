package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/browser"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
	"github.com/logindoctor/logindoctor/fixtures/testenv"
	"github.com/logindoctor/logindoctor/report"
)

// screenshotBundle is a real ticket bundle with the login page's
// screenshot: `logindoctor --bundle`, browser.page included, against a
// loopback login page whose script throws before it draws the form.
func screenshotBundle(t *testing.T) []byte {
	t.Helper()
	pages, err := loginpages.Start(loginpages.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pages.Close() })
	path := filepath.Join(t.TempDir(), "ticket.zip")
	env := map[string]string{"LANG": "en_US.UTF-8", "PATH": os.Getenv("PATH"), "HOME": t.TempDir()}
	code, _, errOut := runCLI(t, env, pages.URL(loginpages.ScriptError), "--config", loopbackProfile(t, ""),
		"--check-timeout", "10s", "--skip", "device.browsers", "--bundle", path)
	if code != exitFail {
		t.Fatalf("logindoctor --bundle against a login page with a script error: exit %d, want %d\n%s", code, exitFail, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// bundleFile is one file of a bundle (nil when it has none).
func bundleFile(t *testing.T, bundle []byte, name string) []byte {
	t.Helper()
	b, err := readBundle(bundle)
	if err != nil {
		t.Fatalf("the inbox would refuse this bundle: %v", err)
	}
	return b.files[name]
}

// uploaded is one report the test put in the inbox.
type uploaded struct {
	id, verdict, code, title string
}

func upload(t *testing.T, ts *testServe, bundle []byte) uploaded {
	t.Helper()
	var rep jsonReport
	if err := json.Unmarshal(reportJSON(t, bundle), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Fixes) == 0 {
		t.Fatalf("report %s has no fix", rep.ReportID)
	}
	if code, body := ts.do(t, http.MethodPost, "/api/v1/reports", "Bearer "+testUploadToken, bundle); code != http.StatusCreated {
		t.Fatalf("upload of %s: %d %s", rep.ReportID, code, body)
	}
	return uploaded{id: rep.ReportID, verdict: rep.Verdict, code: rep.Fixes[0].Code, title: rep.Fixes[0].Title}
}

// tab is one page of the real browser on the inbox, signed in as a
// helpdesk agent would be (Basic auth, answered when the server asks),
// with every request it makes and every error it reports recorded.
// Requests that would leave the serve origin are recorded and failed
// inside the browser, so they never reach the network.
type tab struct {
	t      *testing.T
	page   *rod.Page
	origin string

	mu       sync.Mutex
	requests []string
	problems []string
	auths    int
}

// openTab opens a tab on b; acceptLang, when set, is the browser's
// Accept-Language.
func openTab(t *testing.T, b *rod.Browser, origin, acceptLang string) *tab {
	t.Helper()
	p, err := b.Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	tb := &tab{t: t, page: p, origin: origin}
	if err := p.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 1280, Height: 800, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	if acceptLang != "" {
		v, err := b.Version()
		if err != nil {
			t.Fatal(err)
		}
		if err := (proto.NetworkSetUserAgentOverride{UserAgent: v.UserAgent, AcceptLanguage: acceptLang}).Call(p); err != nil {
			t.Fatal(err)
		}
	}
	// Every request pauses here first (data: URLs excepted, which the
	// Network events below still record).
	if err := (proto.FetchEnable{HandleAuthRequests: true}).Call(p); err != nil {
		t.Fatal(err)
	}
	go p.EachEvent(tb.onPaused, tb.onAuth, tb.onRequest, tb.onConsole, tb.onException, tb.onLog)()
	return tb
}

// allowed: the serve origin, or what never touches the network.
func (tb *tab) allowed(u string) bool {
	return strings.HasPrefix(u, tb.origin+"/") || u == tb.origin || strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:")
}

func (tb *tab) record(u string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.requests = append(tb.requests, u)
}

func (tb *tab) problem(s string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.problems = append(tb.problems, s)
}

func (tb *tab) onPaused(e *proto.FetchRequestPaused) {
	tb.record(e.Request.URL)
	if tb.allowed(e.Request.URL) {
		go func() { _ = (proto.FetchContinueRequest{RequestID: e.RequestID}).Call(tb.page) }()
		return
	}
	go func() {
		_ = (proto.FetchFailRequest{RequestID: e.RequestID, ErrorReason: proto.NetworkErrorReasonBlockedByClient}).Call(tb.page)
	}()
}

// onAuth answers the inbox's Basic challenge with the read token, and
// nothing else's.
func (tb *tab) onAuth(e *proto.FetchAuthRequired) {
	resp := &proto.FetchAuthChallengeResponse{Response: proto.FetchAuthChallengeResponseResponseCancelAuth}
	if e.AuthChallenge != nil && e.AuthChallenge.Source == proto.FetchAuthChallengeSourceServer && e.AuthChallenge.Origin == tb.origin {
		tb.mu.Lock()
		tb.auths++
		tb.mu.Unlock()
		resp = &proto.FetchAuthChallengeResponse{Response: proto.FetchAuthChallengeResponseResponseProvideCredentials, Username: "helpdesk", Password: testReadToken}
	}
	go func() {
		_ = (proto.FetchContinueWithAuth{RequestID: e.RequestID, AuthChallengeResponse: resp}).Call(tb.page)
	}()
}

func (tb *tab) onRequest(e *proto.NetworkRequestWillBeSent) { tb.record(e.Request.URL) }

func (tb *tab) onConsole(e *proto.RuntimeConsoleAPICalled) {
	if e.Type == proto.RuntimeConsoleAPICalledTypeError || e.Type == proto.RuntimeConsoleAPICalledTypeAssert {
		var parts []string
		for _, a := range e.Args {
			parts = append(parts, a.Value.String())
		}
		tb.problem("console." + string(e.Type) + ": " + strings.Join(parts, " "))
	}
}

func (tb *tab) onException(e *proto.RuntimeExceptionThrown) {
	msg := e.ExceptionDetails.Text
	if ex := e.ExceptionDetails.Exception; ex != nil {
		msg += " " + ex.Description
	}
	tb.problem("exception: " + msg)
}

func (tb *tab) onLog(e *proto.LogEntryAdded) {
	if e.Entry.Level == proto.LogLogEntryLevelError {
		tb.problem("log (" + string(e.Entry.Source) + "): " + e.Entry.Text + " " + e.Entry.URL)
	}
}

// open navigates to path on the serve origin and waits for "load".
func (tb *tab) open(path string) {
	tb.t.Helper()
	if err := tb.page.Navigate(tb.origin + path); err != nil {
		tb.t.Fatalf("navigate to %s: %v", path, err)
	}
	if err := tb.page.WaitLoad(); err != nil {
		tb.t.Fatalf("%s did not load: %v", path, err)
	}
}

// eval runs js (a function) in the page and decodes its result into out.
func (tb *tab) eval(js string, out any) {
	tb.t.Helper()
	res, err := tb.page.Eval(js)
	if err != nil {
		tb.t.Fatalf("eval %s: %v", js, err)
	}
	if err := res.Value.Unmarshal(out); err != nil {
		tb.t.Fatalf("eval %s: %v", js, err)
	}
}

func (tb *tab) text(selector string) string {
	tb.t.Helper()
	var s string
	tb.eval(`() => { const e = document.querySelector(`+jsString(selector)+`); return e ? e.textContent.trim() : "" }`, &s)
	return s
}

// rows are the report ids the list shows, top to bottom.
func (tb *tab) rows() []string {
	tb.t.Helper()
	var ids []string
	tb.eval(`() => Array.from(document.querySelectorAll("table tr td:first-child a")).map(a => a.textContent.trim())`, &ids)
	return ids
}

// verdicts are the list's verdict cells, top to bottom, as class:text.
func (tb *tab) verdicts() []string {
	tb.t.Helper()
	var v []string
	tb.eval(`() => Array.from(document.querySelectorAll("table tr td:nth-child(4)")).map(td => td.className + ":" + td.textContent.trim())`, &v)
	return v
}

// shoot saves a full-page PNG into the test's artefacts.
func (tb *tab) shoot(name string) {
	tb.t.Helper()
	img, err := tb.page.Screenshot(true, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(tb.t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, img, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot of the page: %s (kept with go test -artifacts)", path)
}

// clean fails on any request off the serve origin (other than data: and
// blob:), on console errors and exceptions, and when nothing at all was
// recorded (the recorder would be blind).
func (tb *tab) clean() {
	tb.t.Helper()
	// Late events (the image, a console message) have a moment to arrive.
	time.Sleep(200 * time.Millisecond)
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.requests) == 0 {
		tb.t.Error("no request was recorded at all")
	}
	for _, u := range tb.requests {
		if !tb.allowed(u) {
			tb.t.Errorf("the page made a request off the serve origin: %.200s", u)
		}
	}
	for _, p := range tb.problems {
		tb.t.Errorf("the page reported an error: %.300s", p)
	}
	tb.requests, tb.problems = nil, nil
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// samplePoints are a few pixels spread over img.
func samplePoints(img image.Image) [][2]int {
	b := img.Bounds()
	var pts [][2]int
	for _, f := range [][2]int{{1, 1}, {1, 3}, {2, 2}, {3, 1}, {3, 3}, {2, 1}, {2, 3}} {
		pts = append(pts, [2]int{b.Min.X + b.Dx()*f[0]/4, b.Min.Y + b.Dy()*f[1]/4})
	}
	return pts
}

func jsPoints(img image.Image) string {
	b, _ := json.Marshal(samplePoints(img))
	return string(b)
}

// near: equal colours, give or take rounding in the browser's decoder.
func near(a, b [4]int) bool {
	for i := range a {
		if d := a[i] - b[i]; d > 3 || d < -3 {
			return false
		}
	}
	return true
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// TestInboxBrowserPages: the inbox's pages as a helpdesk agent sees them in
// real headless Chromium (a browser of the project's own pool): both
// reports listed newest first, the filter form narrows the list, a report
// shows its verdict, its first fix and its screenshot, Chinese for a
// Chinese browser, and no page loads anything but the inbox's own URLs or
// reports an error. Full-page screenshots go to the test's artefacts.
func TestInboxBrowserPages(t *testing.T) {
	bin, ok := device.FindChrome(context.Background(), checks.NewEnv(checks.Target{}))
	if !ok {
		testenv.Unavailable(t, "no Chrome/Chromium found (Debian: apt-get install chromium)")
	}
	ts, _ := startInbox(t)
	older := upload(t, ts, realBundle(t))
	shotBundle := screenshotBundle(t)
	shotPNG := bundleFile(t, shotBundle, "screenshot.png")
	if shotPNG == nil {
		t.Fatal("the maintenance run's bundle has no screenshot.png")
	}
	shot, err := png.Decode(bytes.NewReader(shotPNG))
	if err != nil {
		t.Fatalf("screenshot.png: %v", err)
	}
	newer := upload(t, ts, shotBundle)
	if older.code == newer.code {
		t.Fatalf("both reports have the top code %s: the filter would show nothing", older.code)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pool := browser.NewPool(browser.PoolOptions{Size: 1, TempDir: t.TempDir()})
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer ccancel()
		if err := pool.Close(cctx); err != nil {
			t.Error(err)
		}
	})
	b, giveBack, err := pool.Lend(ctx, bin)
	if err != nil {
		t.Fatalf("no browser from the pool: %v", err)
	}
	defer giveBack()

	t.Run("list", func(t *testing.T) {
		tb := openTab(t, b, ts.base, "")
		tb.open("/reports")
		tb.shoot("reports")
		// The first page of the browser context: the server asked for the
		// read token (later pages reuse the cached credentials).
		tb.mu.Lock()
		asked := tb.auths
		tb.mu.Unlock()
		if asked == 0 {
			t.Error("the server never asked the browser for the read token")
		}
		if got, want := tb.rows(), []string{newer.id, older.id}; !slices.Equal(got, want) {
			t.Errorf("the list shows %v, want %v (newest first)", got, want)
		}
		words := map[string]string{"pass": "passed", "warn": "needs attention", "fail": "failed"}
		if got, want := tb.verdicts(), []string{newer.verdict + ":" + words[newer.verdict], older.verdict + ":" + words[older.verdict]}; !slices.Equal(got, want) {
			t.Errorf("verdict cells %q, want %q", got, want)
		}
		if h := tb.text("h1"); h != listWords["en"]["title"] {
			t.Errorf("heading %q", h)
		}
		var lang string
		tb.eval(`() => document.documentElement.lang`, &lang)
		if lang != "en" {
			t.Errorf("<html lang=%q>, want en", lang)
		}
		tb.clean()

		// The filter form, used as an agent uses it: type a code, press
		// the button.
		el, err := tb.page.Element(`input[name=code]`)
		if err != nil {
			t.Fatal(err)
		}
		if err := el.Input(older.code); err != nil {
			t.Fatal(err)
		}
		wait := tb.page.WaitNavigation(proto.PageLifecycleEventNameLoad)
		btn, err := tb.page.Element(`form button`)
		if err != nil {
			t.Fatal(err)
		}
		if err := btn.Click(proto.InputMouseButtonLeft, 1); err != nil {
			t.Fatal(err)
		}
		wait()
		tb.shoot("reports-filtered")
		var href string
		tb.eval(`() => location.href`, &href)
		if !strings.Contains(href, "code="+older.code) {
			t.Errorf("the filter form went to %s", href)
		}
		if got := tb.rows(); !slices.Equal(got, []string{older.id}) {
			t.Errorf("filtered by %s the list shows %v, want [%s]", older.code, got, older.id)
		}
		var kept string
		tb.eval(`() => document.querySelector("input[name=code]").value`, &kept)
		if kept != older.code {
			t.Errorf("the filtered page's code field holds %q", kept)
		}
		tb.clean()
	})

	t.Run("report", func(t *testing.T) {
		tb := openTab(t, b, ts.base, "")
		tb.open("/reports/" + newer.id)
		tb.shoot("report-" + newer.id)
		var h1 struct {
			Class, Text string
		}
		tb.eval(`() => { const h = document.querySelector("h1"); return {class: h.className, text: h.textContent.trim()} }`, &h1)
		if h1.Class != "verdict-"+newer.verdict || h1.Text == "" {
			t.Errorf("verdict heading %+v, want class verdict-%s", h1, newer.verdict)
		}
		if got := tb.text("ol.fixes > li .fix-title"); got != newer.title {
			t.Errorf("first fix %q, want %q", got, newer.title)
		}
		if got := tb.text("ol.fixes > li .who code"); got != newer.code {
			t.Errorf("first fix's code %q, want %q", got, newer.code)
		}
		var img struct {
			Src                         string
			Complete                    bool
			NaturalWidth, NaturalHeight int
		}
		tb.eval(`() => { const i = document.querySelector("figure img"); return i ? {src: i.src, complete: i.complete, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight} : {} }`, &img)
		if img.Src != ts.base+"/reports/"+newer.id+"/screenshot.png" || !img.Complete || img.NaturalWidth != shot.Bounds().Dx() || img.NaturalHeight != shot.Bounds().Dy() {
			t.Errorf("screenshot <img> %+v, want %s at %v", img, "/reports/"+newer.id+"/screenshot.png", shot.Bounds().Size())
		}
		// Decoded for real: the browser's pixels are the bundle's (a
		// truncated PNG still has its size, but not its pixels).
		var px [][4]int
		tb.eval(`() => { const i = document.querySelector("figure img"); const c = document.createElement("canvas");
			c.width = i.naturalWidth; c.height = i.naturalHeight; const g = c.getContext("2d"); g.drawImage(i, 0, 0);
			return `+jsPoints(shot)+`.map(([x, y]) => Array.from(g.getImageData(x, y, 1, 1).data)) }`, &px)
		for i, p := range samplePoints(shot) {
			r, g, bl, a := shot.At(p[0], p[1]).RGBA()
			want := [4]int{int(r >> 8), int(g >> 8), int(bl >> 8), int(a >> 8)}
			if i >= len(px) || !near(px[i], want) {
				t.Errorf("screenshot pixel %v in the browser: %v, in the bundle: %v", p, px, want)
				break
			}
		}
		var back string
		tb.eval(`() => document.querySelector("a[href^='/reports?']").textContent`, &back)
		if back != listWords["en"]["back"] {
			t.Errorf("back link %q", back)
		}
		tb.clean()

		// A report without a screenshot shows no image.
		tb.open("/reports/" + older.id)
		tb.shoot("report-" + older.id)
		var imgs int
		tb.eval(`() => document.images.length`, &imgs)
		if imgs != 0 {
			t.Errorf("%s has no screenshot but the page shows %d images", older.id, imgs)
		}
		if got := tb.text("ol.fixes > li .who code"); got != older.code {
			t.Errorf("%s: first fix's code %q, want %q", older.id, got, older.code)
		}
		tb.clean()
	})

	t.Run("chinese", func(t *testing.T) {
		// ?lang=zh on the list.
		tb := openTab(t, b, ts.base, "")
		tb.open("/reports?lang=zh")
		tb.shoot("reports-zh")
		var lang string
		tb.eval(`() => document.documentElement.lang`, &lang)
		if lang != "zh" || tb.text("h1") != listWords["zh"]["title"] {
			t.Errorf("?lang=zh: <html lang=%q>, heading %q", lang, tb.text("h1"))
		}
		if got := tb.rows(); !slices.Equal(got, []string{newer.id, older.id}) {
			t.Errorf("?lang=zh lists %v", got)
		}
		if fix := tb.text("table tr:nth-child(2) td:last-child"); !hasHan(fix) {
			t.Errorf("?lang=zh: the first fix %q is not Chinese", fix)
		}
		for _, v := range tb.verdicts() {
			if !hasHan(v) {
				t.Errorf("?lang=zh: verdict cell %q is not Chinese", v)
			}
		}
		// The filters and the owner column speak Chinese too; the values
		// sent stay the stable ones.
		var options []struct{ Value, Label string }
		tb.eval(`() => [...document.querySelectorAll("select option")].filter(o => o.value).map(o => ({Value: o.value, Label: o.textContent}))`, &options)
		if len(options) != 3+len(checks.Stages) {
			t.Errorf("?lang=zh: %d filter options, want %d: %v", len(options), 3+len(checks.Stages), options)
		}
		for _, o := range options {
			if !hasHan(o.Label) && o.Label != "IT" {
				t.Errorf("?lang=zh: option %q shows %q, not Chinese", o.Value, o.Label)
			}
		}
		if owner := tb.text("table tr:nth-child(2) td:nth-child(6)"); !hasHan(owner) && owner != "IT" {
			t.Errorf("?lang=zh: owner cell %q is not Chinese", owner)
		}
		tb.clean()

		// A browser that prefers Chinese gets the report in Chinese, no
		// ?lang needed.
		zh := openTab(t, b, ts.base, "zh-CN,zh;q=0.9")
		zh.open("/reports/" + newer.id)
		zh.shoot("report-" + newer.id + "-zh")
		zh.eval(`() => document.documentElement.lang`, &lang)
		if lang != "zh-CN" {
			t.Errorf("Accept-Language zh-CN: <html lang=%q>", lang)
		}
		if title := zh.text("ol.fixes > li .fix-title"); !hasHan(title) || title == newer.title {
			t.Errorf("Accept-Language zh-CN: first fix %q is not Chinese", title)
		}
		if h := zh.text("h1"); !hasHan(h) {
			t.Errorf("Accept-Language zh-CN: verdict %q is not Chinese", h)
		}
		var alt string
		zh.eval(`() => { const i = document.querySelector("figure img"); return i && i.naturalWidth > 0 ? i.alt : "" }`, &alt)
		if want := report.Messages("zh").T("label.screenshot_alt", nil); alt != want {
			t.Errorf("Accept-Language zh-CN: screenshot alt %q, want %q, or not decoded", alt, want)
		}
		// Where the report puts it: after the fixes, before the checks.
		var placed bool
		zh.eval(`() => { const f = document.querySelector("figure img"), fixes = document.querySelector("ol.fixes"), table = document.querySelector("table");
			return !!(f && fixes && table && (fixes.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING) && (f.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING)) }`, &placed)
		if !placed {
			t.Errorf("the screenshot is not between the fixes and the checks")
		}
		var imgs int
		zh.eval(`() => document.images.length`, &imgs)
		if n := imgs; n != 1 {
			t.Errorf("the screenshot is on the page %d times, want once", n)
		}
		zh.clean()
	})
}
