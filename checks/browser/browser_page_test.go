package browser

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
	"github.com/logindoctor/logindoctor/fixtures/testenv"
)

// Check deadlines in the browser tests: enough for a launch and a page on
// a busy 2-core machine; the timeout rows use the short one.
const (
	pageTimeout  = 15 * time.Second
	shortTimeout = 4 * time.Second
)

// TestReasonCodes loads each fault page in real headless Chromium and
// expects its reason code, owner, message parameters and the one fact the
// helpdesk acts on.
func TestReasonCodes(t *testing.T) {
	needChrome(t)
	srv := startPages(t, loginpages.Options{})
	checkReasonCodes(t, srv, checks.Target{}, reasonCases(srv))
}

// TestReasonCodesHeadlessShell: Chrome's headless shell (what serve
// prefers) judges every fault page as Chrome does. It has no pop-up
// blocker: the pop-up opens, and browser.page calls it blocked because it
// opened without a click.
func TestReasonCodesHeadlessShell(t *testing.T) {
	shell := needHeadlessShell(t)
	srv := startPages(t, loginpages.Options{})
	cases := reasonCases(srv)
	for i := range cases {
		if cases[i].fault == loginpages.Popup {
			cases[i].fact = "/idp/login: opened (after a click: false)"
		}
	}
	checkReasonCodes(t, srv, checks.Target{Browser: checks.BrowserConfig{Path: shell}}, cases)
}

// reasonCase is one fault page and what browser.page must say about it.
type reasonCase struct {
	fault   loginpages.Fault
	timeout time.Duration
	code    string
	status  checks.Status
	owner   checks.Owner
	params  map[string]string // expected values ("*": any non-empty)
	fact    string            // a substring of the evidence
}

func reasonCases(srv *loginpages.Server) []reasonCase {
	refused := srv.Handler().RefusedAddr()
	return []reasonCase{
		{loginpages.Healthy, pageTimeout, checks.CodeOK, checks.StatusPass, "",
			map[string]string{"host": srv.Addr()}, `"login_form_found":true`},
		{loginpages.SSO, pageTimeout, checks.CodeOK, checks.StatusPass, "",
			map[string]string{"host": srv.Addr()}, `"status":302`},
		{loginpages.CookieRejected, pageTimeout, CodeCookieRejected, checks.StatusFail, checks.OwnerAdmin,
			map[string]string{"host": srv.Addr(), "cookie": loginpages.SessionCookie, "reason": "SameSiteNoneInsecure"}, "SameSiteNoneInsecure"},
		{loginpages.CookieBadDomain, pageTimeout, CodeCookieRejected, checks.StatusFail, checks.OwnerAdmin,
			map[string]string{"host": srv.Addr(), "cookie": loginpages.SessionCookie, "reason": "InvalidDomain"}, "InvalidDomain"},
		{loginpages.CookiesSandboxed, pageTimeout, CodeCookiesDisabled, checks.StatusFail, checks.OwnerAdmin, // variant "site"
			map[string]string{"host": srv.Addr()}, `"origin":"null"`},
		{loginpages.ScriptError, pageTimeout, CodeJSError, checks.StatusFail, checks.OwnerAdmin,
			map[string]string{"host": srv.Addr(), "message": "*", "source": "http://" + srv.Addr() + "/assets/broken.js"},
			"BROWSER_NO_LOGIN_FORM"},
		{loginpages.BlockedScript, pageTimeout, CodeResourceBlocked, checks.StatusFail, checks.OwnerIT,
			map[string]string{"host": refused, "resource": "http://" + refused + "/sdk/login-widget.js", "reason": "net::ERR_CONNECTION_REFUSED"},
			"ReferenceError: LoginWidget is not defined"},
		{loginpages.ForbiddenStyle, pageTimeout, CodeResourceBlocked, checks.StatusFail, checks.OwnerIT,
			map[string]string{"host": srv.Addr(), "reason": "HTTP 403"}, "theme-blocked.css"},
		{loginpages.NoForm, pageTimeout, CodeNoLoginForm, checks.StatusFail, checks.OwnerAdmin,
			map[string]string{"host": srv.Addr(), "selector": DefaultSelector}, `"login_form_found":false`},
		{loginpages.Popup, pageTimeout, CodePopupBlocked, checks.StatusFail, checks.OwnerYou,
			map[string]string{"host": srv.Addr(), "popup_host": srv.Addr()}, "/idp/login: blocked"},
		{loginpages.SlowScript, shortTimeout, CodeTimeout, checks.StatusFail, checks.OwnerIT,
			map[string]string{"host": srv.Addr(), "seconds": "*", "waiting_for": srv.Addr() + loginpages.SlowAPIPath}, `"timeout_phase":"scripts"`},
		{loginpages.NeverLoads, shortTimeout, CodeTimeout, checks.StatusFail, checks.OwnerIT,
			map[string]string{"host": srv.Addr(), "seconds": "*", "waiting_for": srv.Addr() + loginpages.HangingJSPath}, `"timeout_phase":"load"`},
	}
}

// checkReasonCodes runs browser.page (with target's browser settings) on
// each case's page and compares.
func checkReasonCodes(t *testing.T, srv *loginpages.Server, target checks.Target, cases []reasonCase) {
	for _, tt := range cases {
		t.Run(string(tt.fault), func(t *testing.T) {
			start := time.Now()
			r := runCheck(t, testCheck(t), target, srv.URL(tt.fault), tt.timeout)
			took := time.Since(start)
			ev := evidenceJSON(t, r)
			if r.Code != tt.code || r.Status != tt.status || r.Owner != tt.owner {
				t.Fatalf("got %s/%s/%q (%s), want %s/%s/%q\nevidence: %s", r.Status, r.Code, r.Owner, r.Summary, tt.status, tt.code, tt.owner, ev)
			}
			for k, want := range tt.params {
				got := r.Params[k]
				if got == "" || (want != "*" && got != want) {
					t.Errorf("param %s = %q, want %q", k, got, want)
				}
			}
			if wantSite := tt.fault == loginpages.CookiesSandboxed; wantSite != (r.Variant == "site") {
				t.Errorf("variant %q: the site variant is for a sandboxed page only", r.Variant)
			}
			if !strings.Contains(ev, tt.fact) {
				t.Errorf("evidence lacks %q: %s", tt.fact, ev)
			}
			// The page's budget starts once Chrome is up.
			launch, _ := r.Evidence["launch_ms"].(int64)
			if took > tt.timeout+time.Duration(launch)*time.Millisecond+300*time.Millisecond {
				t.Errorf("the check took %v, more than its deadline %v after a %d ms launch", took, tt.timeout, launch)
			}
			if len(r.Attachments) != 1 || r.Attachments[0].Name != "screenshot.png" {
				t.Errorf("want a screenshot attachment, got %d", len(r.Attachments))
			}
		})
	}
}

// TestSSOHopsAreTimedAndRedacted: the redirect chain is in the evidence,
// each hop with host, status and time, and no query (codes, state).
func TestSSOHopsAreTimedAndRedacted(t *testing.T) {
	needChrome(t)
	srv := startPages(t, loginpages.Options{})
	r := runCheck(t, testCheck(t), checks.Target{}, srv.URL(loginpages.SSO), pageTimeout)
	hops, _ := r.Evidence["hops"].([]map[string]any)
	var paths []string
	for _, h := range hops {
		paths = append(paths, h["url"].(string))
		if h["host"] != srv.Addr() {
			t.Errorf("hop host %v, want %s", h["host"], srv.Addr())
		}
		if _, ok := h["ms"].(int64); !ok {
			t.Errorf("hop without ms: %v", h)
		}
	}
	want := []string{"/sso", "/idp/authorize", "/sso/callback", "/healthy"}
	if len(paths) != len(want) {
		t.Fatalf("hops %v, want paths %v", paths, want)
	}
	for i, p := range want {
		if paths[i] != srv.BaseURL()+p {
			t.Errorf("hop %d = %s, want %s", i, paths[i], srv.BaseURL()+p)
		}
	}
	ev := evidenceJSON(t, r)
	for _, secret := range []string{"state=", "code=", "?"} {
		if strings.Contains(ev, secret) {
			t.Errorf("evidence contains %q: %s", secret, ev)
		}
	}
}

// TestCookiesSwitchedOffByUser: a browser whose cookie setting blocks all
// sites (what the user's own setting or a policy does) is the user's fix.
func TestCookiesSwitchedOffByUser(t *testing.T) {
	needChrome(t)
	srv := startPages(t, loginpages.Options{})
	c := testCheck(t)
	c.prefs = `{"profile":{"default_content_setting_values":{"cookies":2}}}`
	r := runCheck(t, c, checks.Target{}, srv.URL(loginpages.Healthy), pageTimeout)
	if r.Code != CodeCookiesDisabled || r.Owner != checks.OwnerYou || r.Params["host"] != srv.Addr() {
		t.Fatalf("got %s owner %q params %v (%s), want %s owner you", r.Code, r.Owner, r.Params, r.Summary, CodeCookiesDisabled)
	}
	if ev := evidenceJSON(t, r); !strings.Contains(ev, `"round_trip":false`) {
		t.Errorf("evidence lacks a failed cookie round trip: %s", ev)
	}
}

// TestCertificateErrors serves the login page over TLS with the factory's
// faulty leaves. ca_file makes the browser trust the test root (a private
// NSS database) so that expiry and hostname errors are not hidden behind
// "unknown authority".
func TestCertificateErrors(t *testing.T) {
	needChrome(t)
	if _, err := exec.LookPath("certutil"); err != nil {
		testenv.Unavailable(t, "certutil not found (apt-get install libnss3-tools): ca_file cannot be applied to Chromium")
	}
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	caFile := t.TempDir() + "/ca.pem"
	if err := f.Root.WritePEM(caFile); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind  certs.Kind
		code  string
		err   string
		owner checks.Owner
	}{
		{certs.Valid, checks.CodeOK, "", ""},
		{certs.Expired, CodeCertError, "ERR_CERT_DATE_INVALID", checks.OwnerAdmin},
		{certs.WrongHost, CodeCertError, "ERR_CERT_COMMON_NAME_INVALID", checks.OwnerAdmin},
		{certs.UnknownCA, CodeCertError, "ERR_CERT_AUTHORITY_INVALID", checks.OwnerIT},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			leaf, err := f.Leaf(tt.kind, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			srv := startPages(t, loginpages.Options{Cert: &leaf})
			r := runCheck(t, testCheck(t), checks.Target{CAFile: caFile}, srv.URL(loginpages.Healthy), pageTimeout)
			if r.Code != tt.code || r.Owner != tt.owner || r.Params["error"] != tt.err {
				t.Fatalf("got %s/%q error %q (%s), want %s/%q %q\n%s", r.Code, r.Owner, r.Params["error"], r.Summary, tt.code, tt.owner, tt.err, evidenceJSON(t, r))
			}
			if tt.code == CodeCertError && r.Params["host"] != srv.Addr() {
				t.Errorf("host = %q, want %s", r.Params["host"], srv.Addr())
			}
			if note, _ := r.Evidence["ca_file"].(string); !strings.Contains(note, "trusted by the browser") {
				t.Errorf("ca_file evidence = %q", note)
			}
		})
	}
}

// TestScreenshot: the attachment is a 1280×800 PNG of a page that is not
// blank.
func TestScreenshot(t *testing.T) {
	needChrome(t)
	srv := startPages(t, loginpages.Options{})
	r := runCheck(t, testCheck(t), checks.Target{}, srv.URL(loginpages.Healthy), pageTimeout)
	if len(r.Attachments) != 1 {
		t.Fatalf("%d attachments, want 1 (%s %s)", len(r.Attachments), r.Code, r.Summary)
	}
	a := r.Attachments[0]
	if a.Name != "screenshot.png" || a.MIME != "image/png" {
		t.Errorf("attachment %s %s", a.Name, a.MIME)
	}
	img, err := png.Decode(bytes.NewReader(a.Data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != viewportW || b.Dy() != viewportH {
		t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), viewportW, viewportH)
	}
	if v := lumaVariance(img); v < 100 {
		t.Errorf("luma variance %.1f: the screenshot looks blank", v)
	}
}

// lumaVariance is the variance of the pixels' brightness (0 for a blank
// image; the fixture's blue header on a light page gives thousands).
func lumaVariance(img image.Image) float64 {
	var n, sum, sq float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			n++
			sum += l
			sq += l * l
		}
	}
	mean := sum / n
	return sq/n - mean*mean
}

func evidenceJSON(t testing.TB, r checks.Result) string {
	t.Helper()
	b, err := json.Marshal(r.Evidence)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
