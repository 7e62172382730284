package browser

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
)

// popupBinding is the CDP binding our window.open wrapper reports to.
// Bindings survive navigations, so pop-ups opened by any hop are seen.
const popupBinding = "__logindoctorPopup"

// popupWrapper is injected into every document before its scripts: it
// reports each window.open call and whether Chrome's pop-up blocker
// stopped it (window.open returns null), without changing the page.
const popupWrapper = `(() => {
  const open = window.open;
  if (typeof open !== "function" || typeof ` + popupBinding + ` !== "function") return;
  const report = ` + popupBinding + `;
  window.open = function (...args) {
    const w = open.apply(this, args);
    try {
      const gesture = !!(navigator.userActivation && navigator.userActivation.isActive);
      report(JSON.stringify({url: String(new URL(args[0] || "about:blank", location.href)), blocked: w === null, gesture}));
    } catch (e) {}
    return w;
  };
})()`

// armPopups installs the binding and the wrapper for documents to come.
func armPopups(p *rod.Page) error {
	if err := (proto.RuntimeAddBinding{Name: popupBinding}).Call(p); err != nil {
		return fmt.Errorf("browser: add binding: %w", err)
	}
	if _, err := (proto.PageAddScriptToEvaluateOnNewDocument{Source: popupWrapper}).Call(p); err != nil {
		return fmt.Errorf("browser: inject pop-up probe: %w", err)
	}
	return nil
}

// cookieProbe is what the page itself can do with cookies.
type cookieProbe struct {
	Origin    string `json:"origin"`
	Enabled   bool   `json:"enabled"`   // navigator.cookieEnabled
	RoundTrip bool   `json:"roundTrip"` // a cookie written by script reads back
	Error     string `json:"error"`     // the exception document.cookie threw
}

// Opaque reports whether the page has no origin of its own (sandboxed):
// then the page, not the browser setting, forbids cookies.
func (c cookieProbe) Opaque() bool { return c.Origin == "null" }

const cookieJS = `() => {
  const r = {origin: String(self.origin), enabled: !!navigator.cookieEnabled, roundTrip: false, error: ""};
  const k = "logindoctor_probe_" + Math.random().toString(36).slice(2, 10);
  try {
    document.cookie = k + "=1; path=/; SameSite=Lax";
    r.roundTrip = document.cookie.split("; ").indexOf(k + "=1") >= 0;
    document.cookie = k + "=; path=/; max-age=0; SameSite=Lax";
  } catch (e) { r.error = String((e && e.name) || e); }
  return r;
}`

// probeCookies tests a document.cookie round trip on the page's origin.
func probeCookies(ctx context.Context, p *rod.Page) (cookieProbe, error) {
	var c cookieProbe
	res, err := p.Context(ctx).Evaluate(rod.Eval(cookieJS))
	if err != nil {
		return c, fmt.Errorf("browser: cookie probe: %w", err)
	}
	if err := json.Unmarshal([]byte(res.Value.JSON("", "")), &c); err != nil {
		return c, fmt.Errorf("browser: cookie probe result: %w", err)
	}
	return c, nil
}

// formJS finds the selector in the document and its same-origin frames.
const formJS = `(sel) => {
  const seen = new Set();
  const look = (doc, depth) => {
    if (!doc || seen.has(doc) || depth > 3) return false;
    seen.add(doc);
    if (doc.querySelector(sel)) return true;
    for (const f of doc.querySelectorAll("iframe,frame")) {
      let d = null;
      try { d = f.contentDocument; } catch (e) {}
      if (look(d, depth + 1)) return true;
    }
    return false;
  };
  return look(document, 0);
}`

// hasForm reports whether the login form selector matches; an invalid
// selector is an error (a configuration mistake, not a page fault).
func hasForm(ctx context.Context, p *rod.Page, selector string) (bool, error) {
	res, err := p.Context(ctx).Evaluate(rod.Eval(formJS, selector))
	if err != nil {
		return false, fmt.Errorf("browser: looking for %q: %w", selector, err)
	}
	return res.Value.Bool(), nil
}

// pageOrigin is the document's URL without query (chrome-error://… on an
// error page).
func pageURL(ctx context.Context, p *rod.Page) string {
	res, err := p.Context(ctx).Evaluate(rod.Eval(`() => location.href`))
	if err != nil {
		return ""
	}
	return redact(res.Value.Str())
}
