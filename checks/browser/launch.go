package browser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/launcher/flags"

	"github.com/logindoctor/logindoctor/checks"
)

// Timings of the browser's life cycle; see PITFALLS (go-rod).
const (
	// profilePrefix names our temporary profiles so that stale ones (from a
	// killed run) can be swept, and our Chromium processes recognised.
	profilePrefix = "logindoctor-chrome-"
	// staleAfter is the age beyond which a leftover profile is swept.
	staleAfter = time.Hour
	// closeWait bounds a graceful Browser.close plus the wait for exit.
	closeWait = 2 * time.Second
)

// launchSpec is everything needed to start one headless browser.
type launchSpec struct {
	Bin   string
	Route checks.Route // the route the page takes
	// Home, if set, becomes the browser's HOME (a private NSS db).
	Home string
	// Prefs is extra Chrome preferences JSON (tests simulate user settings).
	Prefs string
}

// session is one launched browser and everything that must be undone.
type session struct {
	root    string // our temp dir: profile (and home) inside
	l       *launcher.Launcher
	browser *rod.Browser
	// launched delivers Launch's outcome exactly once.
	launched chan launchOutcome
	pending  bool // Launch has not reported yet
	launchOK bool
	// spawn runs clean-up that may outlive close (env.Go, so the program
	// waits for it before exiting); nil: a plain goroutine.
	spawn func(func())
}

type launchOutcome struct {
	url string
	err error
}

// newRoot makes the temporary directory that holds profile and home.
func newRoot(tempDir string) (string, error) {
	root, err := os.MkdirTemp(tempDir, profilePrefix)
	if err != nil {
		return "", fmt.Errorf("browser: temp profile: %w", err)
	}
	return root, nil
}

// launcherFor builds the launcher: never a download (Bin is always set),
// headless, sandbox off only as root, leakless, pop-up blocking on.
func launcherFor(spec launchSpec, profile string) *launcher.Launcher {
	l := launcher.New().
		Bin(spec.Bin).
		Headless(true).
		NoSandbox(os.Geteuid() == 0).
		Leakless(true).
		UserDataDir(profile).
		Set("disable-gpu").
		Set("disable-background-networking").
		Set("disable-component-update").
		Set("disable-sync").
		Set("no-first-run").
		Set("disable-quic").
		Set("disable-crash-reporter").
		Set("window-size", fmt.Sprintf("%d,%d", viewportW, viewportH)).
		Delete("disable-popup-blocking")
	for k, v := range proxyFlags(spec.Route) {
		if v == "" {
			l = l.Set(flags.Flag(k))
		} else {
			l = l.Set(flags.Flag(k), v)
		}
	}
	if spec.Home != "" {
		l = l.Env(envWithHome(os.Environ(), spec.Home)...)
	}
	if spec.Prefs != "" {
		l = l.Preferences(spec.Prefs)
	}
	return l
}

// proxyFlags are the Chrome flags that make the page take route r: the
// same PAC file, the same proxy (host only: credentials never go on a
// command line), or no proxy at all.
func proxyFlags(r checks.Route) map[string]string {
	switch {
	case r.Source == checks.SourcePAC && (strings.HasPrefix(r.PACURL, "http://") || strings.HasPrefix(r.PACURL, "https://")):
		return map[string]string{"proxy-pac-url": r.PACURL}
	case r.Direct():
		return map[string]string{"no-proxy-server": ""}
	}
	scheme := r.Proxy.Scheme
	if scheme == "socks" || scheme == "socks5h" {
		scheme = "socks5"
	}
	// <-loopback> lets a CRM served on this machine take the proxy too, as
	// the other checks' route does.
	return map[string]string{"proxy-server": scheme + "://" + r.Proxy.Host, "proxy-bypass-list": "<-loopback>"}
}

// envWithHome is env with HOME replaced.
func envWithHome(env []string, home string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "HOME=") {
			out = append(out, kv)
		}
	}
	return append(out, "HOME="+home)
}

// newSession makes the temporary directory that will hold the profile
// (and a private HOME); close removes it whatever happened in between.
func newSession(tempDir string) (*session, error) {
	root, err := newRoot(tempDir)
	if err != nil {
		return nil, err
	}
	return &session{root: root, launched: make(chan launchOutcome, 1)}, nil
}

// start launches the browser in the background and connects to it, giving
// up when ctx ends (Launch can block on leakless's port lock forever).
// Whatever happens, s.close undoes what was done.
func (s *session) start(ctx context.Context, spec launchSpec) error {
	s.l = launcherFor(spec, filepath.Join(s.root, "profile")).Context(ctx)
	s.pending = true
	l := s.l
	go func() {
		u, err := l.Launch()
		s.launched <- launchOutcome{u, err}
	}()
	var out launchOutcome
	select {
	case out = <-s.launched:
		s.pending = false
	case <-ctx.Done():
		return fmt.Errorf("browser: launch: %w", ctx.Err())
	}
	if out.err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("browser: launch: %w", ctx.Err())
		}
		return fmt.Errorf("browser: launch %s: %w", spec.Bin, out.err)
	}
	s.launchOK = true
	b := rod.New().ControlURL(out.url).Context(ctx)
	if err := b.Connect(); err != nil {
		return fmt.Errorf("browser: connect: %w", err)
	}
	s.browser = b.NoDefaultDevice()
	return nil
}

// close shuts the browser down and removes the profile. It waits until
// the cleanup is done or until returnBy, whichever comes first; the rest
// then finishes in the background (also when Launch is still blocked on
// leakless's lock), so close never makes the check miss its deadline.
func (s *session) close(returnBy time.Time) {
	if s == nil {
		return
	}
	if s.browser != nil {
		ctx, cancel := context.WithDeadline(context.Background(), laterOf(returnBy, time.Now().Add(300*time.Millisecond)))
		_ = s.browser.Context(ctx).Close()
		cancel()
	}
	done := make(chan struct{})
	spawn := s.spawn
	if spawn == nil {
		spawn = func(f func()) { go f() }
	}
	spawn(func() {
		defer close(done)
		switch {
		case s.l == nil:
			removeAll(s.root)
		case s.pending:
			out := <-s.launched
			s.finish(out.err == nil)
		default:
			s.finish(s.launchOK)
		}
	})
	t := time.NewTimer(time.Until(returnBy))
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// finish waits for the browser to exit (killing it if it lingers) and
// removes the temporary directory.
func (s *session) finish(launched bool) {
	if launched || s.l.PID() != 0 {
		if !waitCleanup(s.l, closeWait) {
			s.l.Kill()
			waitCleanup(s.l, closeWait)
		}
	}
	removeAll(s.root)
}

// removeAll removes dir, retrying briefly: Chromium's helper processes
// (crash handler, utilities) may still write into the profile for a
// moment after the browser itself has exited.
func removeAll(dir string) {
	for range 10 {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitCleanup runs l.Cleanup (wait for exit, remove profile) for at most d.
// A Cleanup still waiting afterwards returns once Kill takes effect.
func waitCleanup(l *launcher.Launcher, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		l.Cleanup()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// sweepStale removes our temporary profiles older than staleAfter (left
// behind when a run was killed before it could clean up).
func sweepStale(tempDir string, now time.Time) {
	if tempDir == "" {
		tempDir = os.TempDir()
	}
	matches, err := filepath.Glob(filepath.Join(tempDir, profilePrefix+"*"))
	if err != nil {
		return
	}
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || !fi.IsDir() || now.Sub(fi.ModTime()) < staleAfter {
			continue
		}
		_ = os.RemoveAll(m)
	}
}

// leaklessLock is the port leakless locks while it prepares its guard;
// Launch waits for it without a deadline.
const leaklessLock = "127.0.0.1:2978"

// lockBusy reports whether someone holds leakless's lock port (explains a
// launch that never finishes).
func lockBusy() bool {
	ln, err := net.Listen("tcp", leaklessLock)
	if err != nil {
		return true
	}
	_ = ln.Close()
	return false
}

// launchTimedOut tells a launch that ran out of time from one that failed.
func launchTimedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
