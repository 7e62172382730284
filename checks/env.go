package checks

import (
	"context"
	"crypto/x509"
	"net"
	"net/url"
	"os"
	"runtime"
	"sync"
	"time"
)

// Dialer opens network connections; tests inject one that black-holes or
// refuses. *net.Dialer satisfies it.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// RouteFinder decides the route (direct or a proxy) to a URL the way the
// browser would. proxy.route provides the real one; nil means direct.
type RouteFinder func(ctx context.Context, env *Env, u *url.URL) (Route, error)

// Env is one run's shared facts and seams: the target, the clock, the
// environment, the dialer, the trusted roots and the route. It is made once
// per run by NewEnv; checks only read it (Route memoises internally).
type Env struct {
	Target Target
	// Now is the local clock; tests inject a skewed one.
	Now func() time.Time
	// Getenv reads environment variables (proxy settings, tokens, locale).
	Getenv func(string) string
	// GOOS is the operating system whose conventions apply (fix steps,
	// system proxy settings, browser locations).
	GOOS string
	// Dialer opens TCP/UDP connections.
	Dialer Dialer
	// Resolver is the run's one resolver (see Resolver): NewEnv sets the
	// system's; tests and the demo point it at a loopback DNS server so
	// that nothing leaves the machine. Never nil.
	Resolver Resolver
	// RootCAs are the system roots plus ca_file; nil means the system's.
	RootCAs *x509.CertPool
	// ExtraRoots are only the ca_file roots (to tell "trusted via ca_file").
	ExtraRoots *x509.CertPool
	// HostsFile and ResolvConf are the system files dns.resolve reads.
	HostsFile  string
	ResolvConf string
	// FS is the root that device.browsers looks for install trees under
	// ("" = the real file system); tests point it at a fake tree.
	FSRoot string
	// RouteFinder decides routes; see Route.
	RouteFinder RouteFinder
	// BrowserHostRules, when set, is the browser's --host-resolver-rules
	// (e.g. "MAP crm.demo.test 127.0.0.1"): Chrome resolves names itself,
	// past Resolver, so a run whose names live in a private resolver (the
	// demo) maps them here. Empty: the system's resolution.
	BrowserHostRules string
	// Browsers, when set, lends warm browsers to browser.page (see
	// BrowserPool); nil: browser.page launches one of its own.
	Browsers BrowserPool

	mu     sync.Mutex
	routes map[string]*routeMemo
	// background tracks clean-up work that outlives a check (closing a
	// browser, removing its profile) so the program can wait for it.
	background sync.WaitGroup
}

// BrowserPool keeps browsers warm for browser.page across runs (serve) or
// ahead of it within one run (check). checks/browser.Pool implements it;
// it is declared here so that checks need not import the browser package.
type BrowserPool interface {
	// Warm starts, in the background, a browser fit for env's run, so
	// that its launch overlaps the checks before browser.page.
	Warm(env *Env)
	// Close closes every browser and removes their profiles, waiting
	// until ctx ends at most.
	Close(ctx context.Context) error
}

type routeMemo struct {
	done  chan struct{}
	route Route
	err   error
}

// NewEnv returns an Env for t with the real clock, environment and dialer.
func NewEnv(t Target) *Env {
	e := &Env{
		Target:     t,
		Now:        time.Now,
		Getenv:     os.Getenv,
		GOOS:       runtime.GOOS,
		Resolver:   net.DefaultResolver,
		HostsFile:  defaultHostsFile(),
		ResolvConf: "/etc/resolv.conf",
	}
	e.Dialer = resolvingDialer{e}
	return e
}

// resolvingDialer dials with the env's resolver as it is at dial time, so
// that names dialled by any check resolve the same way dns.resolve sees
// them (and, in tests and the demo, never leave the machine).
type resolvingDialer struct{ env *Env }

func (d resolvingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return d.env.DialWith(ctx, net.Dialer{}, network, address)
}

// Go runs f in the background, tracked so that WaitBackground can wait
// for it before the program exits: clean-up a check must not block on
// but must not be cut short either.
func (e *Env) Go(f func()) {
	e.background.Add(1)
	go func() {
		defer e.background.Done()
		f()
	}()
}

// WaitBackground waits for the work started with Go, or until ctx ends;
// it reports whether everything finished.
func (e *Env) WaitBackground(ctx context.Context) bool {
	done := make(chan struct{})
	go func() {
		e.background.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// Route returns the route to u, deciding it once per scheme+host for the
// whole run so that every check takes the same path the browser takes.
//
// The decision runs under its own deadline, detached from the first
// caller's cancellation, so that one check ending early cannot leave every
// other check with its "context canceled"; each caller waits at most until
// its own ctx ends.
func (e *Env) Route(ctx context.Context, u *url.URL) (Route, error) {
	if e.RouteFinder == nil || u == nil {
		return Route{Source: SourceDirect}, nil
	}
	key := u.Scheme + "://" + u.Host
	e.mu.Lock()
	if e.routes == nil {
		e.routes = map[string]*routeMemo{}
	}
	m, ok := e.routes[key]
	if !ok {
		m = &routeMemo{done: make(chan struct{})}
		e.routes[key] = m
		timeout := e.Target.CheckTimeout
		if timeout <= 0 {
			timeout = DefaultCheckTimeout
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		// Tracked like other work that outlives a check, so the program
		// (and the leak tests) wait for it instead of losing it.
		e.Go(func() {
			defer cancel()
			defer close(m.done)
			m.route, m.err = e.RouteFinder(dctx, e, u)
		})
	}
	e.mu.Unlock()
	select {
	case <-m.done:
		return m.route, m.err
	case <-ctx.Done():
		return Route{}, ctx.Err()
	}
}

// DialRoute connects to addr (host:port) along route r: directly, or through
// the route's proxy with HTTP CONNECT.
func (e *Env) DialRoute(ctx context.Context, r Route, addr string) (net.Conn, error) {
	return r.Dial(ctx, e.Dialer, addr)
}

func defaultHostsFile() string {
	if runtime.GOOS == "windows" {
		root := os.Getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		return root + `\System32\drivers\etc\hosts`
	}
	return "/etc/hosts"
}
