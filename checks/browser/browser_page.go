// Package browser is the browser.page check: the machine's own Chrome,
// Chromium or Edge (never a downloaded one), headless and driven by go-rod,
// loads the login page the way the user's browser would and reports what
// breaks a login there: certificate errors, blocked scripts and styles,
// script errors, cookies, pop-ups, a missing form, a page that never loads.
// It leaves a screenshot of the page for the ticket.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/checks/httplogin"
	// Turn off rod's global -rod flag before rod's init parses os.Args.
	_ "github.com/logindoctor/logindoctor/checks/browser/internal/rodflag"
)

// Budgets inside the check's own deadline.
const (
	// settleIdle is how long the network must stay quiet after "load"
	// before a missing form counts as missing (scripts may still draw it).
	settleIdle = 700 * time.Millisecond
	// formWait is how long after "load" the form is still waited for while
	// the network is quiet: login pages draw it from a setTimeout or after
	// an animation (seen: 2.5 s after load). A page with no form costs this
	// much; it always ends by the page deadline.
	formWait = 5 * time.Second
	// StartAllowance is how long Chrome may take to start before the
	// page's own budget (the check's check_timeout) begins: 0.45–0.8 s on
	// an idle 2-core machine, 3.7 s and more on a loaded one with several
	// Chromes starting at once. The runner adds it to the check's deadline
	// (checks.Info.StartAllowance); a Chrome slower than that is the
	// computer's limit, a CHECK_ERROR, never a page or network finding.
	StartAllowance = 8 * time.Second
	// pollEvery is how often load and form are looked at.
	pollEvery = 50 * time.Millisecond
	// shotWait bounds the screenshot (and the cookie probe) after the page
	// deadline.
	shotWait = time.Second
	// minCloseWait is the least close waits for the browser to go, even
	// past the deadline, so that a cancelled run mostly cleans up in line.
	minCloseWait = 200 * time.Millisecond
	// DefaultSelector finds the password field of the login form.
	DefaultSelector = "input[type=password]"
	viewportW       = 1280
	viewportH       = 800
)

// pageCheck is browser.page.
type pageCheck struct {
	// find locates the browser when browser.path is not set.
	find func(ctx context.Context, env *checks.Env) (string, bool)
	// tempDir is where profiles go ("" = os.TempDir()).
	tempDir string
	// certutil is the NSS tool's name or path (for ca_file).
	certutil string
	// prefs is extra Chrome preferences JSON: tests simulate a user's
	// settings (cookies or pop-ups blocked) with it.
	prefs string
	// hook, if set, is called at named points of a visit (tests inject
	// panics to prove the cleanup runs on every path).
	hook func(point string)
}

var _ checks.Check = (*pageCheck)(nil)

// ID is browser.page's stable check ID.
const ID = "browser.page"

// New returns the browser.page check.
func New() checks.Check {
	return &pageCheck{find: device.FindChrome, certutil: "certutil"}
}

// Info implements checks.Check.
func (c *pageCheck) Info() checks.Info {
	return checks.Info{ID: ID, Stage: checks.StageBrowser, DependsOn: []string{httplogin.ID},
		StartAllowance: StartAllowance}
}

// Run implements checks.Check.
func (c *pageCheck) Run(ctx context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	t := env.Target
	if t.URL == nil {
		return checks.NotConfigured("url")
	}
	sweepStale(c.tempDir, time.Now())
	bin, ok := c.browserPath(ctx, env)
	if !ok {
		return unavailable(env)
	}
	v := &visit{check: c, env: env, bin: bin, started: time.Now()}
	if pool, ok := env.Browsers.(*Pool); ok {
		// A warm browser of the pool, in an incognito context of its own.
		v.pool = pool
		defer func() { v.lease.end(closeBy(ctx)) }()
		return v.run(ctx)
	}
	s, err := newSession(c.tempDir)
	if err != nil {
		return checks.Errored(err.Error())
	}
	s.spawn = env.Go
	defer func() { s.close(closeBy(ctx)) }()
	v.s = s
	return v.run(ctx)
}

// browserPath is browser.path when set (and present), else the finder's.
func (c *pageCheck) browserPath(ctx context.Context, env *checks.Env) (string, bool) {
	if p := env.Target.Browser.Path; p != "" {
		fi, err := os.Stat(p)
		return p, err == nil && !fi.IsDir()
	}
	if c.find == nil {
		return "", false
	}
	return c.find(ctx, env)
}

// unavailable is the skip when no Chrome-like browser is installed.
func unavailable(env *checks.Env) checks.Result {
	summary := "no Chrome, Chromium or Edge found on this computer; the page was not checked in a browser"
	if p := env.Target.Browser.Path; p != "" {
		summary = "browser.path " + p + " does not exist; the page was not checked in a browser"
	}
	r := checks.Skip(CodeUnavailable, summary)
	r.Severity, r.Owner, r.Variant = checks.SeverityLow, checks.OwnerYou, env.GOOS
	r = r.WithParam("os", env.GOOS)
	if p := env.Target.Browser.Path; p != "" {
		r = r.With("browser_path", p)
	}
	return r
}

// closeBy is how long close may wait for the cleanup: up to the check's
// deadline (the runner gives up shortly after it), never less than
// minCloseWait; what is left continues in the background.
func closeBy(ctx context.Context) time.Time {
	dl, ok := ctx.Deadline()
	if ctx.Err() != nil {
		dl = time.Now() // cancelled or past: nobody waits for us
	} else if !ok {
		dl = time.Now().Add(closeWait)
	}
	return laterOf(dl, time.Now().Add(minCloseWait))
}

// pageDeadline is when the page's work must stop so that screenshot,
// close and cleanup still fit before ctx's deadline and a page that never
// loads is still reported in time; with short deadlines a quarter of the
// time left is kept instead.
func pageDeadline(ctx context.Context, now time.Time) time.Time {
	return checks.Budget{Reserve: checks.BrowserReserve, Share: 4}.Deadline(ctx, now)
}

// launchDeadline is when Chrome must be up: StartAllowance after the
// check started, and never so late that the check's deadline leaves no
// time to say so.
func launchDeadline(ctx context.Context, started time.Time) time.Time {
	by := started.Add(StartAllowance)
	if dl, ok := ctx.Deadline(); ok {
		by = earlierOf(by, pageDeadline(ctx, started))
		by = earlierOf(by, dl)
	}
	return by
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// pageTime is the page's own budget once Chrome runs: the run's
// check_timeout.
func pageTime(env *checks.Env) time.Duration {
	if d := env.Target.CheckTimeout; d > 0 {
		return d
	}
	return checks.DefaultCheckTimeout
}

// slowStart is the CHECK_ERROR of a Chrome that did not start in time:
// the computer's (or this tool's) limit, which says nothing about the
// page or the network.
func (v *visit) slowStart() checks.Result {
	took := time.Since(v.started)
	v.ev["launch_ms"] = took.Milliseconds()
	v.ev["launch_limit_s"] = seconds(StartAllowance)
	r := v.errored(fmt.Sprintf("Chrome did not start within %s s (the computer is busy?); the login page was not checked, which says nothing about the page or the network", seconds(took)))
	return r.With("cause", "browser_start")
}

// visit is one run of the check: launch, load, probe, screenshot.
type visit struct {
	check *pageCheck
	env   *checks.Env
	bin   string
	// s is the run's own browser, or pool and lease the pool's.
	s     *session
	pool  *Pool
	lease *lease
	// browser and proc are the browser in use, whichever way it came.
	browser *rod.Browser
	proc    *chromeProc
	started time.Time
	page    *rod.Page
	obs     *observer
	ev      map[string]any
	out     outcome
	shot    []byte
	// mem watches the browser's memory once it runs (nil before).
	mem *memWatch
}

func (v *visit) run(ctx context.Context) checks.Result {
	t := v.env.Target
	sel := t.Browser.LoginFormSelector
	if sel == "" {
		sel = DefaultSelector
	}
	v.out = outcome{Host: t.URL.Host, Selector: sel, NoPopupBlocker: device.IsHeadlessShell(v.bin)}
	v.ev = map[string]any{"browser_path": v.bin, "login_form_selector": sel}

	lctx, lcancel := context.WithDeadline(ctx, launchDeadline(ctx, v.started))
	defer lcancel()
	route, rerr := v.env.Route(lctx, t.URL)
	if rerr != nil {
		v.ev["route_error"] = rerr.Error()
		route = checks.Route{Source: checks.SourceDirect}
	}
	v.ev["route"] = route.String()
	spec := launchSpec{Bin: v.bin, Route: route, Prefs: v.check.prefs, HostRules: v.env.BrowserHostRules}
	if err := v.open(lctx, spec); err != nil {
		if launchTimedOut(err) || lctx.Err() != nil {
			return v.slowStart()
		}
		return v.errored("could not start the browser: " + err.Error())
	}
	launched := time.Now()
	v.ev["launch_ms"] = launched.Sub(v.started).Milliseconds()
	// The page's budget starts now that Chrome is up: the check's
	// check_timeout from here, within the check's (and so the run's) deadline.
	bctx, bcancel := context.WithDeadline(ctx, launched.Add(pageTime(v.env)))
	defer bcancel()
	deadline := pageDeadline(bctx, launched)
	pctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	v.out.Seconds = seconds(deadline.Sub(launched))
	// Calls on the browser were bound to the launch's context; from here
	// they run in the page's.
	v.browser = v.browser.Context(pctx)
	defer v.watchMemory(pctx, cancel)()
	if v.check.hook != nil {
		v.check.hook("launched")
	}
	if ver, err := v.browser.Version(); err == nil {
		v.ev["browser_version"] = ver.Product
	}
	if err := v.load(pctx, route); err != nil {
		r := v.errored(err.Error())
		if errors.Is(err, errBrowserSlow) {
			r = r.With("cause", "browser_start")
		}
		return r
	}
	if !v.out.TimedOut && v.out.NavError == "" {
		if err := v.settle(pctx, sel); err != nil {
			return v.errored(err.Error())
		}
	}
	if v.mem.overMB.Load() == 0 {
		v.afterPage(ctx)
	}
	return v.result()
}

// open starts the run's own browser, or borrows one from the pool and
// opens a fresh incognito context in it.
func (v *visit) open(ctx context.Context, spec launchSpec) error {
	t := v.env.Target
	if v.pool != nil {
		req := poolRequest{spec: spec, caFile: t.CAFile}
		if t.CAFile != "" {
			req.realHome = v.realHome()
		}
		l, err := v.pool.take(ctx, req)
		if err != nil {
			return err
		}
		v.lease, v.browser, v.proc = l, l.browser, l.proc
		if l.in.caNote != "" {
			v.ev["ca_file"] = l.in.caNote
		}
		v.ev["browser_warm"] = l.warm
		return nil
	}
	if t.CAFile != "" {
		home, note := trustCA(ctx, t.CAFile, v.s.root, v.realHome(), v.check.certutil)
		spec.Home = home
		v.ev["ca_file"] = note
	}
	if err := v.s.start(ctx, spec); err != nil {
		return err
	}
	v.browser, v.proc = v.s.browser, v.s.proc
	return nil
}

// watchMemory bounds the browser's memory while the page runs: past the
// cap the browser is killed and the page's work ends (cancel). It returns
// the function that stops the watch.
func (v *visit) watchMemory(ctx context.Context, cancel context.CancelFunc) func() {
	v.mem = &memWatch{capMB: treeCapMB, procCapMB: heapCapMB}
	done := make(chan struct{})
	wctx, stop := context.WithCancel(ctx)
	go func() {
		defer close(done)
		v.mem.run(wctx, v.proc.pid(), v.proc.kill, cancel)
	}()
	return func() { stop(); <-done }
}

// load opens about:blank, arms the observers, then navigates.
func (v *visit) load(ctx context.Context, route checks.Route) error {
	p, err := v.browser.Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		return v.tabError(ctx, err)
	}
	v.page = p
	if err := p.Context(ctx).SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: viewportW, Height: viewportH, DeviceScaleFactor: 1}); err != nil {
		return v.tabError(ctx, err)
	}
	v.obs = newObserver(p.FrameID, time.Now)
	handlers := v.obs.handlers()
	if u := route.Proxy; u != nil && u.User != nil {
		pw, _ := u.User.Password()
		a, err := armProxyAuth(p.Context(ctx), u.User.Username(), pw)
		if err != nil {
			return v.tabError(ctx, err)
		}
		handlers = append(handlers, a.handlers()...)
	}
	go p.Context(ctx).EachEvent(handlers...)()
	if err := armPopups(p.Context(ctx)); err != nil {
		return v.tabError(ctx, err)
	}
	navStart := time.Now()
	err = p.Context(ctx).Navigate(v.env.Target.URL.String())
	v.ev["navigate_ms"] = time.Since(navStart).Milliseconds()
	var nav *rod.NavigationError
	switch {
	case errors.As(err, &nav):
		v.out.NavError = nav.Reason
		v.out.NavHost = v.failedHost()
	case err != nil && ctx.Err() != nil:
		v.out.TimedOut, v.out.Phase = true, "navigate"
	case err != nil:
		return fmt.Errorf("browser: navigate: %w", err)
	}
	return nil
}

// errBrowserSlow: Chrome did not open and prepare a tab within the page's
// budget — the computer's limit, not the page's.
var errBrowserSlow = errors.New("Chrome did not open a tab in time (the computer is busy?); the login page was not checked, which says nothing about the page or the network")

// tabError is a failure to prepare the tab: errBrowserSlow when ctx ended.
func (v *visit) tabError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errBrowserSlow
	}
	return fmt.Errorf("browser: preparing the tab: %w", err)
}

// failedHost is the host whose navigation failed (the last hop's).
func (v *visit) failedHost() string {
	st := v.obs.snapshot()
	if st.NavFailed != nil && st.NavFailed.Host != "" {
		return st.NavFailed.Host
	}
	if n := len(st.Hops); n > 0 {
		return st.Hops[n-1].Host
	}
	return v.env.Target.URL.Host
}

// settle waits for "load", then for the form: until it appears, or the
// network has been quiet and formWait has passed since load (a script may
// draw the form late), or the page deadline.
func (v *visit) settle(ctx context.Context, sel string) error {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !v.obs.snapshot().Loaded {
		if v.obs.snapshot().Crashed {
			return nil
		}
		select {
		case <-ctx.Done():
			v.out.TimedOut, v.out.Phase = true, "load"
			return nil
		case <-tick.C:
		}
	}
	loaded := time.Now()
	v.ev["load_ms"] = loaded.Sub(v.started).Milliseconds()
	for {
		if v.obs.snapshot().Crashed {
			return nil
		}
		found, err := hasForm(ctx, v.page, sel)
		var evalErr *rod.EvalError
		switch {
		case errors.As(err, &evalErr):
			return fmt.Errorf("browser.login_form_selector %q is not a valid CSS selector: %w", sel, err)
		case found:
			v.out.FormRan, v.out.FormSeen = true, true
			return nil
		}
		if err == nil && v.quiet() && time.Since(loaded) >= formWait {
			v.out.FormRan = true
			return nil
		}
		select {
		case <-ctx.Done():
			if v.quiet() { // loaded, network quiet, still no form: there is none
				v.out.FormRan = true
				return nil
			}
			v.out.TimedOut, v.out.Phase = true, "scripts"
			return nil
		case <-tick.C:
		}
	}
}

// quiet reports whether the page's network has been idle for settleIdle.
func (v *visit) quiet() bool { return v.obs.snapshot().Quiet >= settleIdle }

// afterPage probes cookies and takes the screenshot, within shotWait past
// the page deadline but never past the check's own.
func (v *visit) afterPage(ctx context.Context) {
	if v.page == nil {
		return
	}
	actx, cancel := context.WithTimeout(ctx, shotWait)
	defer cancel()
	url := pageURL(actx, v.page)
	v.ev["final_url"] = url
	if v.out.NavError == "" && (hasScheme(url, "http") || hasScheme(url, "https")) {
		if c, err := probeCookies(actx, v.page); err == nil {
			v.out.Cookies = &c
			v.ev["cookies"] = map[string]any{"origin": c.Origin, "cookie_enabled": c.Enabled, "round_trip": c.RoundTrip, "error": c.Error}
		}
	}
	if b, err := v.page.Context(actx).Screenshot(false, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng}); err == nil {
		v.shot = b
	} else {
		v.ev["screenshot_error"] = err.Error()
	}
}

func hasScheme(u, scheme string) bool {
	return len(u) > len(scheme)+3 && u[:len(scheme)+3] == scheme+"://"
}

// result picks the most fundamental finding and attaches the evidence.
func (v *visit) result() checks.Result {
	if v.obs != nil {
		v.out.State = v.obs.snapshot()
	}
	if v.mem != nil {
		v.out.MemoryMB, v.out.PeakMB = v.mem.overMB.Load(), v.mem.peakMB.Load()
		if v.out.PeakMB > 0 {
			v.ev["browser_peak_mb"] = v.out.PeakMB
		}
	}
	fs := verdict(v.out)
	var r checks.Result
	if f, ok := pick(fs); ok {
		r = checks.Finding(f.status, f.code, f.sev, f.owner, f.summary)
		r.Params, r.Variant = f.params, f.variant
	} else {
		r = checks.Pass(fmt.Sprintf("the login page of %s loaded in the browser; login form found; cookies work", v.out.Host))
		r = r.WithParam("host", v.out.Host)
	}
	v.addEvidence(fs)
	r.Evidence = v.ev
	if len(v.shot) > 0 {
		r.Attachments = []checks.Attachment{{Name: "screenshot.png", MIME: "image/png", Data: v.shot}}
	}
	return r
}

// pick returns the first failing finding, else the first warning.
func pick(fs []finding) (finding, bool) {
	for _, f := range fs {
		if f.status == checks.StatusFail {
			return f, true
		}
	}
	if len(fs) > 0 {
		return fs[0], true
	}
	return finding{}, false
}

func (v *visit) addEvidence(fs []finding) {
	st := v.out.State
	if len(fs) > 0 {
		v.ev["findings"] = evidenceOf(fs)
	}
	if v.out.TimedOut {
		v.ev["timeout_phase"] = v.out.Phase
		v.ev["page_budget_s"] = v.out.Seconds
	}
	if v.out.NavError != "" {
		v.ev["navigation_error"] = v.out.NavError
	}
	if v.out.FormRan {
		v.ev["login_form_found"] = v.out.FormSeen
	}
	if len(st.Hops) > 0 {
		hops := make([]map[string]any, 0, len(st.Hops))
		for _, h := range st.Hops {
			hops = append(hops, map[string]any{"url": h.URL, "host": h.Host, "status": h.Status, "ms": h.MS})
		}
		v.ev["hops"] = hops
	}
	if len(st.Pending) > 0 && v.out.TimedOut {
		v.ev["pending_requests"] = st.Pending
	}
	if len(st.Errors) > 0 {
		errs := make([]string, 0, len(st.Errors))
		for _, e := range st.Errors {
			errs = append(errs, fmt.Sprintf("%s (%s line %d)", e.Message, e.Source, e.Line))
		}
		v.ev["js_errors"] = errs
	}
	if len(st.Resources) > 0 {
		rs := make([]string, 0, len(st.Resources))
		for _, r := range st.Resources {
			what := r.Reason
			if r.Status != 0 {
				what = fmt.Sprintf("HTTP %d", r.Status)
			}
			rs = append(rs, fmt.Sprintf("%s %s: %s", r.Type, r.URL, what))
		}
		v.ev["failed_resources"] = rs
	}
	if len(st.Cookies) > 0 {
		cs := make([]string, 0, len(st.Cookies))
		for _, c := range st.Cookies {
			cs = append(cs, fmt.Sprintf("%s from %s: %v", c.Name, c.Host, c.Reasons))
		}
		v.ev["rejected_cookies"] = cs
	}
	if len(st.Popups) > 0 {
		ps := make([]string, 0, len(st.Popups))
		for _, p := range st.Popups {
			state := "opened"
			if p.Blocked {
				state = "blocked"
			}
			ps = append(ps, fmt.Sprintf("%s: %s (after a click: %t)", p.URL, state, p.Gesture))
		}
		v.ev["popups"] = ps
	}
	v.ev["duration_ms"] = time.Since(v.started).Milliseconds()
}

// errored is a CHECK_ERROR that still carries the evidence gathered.
func (v *visit) errored(msg string) checks.Result {
	r := checks.Errored(msg)
	r.Evidence = v.ev
	return r
}

// realHome is the user's HOME (whose NSS database ca_file adds to).
func (v *visit) realHome() string {
	if v.env.Getenv != nil {
		if h := v.env.Getenv("HOME"); h != "" {
			return h
		}
	}
	h, _ := os.UserHomeDir()
	return h
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1f", d.Seconds())
}
