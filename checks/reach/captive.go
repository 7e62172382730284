package reach

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// CodeCaptivePortal: a Wi-Fi sign-in page intercepts the traffic.
const CodeCaptivePortal = "NET_CAPTIVE_PORTAL"

// PortalProbe is a plain-HTTP page whose correct answer is known, as the
// operating systems and browsers use to find a captive portal: Status
// (e.g. 204) with an empty body, or 200 with exactly Body.
type PortalProbe struct {
	URL    string
	Status int
	Body   string
}

// DefaultPortalProbes are the probes Windows and Chrome use.
func DefaultPortalProbes() []PortalProbe {
	return []PortalProbe{
		{URL: "http://www.msftconnecttest.com/connecttest.txt", Status: http.StatusOK, Body: "Microsoft Connect Test"},
		{URL: "http://connectivitycheck.gstatic.com/generate_204", Status: http.StatusNoContent},
	}
}

// Bounds of the portal probe: it starts when the login host failed, or
// has not connected after portalAfter (at most a third of the connect's
// time), and takes at most portalTimeout. A healthy run never probes.
const (
	portalAfter   = time.Second
	portalTimeout = 2 * time.Second
	maxPortalBody = 4 << 10
)

// portal is what the probes found; found is false for "no portal" and for
// "unknown" (no answer at all: a company network without internet).
type portal struct {
	found    bool
	probe    string // the probe URL
	status   int
	location string // where it redirected, without the query
	host     string // the portal's host, when known
	detail   string
}

// watchPortal waits for the login host's outcome (or portalAfter) and
// probes for a captive portal unless the login host connected.
func watchPortal(ctx context.Context, env *checks.Env, probes []PortalProbe, login <-chan EndpointFacts, wait time.Duration) portal {
	t := time.NewTimer(min(portalAfter, wait/3))
	defer t.Stop()
	select {
	case f := <-login:
		if f.Reachable() || strings.HasPrefix(f.Code, "DNS_") {
			return portal{}
		}
	case <-t.C:
	case <-ctx.Done():
		return portal{}
	}
	return probePortal(ctx, env, probes)
}

// probePortal runs every probe at once; the first that finds a portal wins.
func probePortal(ctx context.Context, env *checks.Env, probes []PortalProbe) portal {
	pctx, cancel := context.WithTimeout(ctx, portalTimeout)
	defer cancel()
	found := make([]portal, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() { found[i] = p.run(pctx, env) })
	}
	wg.Wait()
	for _, f := range found {
		if f.found {
			return f
		}
	}
	return portal{}
}

// run fetches the probe along the route the browser takes to it, without
// following redirects, and judges the answer.
func (p PortalProbe) run(ctx context.Context, env *checks.Env) portal {
	out := portal{probe: p.URL}
	u, err := url.Parse(p.URL)
	if err != nil {
		out.detail = err.Error()
		return out
	}
	route, err := env.Route(ctx, u)
	if err != nil {
		route = checks.Route{Source: checks.SourceDirect}
	}
	tr := env.Transport(route, nil)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		out.detail = err.Error()
		return out
	}
	resp, err := client.Do(req)
	if err != nil {
		out.detail = fmt.Errorf("no answer: %w", err).Error()
		return out
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPortalBody))
	return p.judge(out, resp, string(body))
}

// judge: a redirect, 511 (Network Authentication Required) or a success
// with another answer is a portal; the right answer is none; other errors
// (a proxy's block page, a server error) say nothing.
func (p PortalProbe) judge(out portal, resp *http.Response, body string) portal {
	out.status = resp.StatusCode
	right := resp.StatusCode == p.Status && strings.TrimSpace(body) == p.Body
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		out.found = true
		if loc, err := resp.Location(); err == nil {
			out.host = loc.Hostname()
			loc.RawQuery, loc.Fragment, loc.User = "", "", nil
			out.location = loc.String()
		}
		out.detail = fmt.Sprintf("redirected (%d) to %s", resp.StatusCode, out.location)
	case resp.StatusCode == http.StatusNetworkAuthenticationRequired:
		out.found, out.detail = true, "answered 511 Network Authentication Required"
	case resp.StatusCode < 300 && !right:
		out.found = true
		out.detail = fmt.Sprintf("answered %d with a different page (%d bytes) instead of the known answer", resp.StatusCode, len(body))
	default:
		out.detail = "answered " + resp.Status
	}
	return out
}

// captiveResult turns net.reach's failing result into the captive portal
// finding: the failure it caused stays in the evidence.
func captiveResult(res checks.Result, p portal, login EndpointFacts) checks.Result {
	out := checks.Finding(checks.StatusFail, CodeCaptivePortal, checks.SeverityCritical, checks.OwnerYou,
		fmt.Sprintf("a Wi-Fi sign-in page (captive portal) intercepts the traffic: %s %s; %s failed with %s",
			p.probe, p.detail, login.Endpoint, login.Code))
	out.Evidence, out.Data = res.Evidence, res.Data
	out = out.WithParam("host", login.Host).WithParam("portal", p.host).WithParam("location", p.location).
		With("portal_probe", p.probe).With("portal_status", p.status).With("portal_detail", p.detail).
		With("login_code", login.Code)
	if p.location != "" {
		out = out.With("portal_location", p.location)
	}
	if p.host != "" {
		out = out.With("portal_host", p.host)
	}
	return out
}
