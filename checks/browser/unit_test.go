package browser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod/lib/proto"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/testenv"
)

// TestVerdictOrder: the most fundamental finding becomes the code; the
// others stay in the evidence; a JS error that did not break the form is
// only a warning and yields to a failure.
func TestVerdictOrder(t *testing.T) {
	base := outcome{Host: "crm.example.com", Selector: DefaultSelector, Seconds: "8.5", FormRan: true}
	js := []jsError{{Message: "TypeError: x", Source: "https://crm.example.com/app.js", Line: 3}}
	blocked := []resourceIssue{{URL: "https://cdn.example.net/sdk.js", Host: "cdn.example.net", Type: proto.NetworkResourceTypeScript, Reason: "net::ERR_BLOCKED_BY_CLIENT"}}
	popup := []popupCall{{URL: "https://idp.example.com/login", Blocked: true}}
	tests := []struct {
		name   string
		mod    func(o *outcome)
		code   string
		status checks.Status
		n      int // findings in all
	}{
		{"clean", func(o *outcome) { o.FormSeen = true }, checks.CodeOK, checks.StatusPass, 0},
		{"cert hides the rest", func(o *outcome) { o.NavError = "net::ERR_CERT_DATE_INVALID"; o.FormRan = false; o.State.Errors = js },
			CodeCertError, checks.StatusFail, 2},
		{"blocked script before its JS error and the missing form", func(o *outcome) { o.State.Resources = blocked; o.State.Errors = js },
			CodeResourceBlocked, checks.StatusFail, 3},
		{"JS error that broke the form", func(o *outcome) { o.State.Errors = js }, CodeJSError, checks.StatusFail, 2},
		{"harmless JS error is a warning", func(o *outcome) { o.State.Errors = js; o.FormSeen = true }, CodeJSError, checks.StatusWarn, 1},
		{"failure beats an earlier warning", func(o *outcome) { o.State.Errors = js; o.FormSeen = true; o.State.Popups = popup },
			CodePopupBlocked, checks.StatusFail, 2},
		{"pop-up explains the missing form", func(o *outcome) { o.State.Popups = popup }, CodePopupBlocked, checks.StatusFail, 2},
		{"cookies off by user setting", func(o *outcome) {
			o.FormSeen = true
			o.State.Cookies = []cookieIssue{{Name: "sid", Host: "crm.example.com", Reasons: []string{"UserPreferences"}}}
		}, CodeCookiesDisabled, checks.StatusFail, 1},
		{"timeout names what it waited for", func(o *outcome) {
			o.TimedOut, o.Phase, o.FormRan = true, "scripts", false
			o.State.Pending = []string{"https://api.example.com/config"}
		},
			CodeTimeout, checks.StatusFail, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base
			tt.mod(&o)
			fs := verdict(o)
			f, ok := pick(fs)
			code, status := checks.CodeOK, checks.StatusPass
			if ok {
				code, status = f.code, f.status
			}
			if code != tt.code || status != tt.status || len(fs) != tt.n {
				t.Fatalf("got %s/%s with %d findings %v, want %s/%s with %d", code, status, len(fs), evidenceOf(fs), tt.code, tt.status, tt.n)
			}
		})
	}
	o := base
	o.TimedOut, o.Phase, o.FormRan = true, "scripts", false
	o.State.Pending = []string{"https://api.example.com/config"}
	if got := verdict(o)[0].params["waiting_for"]; got != "api.example.com/config" {
		t.Errorf("waiting_for = %q", got)
	}
}

// TestObserver feeds CDP events in the orders Chrome sends them.
func TestObserver(t *testing.T) {
	now := time.Unix(1000, 0)
	o := newObserver("main", func() time.Time { return now })
	o.onRequest(&proto.NetworkRequestWillBeSent{RequestID: "1", FrameID: "main", Type: proto.NetworkResourceTypeDocument,
		Request: &proto.NetworkRequest{URL: "https://crm.example.com/login?next=/home"}, Timestamp: 10})
	o.onRequest(&proto.NetworkRequestWillBeSent{RequestID: "1", FrameID: "main", Type: proto.NetworkResourceTypeDocument,
		Request: &proto.NetworkRequest{URL: "https://idp.example.com/authorize?state=s3cret"}, Timestamp: 10.25,
		RedirectResponse: &proto.NetworkResponse{Status: 302}})
	o.onResponse(&proto.NetworkResponseReceived{RequestID: "1", Type: proto.NetworkResourceTypeDocument, Timestamp: 10.5,
		Response: &proto.NetworkResponse{URL: "https://idp.example.com/authorize?state=s3cret", Status: 200}})
	// ExtraInfo before its request (Chrome does that), then the request.
	o.onExtraInfo(&proto.NetworkResponseReceivedExtraInfo{RequestID: "2", StatusCode: 403,
		BlockedCookies: []*proto.NetworkBlockedSetCookieWithReason{{CookieLine: "sid=VALUE; SameSite=None", BlockedReasons: []proto.NetworkSetCookieBlockedReason{"SameSiteNoneInsecure"}}}})
	o.onRequest(&proto.NetworkRequestWillBeSent{RequestID: "2", FrameID: "main", Type: proto.NetworkResourceTypeStylesheet,
		Request: &proto.NetworkRequest{URL: "https://idp.example.com/theme.css"}})
	o.onFailed(&proto.NetworkLoadingFailed{RequestID: "2", Type: proto.NetworkResourceTypeStylesheet, ErrorText: "net::ERR_ABORTED", Canceled: true})
	o.onRequest(&proto.NetworkRequestWillBeSent{RequestID: "3", FrameID: "main", Type: proto.NetworkResourceTypeOther,
		Request: &proto.NetworkRequest{URL: "https://idp.example.com/favicon.ico"}})
	o.onResponse(&proto.NetworkResponseReceived{RequestID: "3", Type: proto.NetworkResourceTypeOther,
		Response: &proto.NetworkResponse{URL: "https://idp.example.com/favicon.ico", Status: 404}})
	o.onException(&proto.RuntimeExceptionThrown{ExceptionDetails: &proto.RuntimeExceptionDetails{Text: "Uncaught",
		URL: "https://idp.example.com/app.js?v=1", LineNumber: 4, Exception: &proto.RuntimeRemoteObject{Description: "TypeError: boom\n    at x"}}})
	o.onBinding(&proto.RuntimeBindingCalled{Name: popupBinding, Payload: `{"url":"https://idp.example.com/popup?token=t","blocked":true}`})
	o.onBinding(&proto.RuntimeBindingCalled{Name: popupBinding, Payload: `not json`})

	st := o.snapshot()
	if len(st.Hops) != 2 || st.Hops[0].Status != 302 || st.Hops[0].MS != 250 || st.Hops[1].Host != "idp.example.com" || st.Hops[1].MS != 250 {
		t.Errorf("hops %+v", st.Hops)
	}
	if len(st.Resources) != 1 || st.Resources[0].Status != 403 || st.Resources[0].URL != "https://idp.example.com/theme.css" {
		t.Errorf("resources %+v", st.Resources)
	}
	if len(st.Cookies) != 1 || st.Cookies[0].Name != "sid" || st.Cookies[0].Host != "idp.example.com" {
		t.Errorf("cookies %+v", st.Cookies)
	}
	if len(st.Errors) != 1 || st.Errors[0].Message != "TypeError: boom" || st.Errors[0].Source != "https://idp.example.com/app.js" || st.Errors[0].Line != 5 {
		t.Errorf("errors %+v", st.Errors)
	}
	if len(st.Popups) != 1 || !st.Popups[0].Blocked || st.Popups[0].URL != "https://idp.example.com/popup" {
		t.Errorf("popups %+v", st.Popups)
	}
	if len(st.Pending) != 2 { // the document and the favicon never finished
		t.Errorf("pending %v", st.Pending)
	}
	all := strings.Join([]string{st.Hops[1].URL, st.Popups[0].URL, st.Cookies[0].Name}, " ")
	for _, secret := range []string{"s3cret", "VALUE", "token"} {
		if strings.Contains(all, secret) {
			t.Errorf("secret %q kept: %s", secret, all)
		}
	}
}

func TestProxyFlags(t *testing.T) {
	withCreds := &url.URL{Scheme: "http", User: url.UserPassword("bob", "pw"), Host: "proxy.corp:3128"}
	tests := []struct {
		name  string
		route checks.Route
		want  map[string]string
	}{
		{"direct", checks.Route{Source: checks.SourceDirect}, map[string]string{"no-proxy-server": ""}},
		{"proxy without credentials on the command line", checks.Route{Proxy: withCreds, Source: checks.SourceEnv},
			map[string]string{"proxy-server": "http://proxy.corp:3128", "proxy-bypass-list": "<-loopback>"}},
		{"socks", checks.Route{Proxy: &url.URL{Scheme: "socks5h", Host: "s:1080"}, Source: checks.SourceConfig},
			map[string]string{"proxy-server": "socks5://s:1080", "proxy-bypass-list": "<-loopback>"}},
		{"PAC file: nothing on the command line", checks.Route{Proxy: withCreds, Source: checks.SourcePAC, PACURL: "http://wpad/proxy.pac?key=k"},
			map[string]string{}},
		{"PAC file Chrome cannot fetch: its answer", checks.Route{Proxy: withCreds, Source: checks.SourcePAC, PACURL: "/etc/proxy.pac"},
			map[string]string{"proxy-server": "http://proxy.corp:3128", "proxy-bypass-list": "<-loopback>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := proxyFlags(tt.route)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
				if strings.Contains(got[k], "pw") {
					t.Errorf("credentials on the command line: %s", got[k])
				}
			}
		})
	}
}

func TestLauncherFlags(t *testing.T) {
	l := launcherFor(launchSpec{Bin: "/usr/bin/chromium", Route: checks.Route{Source: checks.SourceDirect}, Home: "/tmp/h"}, "/tmp/p")
	args := strings.Join(l.FormatArgs(), " ")
	for _, want := range []string{"--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-proxy-server", "--user-data-dir=/tmp/p",
		"--remote-debugging-pipe", "--js-flags=--max-old-space-size="} {
		if !strings.Contains(args, want) {
			t.Errorf("missing %s in %s", want, args)
		}
	}
	if strings.Contains(args, "disable-popup-blocking") {
		t.Errorf("pop-up blocking is off: %s", args)
	}
	if strings.Contains(args, "remote-debugging-port") {
		t.Errorf("a DevTools port any local user could connect to: %s", args)
	}
	env := browserEnv([]string{"HOME=/root", "TMPDIR=/tmp", "PATH=/bin"}, "/tmp/h", "/tmp/r/tmp")
	if !slices.Contains(env, "HOME=/tmp/h") || !slices.Contains(env, "TMPDIR=/tmp/r/tmp") || !slices.Contains(env, "PATH=/bin") || len(env) != 3 {
		t.Errorf("browser environment %v", env)
	}
}

func TestSweepStale(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old := filepath.Join(dir, profilePrefix+"old")
	fresh := filepath.Join(dir, profilePrefix+"fresh")
	other := filepath.Join(dir, "someone-else")
	for _, d := range []string{old, fresh, other} {
		if err := os.MkdirAll(filepath.Join(d, "profile"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{old, other} {
		if err := os.Chtimes(d, now.Add(-2*time.Hour), now.Add(-2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	sweepStale(dir, now)
	for d, want := range map[string]bool{old: false, fresh: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s exists=%t, want %t", filepath.Base(d), err == nil, want)
		}
	}
}

func TestPageDeadline(t *testing.T) {
	now := time.Now()
	for _, tt := range []struct {
		budget, reserve time.Duration
	}{{10 * time.Second, checks.BrowserReserve}, {2 * time.Second, 500 * time.Millisecond}, {200 * time.Millisecond, 50 * time.Millisecond}} {
		ctx, cancel := context.WithDeadline(context.Background(), now.Add(tt.budget))
		got := now.Add(tt.budget).Sub(pageDeadline(ctx, now))
		cancel()
		if got != tt.reserve {
			t.Errorf("budget %v: reserve %v, want %v", tt.budget, got, tt.reserve)
		}
	}
	if got := pageDeadline(context.Background(), now).Sub(now); got != checks.DefaultCheckTimeout-checks.BrowserReserve {
		t.Errorf("no deadline: %v", got)
	}
}

func TestUnavailable(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		c := &pageCheck{find: func(context.Context, *checks.Env) (string, bool) { return "", false }}
		env := checks.NewEnv(checks.Target{URL: &url.URL{Scheme: "https", Host: "crm.example.com"}})
		env.GOOS = goos
		r := c.Run(context.Background(), env, nil)
		if r.Status != checks.StatusSkip || r.Code != CodeUnavailable || r.Variant != goos || r.Params["os"] != goos {
			t.Errorf("%s: got %s/%s variant %q", goos, r.Status, r.Code, r.Variant)
		}
	}
	c := &pageCheck{find: func(context.Context, *checks.Env) (string, bool) {
		t.Error("finder used despite browser.path")
		return "", false
	}}
	env := checks.NewEnv(checks.Target{URL: &url.URL{Scheme: "https", Host: "crm.example.com"},
		Browser: checks.BrowserConfig{Path: filepath.Join(t.TempDir(), "no-chrome")}})
	if r := c.Run(context.Background(), env, nil); r.Code != CodeUnavailable || !strings.Contains(r.Summary, "browser.path") {
		t.Errorf("missing browser.path: %s %s", r.Code, r.Summary)
	}
	if r := c.Run(context.Background(), checks.NewEnv(checks.Target{}), nil); r.Code != checks.CodeNotConfigured {
		t.Errorf("no URL: %s", r.Code)
	}
}

func TestReadPEMCerts(t *testing.T) {
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	two := filepath.Join(dir, "two.pem")
	if err := os.WriteFile(two, append(f.Root.PEM(), f.Unknown.PEM()...), 0o600); err != nil {
		t.Fatal(err)
	}
	if ders, err := readPEMCerts(two); err != nil || len(ders) != 2 {
		t.Errorf("two roots: %d, %v", len(ders), err)
	}
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readPEMCerts(junk); err == nil {
		t.Error("junk accepted")
	}
	if home, note := trustCA(context.Background(), junk, dir, dir, "certutil"); home != "" || !strings.Contains(note, "could not be applied") {
		t.Errorf("junk ca_file: home %q note %q", home, note)
	}
	if home, note := trustCA(context.Background(), two, dir, dir, "no-such-certutil"); home != "" || !strings.Contains(note, "certutil not found") {
		t.Errorf("no certutil: home %q note %q", home, note)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@idp.example.com/authorize?code=1#frag": "https://idp.example.com/authorize",
		"chrome-error://chromewebdata/":                     "chrome-error://chromewebdata/",
		"about:blank?x":                                     "about:blank",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLaunchThatNeverAnswersEndsByDeadline: a "browser" that starts but
// never answers on the DevTools pipe (a script that sleeps) makes the check
// return by its deadline with a launch timeout; close then kills its whole
// process tree and removes the profile.
func TestLaunchThatNeverAnswersEndsByDeadline(t *testing.T) {
	dir := t.TempDir()
	bin, sleeper := filepath.Join(dir, "fake-chrome"), filepath.Join(dir, "fake-helper")
	b, err := os.ReadFile("/bin/sleep")
	if err != nil {
		testenv.Unavailable(t, "no /bin/sleep: %v", err)
	}
	// The "browser" and a helper it starts in the background: both must go.
	if err := os.WriteFile(sleeper, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"+sleeper+" 30 &\n"+sleeper+" 31\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &pageCheck{find: func(context.Context, *checks.Env) (string, bool) { return bin, true }, tempDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := c.Run(ctx, checks.NewEnv(checks.Target{URL: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}}), nil)
	took := time.Since(start)
	// Chrome not starting is this computer's limit: CHECK_ERROR saying so,
	// never BROWSER_TIMEOUT (which would send the user after the network).
	if r.Status != checks.StatusError || r.Code != checks.CodeCheckError || r.Evidence["cause"] != "browser_start" ||
		!strings.Contains(r.Summary, "Chrome did not start within ") || !strings.Contains(r.Summary, "s (the computer is busy?)") {
		t.Errorf("got %s %s %q %v", r.Status, r.Code, r.Summary, r.Evidence)
	}
	if took > 400*time.Millisecond+minCloseWait+200*time.Millisecond {
		t.Errorf("took %v", took)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(leftDirs(t, c.tempDir)) > 0 || len(chromeProcs(t, dir)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("left behind: profile dirs %v, processes %v", leftDirs(t, c.tempDir), chromeProcs(t, dir))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLaunchTimedOut(t *testing.T) {
	ioTimeout := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{context.DeadlineExceeded, true},
		{fmt.Errorf("browser: connect: %w", ioTimeout), true},
		{fmt.Errorf("browser: launch: %w", context.Canceled), true},
		{errors.New("exec: no such file"), false},
	} {
		if got := launchTimedOut(tc.err); got != tc.want {
			t.Errorf("launchTimedOut(%v) = %t, want %t", tc.err, got, tc.want)
		}
	}
}

// A profile too deep for Chromium's socket gets its TMPDIR in /tmp: one
// per session, also when a browser that crashed at start is launched a
// second time, and removed with the session (a retry used to leave the
// first one behind).
func TestShortTmpIsOnePerSession(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps the TMPDIR under the profile")
	}
	deep := filepath.Join(t.TempDir(), strings.Repeat("d", maxTmpLen))
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := newSession(deep)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.chromeTmp()
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.chromeTmp()
	if err != nil {
		t.Fatal(err)
	}
	if first != second || !strings.HasPrefix(first, "/tmp/"+profilePrefix) {
		t.Errorf("TMPDIRs %q then %q: want one short directory in /tmp", first, second)
	}
	s.finish()
	for _, d := range []string{first, s.root} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s left behind after the session (%v)", d, err)
		}
	}
}
