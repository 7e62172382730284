package proxyroute

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/proxyroute/pac"
)

// Defaults of a Finder's zero fields.
const (
	DefaultPACFetchTimeout = 5 * time.Second
	DefaultWPADTimeout     = 2 * time.Second
	DefaultMaxPACSize      = 1 << 20
	DefaultPACTimeout      = 3 * time.Second
	DefaultProbeTimeout    = time.Second
	DefaultWPADURL         = "http://wpad/wpad.dat"
)

// Finder decides routes the way the browser does. The zero value reads the
// real system settings; tests set System, PAC and the limits.
type Finder struct {
	// System reads the OS proxy settings; nil means OSReader.
	System SystemReader
	// PAC evaluates PAC scripts; nil means a pac.Evaluator with
	// DefaultPACTimeout and the env's clock. Its Resolver is always the
	// env's (Env.Resolver is the run's one resolver).
	PAC *pac.Evaluator
	// PACFetchTimeout bounds loading a PAC file; WPADTimeout the WPAD try.
	PACFetchTimeout time.Duration
	WPADTimeout     time.Duration
	// MaxPACSize is the largest PAC file accepted, in bytes.
	MaxPACSize int64
	// WPADURL is where auto-detection looks (DefaultWPADURL).
	WPADURL string
	// ProbeTimeout bounds the connect test used to skip a dead proxy when
	// a PAC result lists several (browsers fail over the same way).
	ProbeTimeout time.Duration
}

// FindRoute decides the route to u with the default Finder: it is
// checks.Env's RouteFinder.
func FindRoute(ctx context.Context, env *checks.Env, u *url.URL) (checks.Route, error) {
	var f Finder
	return f.Find(ctx, env, u)
}

// Find decides the route to u, in the browser's order: config proxy.url,
// then config proxy.pac_url, then the environment (HTTPS_PROXY, HTTP_PROXY,
// NO_PROXY), then the system settings (auto-detect/WPAD, PAC URL, manual
// proxies with their bypass list). The returned error is a *ConfigError,
// *PACFetchError, pac.ErrTooLarge, pac.ErrTimeout or *pac.ScriptError; the
// route returned with a PAC error is direct (the browser's fallback) with
// Source pac and PACURL set.
func (f *Finder) Find(ctx context.Context, env *checks.Env, u *url.URL) (checks.Route, error) {
	if u == nil {
		return checks.Route{Source: checks.SourceDirect}, nil
	}
	t := env.Target
	if raw := strings.TrimSpace(t.Proxy.URL); raw != "" {
		p, err := parseProxyURL("proxy.url", raw)
		if err != nil {
			return checks.Route{Source: checks.SourceConfig, Rule: "proxy.url"}, err
		}
		return checks.Route{Proxy: p, Source: checks.SourceConfig, Rule: "proxy.url"}, nil
	}
	if raw := strings.TrimSpace(t.Proxy.PACURL); raw != "" {
		return f.viaPAC(ctx, env, u, raw, f.fetchTimeout())
	}
	if r, ok, err := envRoute(env.Getenv, u); ok {
		return r, err
	}
	return f.viaSystem(ctx, env, u)
}

func (f *Finder) viaSystem(ctx context.Context, env *checks.Env, u *url.URL) (checks.Route, error) {
	reader := f.System
	if reader == nil {
		reader = OSReader{}
	}
	s, err := reader.ReadProxySettings(ctx, env.GOOS)
	if err != nil {
		return checks.Route{Source: checks.SourceDirect}, nil // nothing readable: the browser goes direct too
	}
	if s.AutoDetect {
		r, err := f.viaPAC(ctx, env, u, f.wpadURL(), f.wpadTimeout())
		var fe *PACFetchError
		if !errors.As(err, &fe) {
			return r, err
		}
		// No WPAD file: normal, the browser carries on silently.
	}
	if s.PACURL != "" {
		return f.viaPAC(ctx, env, u, s.PACURL, f.fetchTimeout())
	}
	if s.From == "" {
		s.From = "system settings"
	}
	hostport, key := s.manualProxy(u.Scheme)
	if hostport == "" {
		return checks.Route{Source: checks.SourceDirect}, nil
	}
	if rule, ok := bypassed(u.Hostname(), s.BypassLocal, s.Bypass); ok {
		return checks.Route{Source: checks.SourceSystem, Rule: s.From + ": bypass " + rule}, nil
	}
	scheme := "http"
	if key == "socks" {
		scheme = "socks5"
	}
	p, err := parseProxyURL(s.From, scheme+"://"+hostport)
	if err != nil {
		return checks.Route{Source: checks.SourceSystem, Rule: s.From}, err
	}
	return checks.Route{Proxy: p, Source: checks.SourceSystem, Rule: s.From + " (" + key + ")"}, nil
}

// viaPAC fetches and evaluates a PAC file for u.
func (f *Finder) viaPAC(ctx context.Context, env *checks.Env, u *url.URL, pacURL string, fetchTimeout time.Duration) (checks.Route, error) {
	base := checks.Route{Source: checks.SourcePAC, PACURL: redactURL(pacURL)}
	fctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	script, err := fetchPAC(fctx, env, pacURL, f.maxPACSize())
	cancel()
	if err != nil {
		return base, err
	}
	res, err := f.evaluator(env).Evaluate(ctx, script, pacArgURL(u), strings.ToLower(u.Hostname()))
	if err != nil {
		return base, err
	}
	base.Rule = strings.TrimSpace(res.Raw)
	choice := f.choose(ctx, env, res.Proxies)
	if choice.Direct() {
		return base, nil
	}
	p := choice.URL()
	if p.Scheme == "socks4" {
		p.Scheme = "socks5" // Route.Dial speaks SOCKS5 only
	}
	base.Proxy = p
	return base, nil
}

// choose picks the entry the browser would use: entries are tried in
// order, a proxy counting when it accepts a TCP connection and DIRECT
// always; when nothing answers, the first proxy (so that the check reports
// it). A single entry is taken as it is.
func (f *Finder) choose(ctx context.Context, env *checks.Env, list []pac.Proxy) pac.Proxy {
	if len(list) == 1 {
		return list[0]
	}
	var firstProxy *pac.Proxy
	for i, p := range list {
		if p.Direct() || f.reachable(ctx, env, p.Host) {
			return p
		}
		if firstProxy == nil {
			firstProxy = &list[i]
		}
	}
	return *firstProxy
}

func (f *Finder) reachable(ctx context.Context, env *checks.Env, hostport string) bool {
	ctx, cancel := context.WithTimeout(ctx, orDefault(f.ProbeTimeout, DefaultProbeTimeout))
	defer cancel()
	d := env.Dialer
	if d == nil {
		d = defaultDialer()
	}
	c, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// pacArgURL is the URL handed to FindProxyForURL: for https only
// scheme://host[:port]/ (browsers strip path and query), otherwise the URL
// without user info or fragment; the scheme and host lowercased, as the
// browser's URL parser leaves them (the path keeps its case).
func pacArgURL(u *url.URL) string {
	c := *u
	c.User, c.Fragment, c.RawFragment = nil, "", ""
	c.Scheme, c.Host = strings.ToLower(c.Scheme), strings.ToLower(c.Host)
	if strings.EqualFold(c.Scheme, "https") || strings.EqualFold(c.Scheme, "wss") {
		return c.Scheme + "://" + c.Host + "/"
	}
	return c.String()
}

func (f *Finder) evaluator(env *checks.Env) *pac.Evaluator {
	ev := pac.Evaluator{Timeout: DefaultPACTimeout}
	if f.PAC != nil {
		ev = *f.PAC
	}
	if ev.Now == nil {
		ev.Now = env.Now
	}
	// The PAC's dnsResolve/isInNet ask the run's resolver, as every other
	// check does (in the demo and the tests: a loopback DNS server, so
	// nothing leaves the machine).
	ev.Resolver = env.Resolver
	return &ev
}

func (f *Finder) fetchTimeout() time.Duration {
	return orDefault(f.PACFetchTimeout, DefaultPACFetchTimeout)
}

func (f *Finder) wpadTimeout() time.Duration { return orDefault(f.WPADTimeout, DefaultWPADTimeout) }

func (f *Finder) maxPACSize() int64 { return orDefault(f.MaxPACSize, DefaultMaxPACSize) }

func (f *Finder) wpadURL() string {
	if f.WPADURL != "" {
		return f.WPADURL
	}
	return DefaultWPADURL
}

func orDefault[T int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func defaultDialer() checks.Dialer { return &net.Dialer{} }
