package browser

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod/lib/proto"
)

// Limits on what the observer keeps from a hostile page.
const (
	maxKept    = 8   // findings of each kind
	maxMessage = 200 // characters of an exception message
)

// hop is one step of the main frame's redirect chain.
type hop struct {
	URL    string // scheme://host/path, never the query
	Host   string
	Status int
	start  proto.MonotonicTime
	MS     int64
}

// jsError is an uncaught exception.
type jsError struct {
	Message string
	Source  string // scheme://host/path of the script, or the page
	Line    int
}

// resourceIssue is a script or stylesheet (or the page) that did not load.
type resourceIssue struct {
	URL    string
	Host   string
	Type   proto.NetworkResourceType
	Status int    // HTTP status ≥ 400, or 0 when the load failed
	Reason string // net::ERR_… or the blocked reason
}

// cookieIssue is a Set-Cookie that Chrome refused.
type cookieIssue struct {
	Name    string // the cookie's name, never its value
	Host    string
	Reasons []string
}

// popupCall is one window.open seen by our wrapper.
type popupCall struct {
	URL     string `json:"url"`
	Blocked bool   `json:"blocked"`
	Gesture bool   `json:"gesture"`
}

type request struct {
	url   string
	typ   proto.NetworkResourceType
	frame proto.PageFrameID
}

// observer collects what the page does, from CDP events. Its handlers run
// in rod's event goroutine; the check reads it through snapshot.
type observer struct {
	mu        sync.Mutex
	mainFrame proto.PageFrameID
	requests  map[proto.NetworkRequestID]request
	status    map[proto.NetworkRequestID]int // error statuses from ExtraInfo
	inflight  map[proto.NetworkRequestID]bool
	quietFrom time.Time // when inflight last became empty
	now       func() time.Time
	hops      []hop
	hopIdx    map[proto.NetworkRequestID]int // current hop of a document request
	loaded    bool
	navFailed *resourceIssue
	errors    []jsError
	resources []resourceIssue
	cookies   []cookieIssue
	// pendingCookies are ExtraInfo events seen before their request.
	pendingCookies map[proto.NetworkRequestID][]*proto.NetworkBlockedSetCookieWithReason
	popups         []popupCall
	crashed        bool
}

func newObserver(mainFrame proto.PageFrameID, now func() time.Time) *observer {
	return &observer{
		mainFrame:      mainFrame,
		requests:       map[proto.NetworkRequestID]request{},
		status:         map[proto.NetworkRequestID]int{},
		inflight:       map[proto.NetworkRequestID]bool{},
		hopIdx:         map[proto.NetworkRequestID]int{},
		pendingCookies: map[proto.NetworkRequestID][]*proto.NetworkBlockedSetCookieWithReason{},
		now:            now,
		quietFrom:      now(),
	}
}

// handlers are the callbacks for page.EachEvent.
func (o *observer) handlers() []any {
	return []any{
		o.onRequest, o.onResponse, o.onFinished, o.onFailed, o.onExtraInfo,
		o.onException, o.onBinding, o.onLoad, o.onCrash,
	}
}

// tracked says whether a request counts for "the page is still busy":
// long-lived streams never finish and must not hold the page open.
func tracked(t proto.NetworkResourceType) bool {
	switch t {
	case proto.NetworkResourceTypeEventSource, proto.NetworkResourceTypeWebSocket,
		proto.NetworkResourceTypePing, proto.NetworkResourceTypeCSPViolationReport:
		return false
	}
	return true
}

func (o *observer) onRequest(e *proto.NetworkRequestWillBeSent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u := e.Request.URL
	o.requests[e.RequestID] = request{url: u, typ: e.Type, frame: e.FrameID}
	if tracked(e.Type) {
		o.inflight[e.RequestID] = true
	}
	o.claimStatus(e.RequestID)
	o.claimCookies(e.RequestID)
	if e.Type != proto.NetworkResourceTypeDocument || e.FrameID != o.mainFrame {
		return
	}
	if i, ok := o.hopIdx[e.RequestID]; ok && e.RedirectResponse != nil {
		o.hops[i].Status = e.RedirectResponse.Status
		o.hops[i].MS = elapsedMS(o.hops[i].start, e.Timestamp)
	}
	if len(o.hops) < 4*maxKept {
		o.hops = append(o.hops, hop{URL: redact(u), Host: hostOf(u), start: e.Timestamp})
		o.hopIdx[e.RequestID] = len(o.hops) - 1
	}
}

func (o *observer) onResponse(e *proto.NetworkResponseReceived) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if i, ok := o.hopIdx[e.RequestID]; ok {
		o.hops[i].Status = e.Response.Status
		o.hops[i].MS = elapsedMS(o.hops[i].start, e.Timestamp)
	}
	if e.Response.Status >= 400 && subresource(e.Type) && !isFavicon(e.Response.URL) {
		o.addResource(resourceIssue{URL: redact(e.Response.URL), Host: hostOf(e.Response.URL), Type: e.Type,
			Status: e.Response.Status, Reason: e.Response.StatusText})
	}
}

func (o *observer) onFinished(e *proto.NetworkLoadingFinished) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done(e.RequestID)
}

func (o *observer) onFailed(e *proto.NetworkLoadingFailed) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done(e.RequestID)
	req := o.requests[e.RequestID]
	if e.Canceled && e.BlockedReason == "" {
		return // navigated away, or stopped by us
	}
	reason := e.ErrorText
	if e.BlockedReason != "" {
		reason += " (" + string(e.BlockedReason) + ")"
	}
	issue := resourceIssue{URL: redact(req.url), Host: hostOf(req.url), Type: e.Type, Reason: reason}
	switch {
	case e.Type == proto.NetworkResourceTypeDocument && req.frame == o.mainFrame:
		o.navFailed = &issue
	case subresource(e.Type) && !isFavicon(req.url):
		o.addResource(issue)
	}
}

func (o *observer) done(id proto.NetworkRequestID) {
	if o.inflight[id] {
		delete(o.inflight, id)
		if len(o.inflight) == 0 {
			o.quietFrom = o.now()
		}
	}
}

func (o *observer) addResource(r resourceIssue) {
	for _, have := range o.resources {
		if have.URL == r.URL {
			return
		}
	}
	if len(o.resources) < maxKept {
		o.resources = append(o.resources, r)
	}
}

func (o *observer) onExtraInfo(e *proto.NetworkResponseReceivedExtraInfo) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e.StatusCode >= 400 {
		o.status[e.RequestID] = e.StatusCode
		o.claimStatus(e.RequestID)
	}
	if len(e.BlockedCookies) == 0 {
		return
	}
	o.pendingCookies[e.RequestID] = append(o.pendingCookies[e.RequestID], e.BlockedCookies...)
	o.claimCookies(e.RequestID)
}

// claimStatus records a script or style answered with an error status.
// Chrome aborts a style sheet answered with an error page before any
// responseReceived; only the ExtraInfo event carries its status, and it
// may come before or after the request's other events.
func (o *observer) claimStatus(id proto.NetworkRequestID) {
	req, ok := o.requests[id]
	code := o.status[id]
	if !ok || code == 0 || !subresource(req.typ) || isFavicon(req.url) {
		return
	}
	o.addResource(resourceIssue{URL: redact(req.url), Host: hostOf(req.url), Type: req.typ,
		Status: code, Reason: http.StatusText(code)})
}

// claimCookies turns blocked cookies of a known request into issues.
func (o *observer) claimCookies(id proto.NetworkRequestID) {
	req, ok := o.requests[id]
	blocked := o.pendingCookies[id]
	if !ok || len(blocked) == 0 {
		return
	}
	delete(o.pendingCookies, id)
	for _, b := range blocked {
		if len(o.cookies) >= maxKept {
			return
		}
		reasons := make([]string, 0, len(b.BlockedReasons))
		for _, r := range b.BlockedReasons {
			reasons = append(reasons, string(r))
		}
		o.cookies = append(o.cookies, cookieIssue{Name: cookieName(b), Host: hostOf(req.url), Reasons: reasons})
	}
}

func (o *observer) onException(e *proto.RuntimeExceptionThrown) {
	d := e.ExceptionDetails
	if d == nil {
		return
	}
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg = d.Exception.Description
	}
	msg, _, _ = strings.Cut(msg, "\n") // the first line, without the stack
	src := d.URL
	if src == "" && d.StackTrace != nil && len(d.StackTrace.CallFrames) > 0 {
		src = d.StackTrace.CallFrames[0].URL
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.errors) < maxKept {
		o.errors = append(o.errors, jsError{Message: clip(msg, maxMessage), Source: redact(src), Line: d.LineNumber + 1})
	}
}

func (o *observer) onBinding(e *proto.RuntimeBindingCalled) {
	if e.Name != popupBinding {
		return
	}
	var p popupCall
	if json.Unmarshal([]byte(clip(e.Payload, 4096)), &p) != nil {
		return
	}
	p.URL = redact(p.URL)
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.popups) < maxKept {
		o.popups = append(o.popups, p)
	}
}

func (o *observer) onLoad(*proto.PageLoadEventFired) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.loaded = true
}

// onCrash notes that the tab's renderer died (a script past the heap cap,
// most likely).
func (o *observer) onCrash(*proto.InspectorTargetCrashed) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.crashed = true
}

// state is a copy of what the observer saw so far.
type state struct {
	Loaded    bool
	Quiet     time.Duration // how long no tracked request has been open
	Pending   []string      // open requests (redacted URLs)
	Hops      []hop
	NavFailed *resourceIssue
	Errors    []jsError
	Resources []resourceIssue
	Cookies   []cookieIssue
	Popups    []popupCall
	Crashed   bool // the tab's renderer died
}

func (o *observer) snapshot() state {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := state{
		Loaded:    o.loaded,
		Hops:      append([]hop(nil), o.hops...),
		NavFailed: o.navFailed,
		Errors:    append([]jsError(nil), o.errors...),
		Resources: append([]resourceIssue(nil), o.resources...),
		Cookies:   append([]cookieIssue(nil), o.cookies...),
		Popups:    append([]popupCall(nil), o.popups...),
		Crashed:   o.crashed,
	}
	if len(o.inflight) == 0 {
		s.Quiet = o.now().Sub(o.quietFrom)
	}
	for id := range o.inflight {
		if len(s.Pending) < maxKept {
			s.Pending = append(s.Pending, redact(o.requests[id].url))
		}
	}
	return s
}

// subresource says whether a failed load of type t breaks the page the
// way a blocked script or style does.
func subresource(t proto.NetworkResourceType) bool {
	return t == proto.NetworkResourceTypeScript || t == proto.NetworkResourceTypeStylesheet
}

func isFavicon(u string) bool {
	return strings.Contains(strings.ToLower(u), "favicon")
}

func elapsedMS(from, to proto.MonotonicTime) int64 {
	if to < from {
		return 0
	}
	return int64((float64(to) - float64(from)) * 1000)
}

// redact keeps scheme://host/path: queries and fragments of SSO hops carry
// codes and state tokens, user info carries credentials.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			raw = raw[:i]
		}
		return clip(raw, 200)
	}
	return clip(u.Scheme+"://"+u.Host+u.EscapedPath(), 200)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// cookieName is the name of a refused cookie, never its value.
func cookieName(b *proto.NetworkBlockedSetCookieWithReason) string {
	if b.Cookie != nil && b.Cookie.Name != "" {
		return clip(b.Cookie.Name, 64)
	}
	name, _, _ := strings.Cut(b.CookieLine, "=")
	return clip(strings.TrimSpace(name), 64)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
