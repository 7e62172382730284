package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/launcher/flags"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// Timings of the browser's life cycle (measured with Debian's Chromium).
const (
	// profilePrefix names our temporary profiles so that stale ones (from a
	// killed run) can be swept, and our Chromium processes recognised.
	profilePrefix = "logindoctor-chrome-"
	// staleAfter is the age beyond which a leftover profile is swept.
	staleAfter = time.Hour
	// closeWait bounds a graceful Browser.close plus the wait for exit.
	closeWait = 2 * time.Second
	// exitGrace is how long a browser whose DevTools pipe closed while
	// starting may take to exit, so that its own last words are reported.
	exitGrace = 500 * time.Millisecond
)

// launchSpec is everything needed to start one headless browser.
type launchSpec struct {
	Bin   string
	Route checks.Route // the route the page takes
	// Home, if set, becomes the browser's HOME (a private NSS db).
	Home string
	// Prefs is extra Chrome preferences JSON (tests simulate user settings).
	Prefs string
	// HostRules is --host-resolver-rules (checks.Env.BrowserHostRules).
	HostRules string
}

// session is one launched browser and everything that must be undone.
type session struct {
	root string // our temp dir: profile, home and the browser's TMPDIR inside
	// shortTmp is the browser's TMPDIR when root is too deep for it (see
	// chromeTmp); removed with root.
	shortTmp string
	proc     *chromeProc
	browser  *rod.Browser
	// spawn runs clean-up that may outlive close (env.Go, so the program
	// waits for it before exiting); nil: a plain goroutine.
	spawn func(func())
	// life, when set, is how long the browser's DevTools events and calls
	// may live (a pool's browser outlives the launch's context); endLife
	// ends it once the browser is closed. Unset: the launch's context.
	life    context.Context
	endLife context.CancelFunc
}

// newRoot makes the temporary directory that holds profile and home.
func newRoot(tempDir string) (string, error) {
	root, err := os.MkdirTemp(tempDir, profilePrefix)
	if err != nil {
		return "", fmt.Errorf("browser: temp profile: %w", err)
	}
	return root, nil
}

// launcherFor builds the browser's flags with rod's launcher (only for its
// flag set: it never launches anything, so neither downloads a browser nor
// runs a helper binary): headless, sandbox off only as root, pop-up
// blocking on, DevTools over a private channel, a memory cap for scripts.
func launcherFor(spec launchSpec, profile string) *launcher.Launcher {
	l := launcher.New().
		Bin(spec.Bin).
		Headless(true).
		NoSandbox(os.Geteuid() == 0).
		Leakless(false).
		UserDataDir(profile).
		Delete(flags.RemoteDebuggingPort).
		Set(flags.Flag(debugFlag)).
		Set("disable-gpu").
		Set("disable-background-networking").
		Set("disable-component-update").
		Set("disable-sync").
		Set("no-first-run").
		Set("disable-quic").
		Set("disable-crash-reporter").
		// Memory: GPU and network services inside the browser process (two
		// helper processes fewer, ~80 MB), and no WebUI omnibox pop-up
		// preloaded into a renderer of its own for every window (~60 MB per
		// incognito context; a headless browser never shows it).
		Set("in-process-gpu").
		Set("enable-features", "NetworkService", "NetworkServiceInProcess", "NetworkServiceInProcess2").
		Set("disable-features", "site-per-process", "TranslateUI", "WebUIOmniboxPopup", "WebUIOmniboxAimPopup").
		Set("js-flags", fmt.Sprintf("--max-old-space-size=%d", heapCapMB)).
		Set("window-size", fmt.Sprintf("%d,%d", viewportW, viewportH)).
		Delete("disable-popup-blocking")
	if spec.HostRules != "" {
		l = l.Set("host-resolver-rules", spec.HostRules)
	}
	for k, v := range proxyFlags(spec.Route) {
		if v == "" {
			l = l.Set(flags.Flag(k))
		} else {
			l = l.Set(flags.Flag(k), v)
		}
	}
	return l
}

// proxyFlags are the Chrome flags that make the page take route r: the
// same proxy (host only: credentials never go on a command line), or no
// proxy at all. A route from an http(s) PAC file has none: the PAC URL
// (which may carry a key) goes into the private profile instead, see
// proxyPrefs; the command line is readable by every local user.
func proxyFlags(r checks.Route) map[string]string {
	switch {
	case pacURL(r) != "":
		return nil
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

// pacURL is the route's PAC URL when Chrome can fetch it itself (http or
// https), else "".
func pacURL(r checks.Route) string {
	u := strings.ToLower(r.PACURL)
	if r.Source == checks.SourcePAC && (strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
		return r.PACURL
	}
	return ""
}

// browserEnv is the browser's environment: ours, with HOME replaced when
// home is set (a private NSS db) and TMPDIR pointing into our root, so
// that what Chromium leaves in its temp dir goes when the root goes.
func browserEnv(env []string, home, tmp string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		if (home != "" && strings.HasPrefix(kv, "HOME=")) || strings.HasPrefix(kv, "TMPDIR=") {
			continue
		}
		out = append(out, kv)
	}
	if home != "" {
		out = append(out, "HOME="+home)
	}
	return append(out, "TMPDIR="+tmp)
}

// newSession makes the temporary directory that will hold the profile
// (and a private HOME); close removes it whatever happened in between.
func newSession(tempDir string) (*session, error) {
	root, err := newRoot(tempDir)
	if err != nil {
		return nil, err
	}
	return &session{root: root}, nil
}

// start launches the browser and connects to it, giving up when ctx ends.
// A browser that exits while starting (Chromium now and then crashes at
// start-up on a busy machine) gets one more try, in a fresh profile.
// Whatever happens, s.close undoes what was done.
func (s *session) start(ctx context.Context, spec launchSpec) error {
	err := s.launch(ctx, spec, "profile")
	if err == nil || ctx.Err() != nil || !errors.Is(err, errExited) {
		return err
	}
	s.proc.kill()
	s.proc.wait(closeWait)
	if err2 := s.launch(ctx, spec, "profile-2"); err2 != nil {
		return fmt.Errorf("%w (and on a second try: %v)", err, err2)
	}
	return nil
}

// launch starts the browser once with the profile dir name under s.root.
func (s *session) launch(ctx context.Context, spec launchSpec, name string) error {
	profile := filepath.Join(s.root, name)
	tmp, err := s.chromeTmp()
	if err != nil {
		return err
	}
	if err := writePrefs(profile, spec); err != nil {
		return err
	}
	args := launcherFor(spec, profile).FormatArgs()
	p, err := startChrome(spec.Bin, args, browserEnv(os.Environ(), spec.Home, tmp))
	if err != nil {
		return err
	}
	s.proc = p
	c, err := p.connect(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("browser: launch: %w", ctx.Err())
		}
		if p.hasExited() || p.wait(exitGrace) {
			return fmt.Errorf("browser: launch %s: %w", spec.Bin, p.exitError())
		}
		return fmt.Errorf("browser: launch %s: %w", spec.Bin, err)
	}
	life := ctx
	if s.life != nil {
		life = s.life
	}
	b := rod.New().Client(c).Context(life)
	if err := connectWithin(ctx, b); err != nil {
		// The DevTools pipe closing first is how a browser that is dying
		// looks: wait a moment for its exit to say why.
		if ctx.Err() == nil && (p.hasExited() || p.wait(exitGrace)) {
			return fmt.Errorf("browser: launch %s: %w", spec.Bin, p.exitError())
		}
		return fmt.Errorf("browser: connect: %w", err)
	}
	s.browser = b.NoDefaultDevice()
	return nil
}

// connectWithin connects b, giving up when ctx ends even if b's own
// context lives longer (the connection then ends with the browser, which
// the caller closes).
func connectWithin(ctx context.Context, b *rod.Browser) error {
	errc := make(chan error, 1)
	go func() { errc <- b.Connect() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close shuts the browser down and removes the profile. It waits until
// the cleanup is done or until returnBy, whichever comes first; the rest
// then finishes in the background, so close never makes the check miss
// its deadline.
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
		s.finish()
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

// finish waits for the browser to exit (killing its whole process tree if
// it lingers) and removes the temporary directory.
func (s *session) finish() {
	if p := s.proc; p != nil {
		// Without a connection nobody asked it to close: kill at once.
		if s.browser == nil || !p.wait(closeWait) {
			p.kill()
			p.wait(closeWait)
		}
	}
	if s.endLife != nil {
		s.endLife()
	}
	if s.shortTmp != "" {
		removeAll(s.shortTmp)
	}
	removeAll(s.root)
}

// maxTmpLen keeps the socket Chromium makes in its TMPDIR
// (…/org.chromium.Chromium.XXXXXX/SingletonSocket) within the 104 bytes a
// Unix socket path may have on macOS (108 on Linux); past it Chromium
// aborts at start.
const maxTmpLen = 104 - len("/org.chromium.Chromium.XXXXXX/SingletonSocket") - 1

// chromeTmp makes the browser's private TMPDIR: root/tmp, or where root
// is too deep for Chromium's socket, a fresh owner-only directory in /tmp
// — one per session, also when a second launch asks again (close removes
// only that one).
func (s *session) chromeTmp() (string, error) {
	if s.shortTmp != "" {
		return s.shortTmp, nil
	}
	tmp := filepath.Join(s.root, "tmp")
	if len(tmp) > maxTmpLen && runtime.GOOS != "windows" {
		d, err := os.MkdirTemp("/tmp", profilePrefix)
		if err == nil {
			s.shortTmp = d
			return d, nil
		}
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", fmt.Errorf("browser: temp dir: %w", err)
	}
	return tmp, nil
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

// launchTimedOut tells a launch that ran out of time from one that failed.
func launchTimedOut(err error) bool {
	return netfail.IsTimeout(err) || errors.Is(err, context.Canceled)
}
