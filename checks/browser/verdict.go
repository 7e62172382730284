package browser

import (
	"fmt"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// Reason codes of browser.page (docs/reason-codes.md, README's table).
const (
	CodeUnavailable     = "BROWSER_UNAVAILABLE"
	CodeCertError       = "BROWSER_CERT_ERROR"
	CodeJSError         = "BROWSER_JS_ERROR"
	CodeResourceBlocked = "BROWSER_RESOURCE_BLOCKED"
	CodeCookiesDisabled = "BROWSER_COOKIES_DISABLED"
	CodeCookieRejected  = "BROWSER_COOKIE_REJECTED"
	CodePopupBlocked    = "BROWSER_POPUP_BLOCKED"
	CodeNoLoginForm     = "BROWSER_NO_LOGIN_FORM"
	CodeTimeout         = "BROWSER_TIMEOUT"
)

// outcome is everything one visit established, for verdict.
type outcome struct {
	Host     string // the login URL's host (Params.host)
	Selector string
	Seconds  string // the page deadline, for BROWSER_TIMEOUT
	// NavError is Chrome's net::ERR_… for the page itself ("" if none).
	NavError string
	NavHost  string // the host the failing navigation was for
	// TimedOut: the page did not load/settle before its deadline; Phase
	// says where ("launch", "navigate", "load", "scripts").
	TimedOut bool
	Phase    string
	State    state
	Cookies  *cookieProbe // nil when the probe could not run
	FormSeen bool
	FormRan  bool // the form check ran (the page loaded far enough)
	// MemoryMB is what the browser used when it was killed for passing
	// the memory cap (0: it was not); PeakMB the most it was seen using.
	MemoryMB, PeakMB int64
	// NoPopupBlocker: the browser blocks no pop-ups (Chrome's headless
	// shell); one opened without a click counts as Chrome would block it.
	NoPopupBlocker bool
}

// finding is one fault, before the most fundamental is chosen.
type finding struct {
	code    string
	sev     checks.Severity
	owner   checks.Owner
	status  checks.Status
	summary string
	params  map[string]string
	variant string // fix-step variant ("" = the default steps)
}

// verdict turns an outcome into findings, most fundamental first: a
// certificate error or a page that never loaded hides everything else;
// cookies switched off and blocked scripts cause script errors and missing
// forms; a blocked pop-up explains a missing form.
func verdict(o outcome) []finding {
	var fs []finding
	add := func(f finding) { fs = append(fs, f) }
	if o.NavError != "" {
		add(navFinding(o))
	}
	outOfMemory := o.MemoryMB > 0 || o.State.Crashed
	if outOfMemory {
		add(memoryFinding(o))
	}
	if o.TimedOut && !outOfMemory { // stopped by us, not slow
		add(timeoutFinding(o))
	}
	rejected, byUser := splitCookies(o.State.Cookies)
	if c := o.Cookies; c != nil && (!c.Enabled || !c.RoundTrip) {
		add(cookiesFinding(o, *c))
	} else if len(byUser) > 0 {
		add(cookiesFinding(o, cookieProbe{Origin: "(Set-Cookie)", Enabled: false, Error: "blocked by the browser's cookie setting"}))
	}
	for _, r := range o.State.Resources {
		add(resourceFinding(o, r))
		break // the first names the host; the rest go to evidence
	}
	if len(rejected) > 0 {
		c := rejected[0]
		add(finding{code: CodeCookieRejected, sev: checks.SeverityHigh, owner: checks.OwnerAdmin, status: checks.StatusFail,
			summary: fmt.Sprintf("Chrome refused the cookie %q set by %s: %s", c.Name, c.Host, strings.Join(c.Reasons, ", ")),
			params:  map[string]string{"host": c.Host, "cookie": c.Name, "reason": strings.Join(c.Reasons, ", ")}})
	}
	if len(o.State.Errors) > 0 {
		add(jsFinding(o, o.State.Errors[0]))
	}
	for _, p := range o.State.Popups {
		wouldBlock := !p.Blocked && o.NoPopupBlocker && !p.Gesture
		if !p.Blocked && !wouldBlock {
			continue
		}
		summary := fmt.Sprintf("the login page opened a pop-up window (%s) and Chrome's pop-up blocker stopped it", hostOf(p.URL))
		if wouldBlock {
			summary = fmt.Sprintf("the login page opened a pop-up window (%s) without a click: Chrome's pop-up blocker stops such windows", hostOf(p.URL))
		}
		add(finding{code: CodePopupBlocked, sev: checks.SeverityHigh, owner: checks.OwnerYou, status: checks.StatusFail,
			summary: summary, params: map[string]string{"host": o.Host, "popup_host": hostOf(p.URL)}})
		break
	}
	if o.FormRan && !o.FormSeen {
		add(finding{code: CodeNoLoginForm, sev: checks.SeverityHigh, owner: checks.OwnerAdmin, status: checks.StatusFail,
			summary: fmt.Sprintf("no element matching %q on the page after its scripts ran", o.Selector),
			params:  map[string]string{"host": o.Host, "selector": o.Selector}})
	}
	return fs
}

// splitCookies separates cookies the site got wrong from cookies refused
// only because the browser's own setting blocks cookies ("UserPreferences"):
// those are the user's fix, not the site's.
func splitCookies(cs []cookieIssue) (rejected, byUser []cookieIssue) {
	for _, c := range cs {
		if len(c.Reasons) == 1 && c.Reasons[0] == "UserPreferences" {
			byUser = append(byUser, c)
		} else {
			rejected = append(rejected, c)
		}
	}
	return rejected, byUser
}

func navFinding(o outcome) finding {
	host := o.NavHost
	if host == "" {
		host = o.Host
	}
	code := strings.TrimPrefix(o.NavError, "net::")
	if strings.HasPrefix(code, "ERR_CERT_") || strings.HasPrefix(code, "ERR_SSL_") {
		owner := checks.OwnerAdmin
		if code == "ERR_CERT_AUTHORITY_INVALID" {
			owner = checks.OwnerIT // a missing company CA or an intercepting proxy
		}
		return finding{code: CodeCertError, sev: checks.SeverityCritical, owner: owner, status: checks.StatusFail,
			summary: fmt.Sprintf("Chrome refused the certificate of %s: %s", host, code),
			params:  map[string]string{"host": host, "error": code}}
	}
	if code == "ERR_TIMED_OUT" || code == "ERR_CONNECTION_TIMED_OUT" {
		return finding{code: CodeTimeout, sev: checks.SeverityHigh, owner: checks.OwnerIT, status: checks.StatusFail,
			summary: fmt.Sprintf("Chrome timed out loading %s (%s)", host, code),
			params:  map[string]string{"host": host, "seconds": o.Seconds, "waiting_for": host}}
	}
	return finding{code: CodeResourceBlocked, sev: checks.SeverityCritical, owner: checks.OwnerIT, status: checks.StatusFail,
		summary: fmt.Sprintf("Chrome could not open the page at %s: %s", host, code),
		params:  map[string]string{"host": host, "resource": host, "reason": code}}
}

// memoryFinding is a page whose scripts took more memory than any login
// page needs: the site's program is at fault (a script error to its
// administrator), not the network (a timeout would send IT looking there).
func memoryFinding(o outcome) finding {
	msg := fmt.Sprintf("the page's scripts kept allocating memory: the browser used %d MB, past the limit (%d MB for the page, %d MB in all), and was stopped", o.MemoryMB, heapCapMB, treeCapMB)
	if o.MemoryMB == 0 {
		msg = fmt.Sprintf("the page's tab crashed in Chrome, most likely because its scripts went past the %d MB memory limit", heapCapMB)
	}
	return finding{code: CodeJSError, sev: checks.SeverityHigh, owner: checks.OwnerAdmin, status: checks.StatusFail,
		summary: "the login page's script failed: " + msg,
		params:  map[string]string{"host": o.Host, "message": msg, "source": o.Host}}
}

func timeoutFinding(o outcome) finding {
	waiting := o.Host
	if len(o.State.Pending) > 0 {
		waiting = strings.TrimPrefix(strings.TrimPrefix(o.State.Pending[0], "https://"), "http://")
	}
	what := map[string]string{
		"launch":   "Chrome did not start",
		"navigate": "the page did not answer",
		"load":     "the page did not finish loading",
		"scripts":  "the page's scripts were still waiting for the network",
	}[o.Phase]
	if what == "" {
		what = "the page did not load"
	}
	return finding{code: CodeTimeout, sev: checks.SeverityHigh, owner: checks.OwnerIT, status: checks.StatusFail,
		summary: fmt.Sprintf("%s after %s s (waiting for %s)", what, o.Seconds, waiting),
		params:  map[string]string{"host": o.Host, "seconds": o.Seconds, "waiting_for": waiting}}
}

func cookiesFinding(o outcome, c cookieProbe) finding {
	owner, why, variant := checks.OwnerYou, "cookies are switched off in this browser", ""
	if c.Opaque() {
		owner, why, variant = checks.OwnerAdmin, "the page is sandboxed (no origin of its own), so it cannot use cookies", "site"
	}
	detail := fmt.Sprintf("navigator.cookieEnabled=%t, cookie round trip=%t", c.Enabled, c.RoundTrip)
	if c.Error != "" {
		detail += ", document.cookie threw " + c.Error
	}
	return finding{code: CodeCookiesDisabled, sev: checks.SeverityCritical, owner: owner, status: checks.StatusFail,
		summary: fmt.Sprintf("the login page at %s cannot store cookies: %s (%s)", o.Host, why, detail),
		params:  map[string]string{"host": o.Host}, variant: variant}
}

func resourceFinding(o outcome, r resourceIssue) finding {
	kind := map[string]string{"Script": "script", "Stylesheet": "style sheet"}[string(r.Type)]
	if kind == "" {
		kind = "file"
	}
	owner, sev := checks.OwnerIT, checks.SeverityHigh
	what := r.Reason
	if r.Status != 0 {
		what = fmt.Sprintf("HTTP %d", r.Status)
		if r.Status != 403 && r.Host == o.Host {
			owner = checks.OwnerAdmin // the site's own file is missing or broken
		}
	}
	return finding{code: CodeResourceBlocked, sev: sev, owner: owner, status: checks.StatusFail,
		summary: fmt.Sprintf("a %s the login page needs from %s did not load (%s): the typical ad-blocker, firewall or proxy symptom", kind, r.Host, what),
		params:  map[string]string{"host": r.Host, "resource": r.URL, "reason": what}}
}

func jsFinding(o outcome, e jsError) finding {
	status, sev := checks.StatusWarn, checks.SeverityLow
	if o.FormRan && !o.FormSeen {
		status, sev = checks.StatusFail, checks.SeverityHigh // the error broke the form
	}
	src := e.Source
	if src == "" {
		src = o.Host
	}
	return finding{code: CodeJSError, sev: sev, owner: checks.OwnerAdmin, status: status,
		summary: fmt.Sprintf("the login page's script failed: %s (%s line %d)", e.Message, src, e.Line),
		params:  map[string]string{"host": o.Host, "message": e.Message, "source": src}}
}

// evidenceOf lists the findings for the helpdesk, each as code: summary.
func evidenceOf(fs []finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.code+": "+f.summary)
	}
	return out
}
