package browser

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"

	"github.com/logindoctor/logindoctor/checks"
)

// Pool timings and bounds.
const (
	// poolLaunchLimit bounds one warm launch (nobody may be waiting for it).
	poolLaunchLimit = 2 * StartAllowance
	// DefaultRetireMB is PoolOptions.RetireMB's default.
	DefaultRetireMB = treeCapMB / 2
	// MaxRetireMB is the largest RetireMB that means anything: a browser
	// past it is stopped by the memory watch, retired or not.
	MaxRetireMB = treeCapMB
	// disposeWait bounds disposing of a run's incognito context.
	disposeWait = time.Second
)

// errPoolClosed: the pool was closed (the run or the server is ending).
var errPoolClosed = errors.New("browser: the browser pool is closed")

// PoolOptions configure a Pool.
type PoolOptions struct {
	// Size is how many browsers may run at once (at least 1).
	Size int
	// TempDir is where the profiles go ("" = os.TempDir()).
	TempDir string
	// Certutil is the NSS tool for ca_file ("" = "certutil").
	Certutil string
	// RetireMB: a browser whose process tree (resident, anonymous) holds
	// more than this many MB after a run, its incognito context gone, is
	// closed and replaced, so that what one page leaked does not stay for
	// the next (0 = half the tree's hard cap, 512 MB).
	RetireMB int64
}

// Pool keeps up to Size headless browsers warm for browser.page. Each run
// borrows one browser for itself alone and works in a fresh incognito
// browser context, disposed of afterwards: no cookie, storage or cache
// crosses runs. Browsers are keyed by what is fixed at launch (binary,
// proxy flags or PAC preference, ca_file's NSS home, host-resolver rules,
// preferences): a run whose route differs gets a browser of its own. A
// browser that died, or grew past RetireMB, is closed and replaced. Close
// closes every browser and removes every profile.
//
// A Pool satisfies checks.BrowserPool; put it in checks.Env.Browsers.
type Pool struct {
	opts   PoolOptions
	ctx    context.Context // ends on Close: aborts launches
	cancel context.CancelFunc
	// bg tracks launches and closes, so that Close can wait for them.
	bg sync.WaitGroup

	mu     sync.Mutex
	closed bool
	all    []*instance
	// freed is closed (and replaced) whenever an instance is released or
	// removed: waiters for capacity look again.
	freed chan struct{}

	launches, restarts atomic.Int64
}

var _ checks.BrowserPool = (*Pool)(nil)

// instance is one browser of the pool.
type instance struct {
	key    string
	s      *session
	caNote string // what became of ca_file (evidence)
	// ready is closed once the launch ended; err is its outcome.
	ready chan struct{}
	err   error
	busy  bool
}

// NewPool returns an empty pool; browsers start on demand (or Warm).
func NewPool(o PoolOptions) *Pool {
	o.Size = max(o.Size, 1)
	if o.Certutil == "" {
		o.Certutil = "certutil"
	}
	if o.RetireMB <= 0 {
		o.RetireMB = DefaultRetireMB
	}
	ctx, cancel := context.WithCancel(context.Background())
	sweepStale(o.TempDir, time.Now())
	return &Pool{opts: o, ctx: ctx, cancel: cancel, freed: make(chan struct{})}
}

// RetireMB is the memory past which a browser is retired after a run.
func (p *Pool) RetireMB() int64 { return p.opts.RetireMB }

// Size is how many browsers the pool holds now (launching ones included).
func (p *Pool) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.all)
}

// Restarts counts browsers closed and replaced because they died or grew.
func (p *Pool) Restarts() int64 { return p.restarts.Load() }

// Launches counts the browsers the pool started.
func (p *Pool) Launches() int64 { return p.launches.Load() }

// poolRequest is what a run needs of a browser.
type poolRequest struct {
	spec     launchSpec // Home unset: the pool makes it for CAFile
	caFile   string
	realHome string
}

// key is what must match for a browser to serve the request: everything
// fixed at launch. Proxy credentials are not part of it (they are given
// per page, see proxyAuth).
func (r poolRequest) key() string {
	var b strings.Builder
	for _, s := range []string{r.spec.Bin, r.spec.HostRules, r.spec.Prefs, pacURL(r.spec.Route), r.caFile, r.realHome} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	f := proxyFlags(r.spec.Route)
	for _, k := range []string{"no-proxy-server", "proxy-server", "proxy-bypass-list"} {
		if v, ok := f[k]; ok {
			b.WriteString(k + "=" + v)
		}
		b.WriteByte(0)
	}
	return b.String()
}

// Warm starts, in the background, a browser fit for env's run (its route
// decided through env.Route), so that its launch overlaps the checks that
// run before browser.page. It returns at once.
func (p *Pool) Warm(env *checks.Env) {
	if env == nil || env.Target.URL == nil {
		return
	}
	if !p.track() {
		return
	}
	go func() {
		defer p.bg.Done()
		ctx, cancel := context.WithTimeout(p.ctx, poolLaunchLimit)
		defer cancel()
		c := New().(*pageCheck)
		c.certutil = p.opts.Certutil
		bin, ok := c.browserPath(ctx, env)
		if !ok {
			return
		}
		route, err := env.Route(ctx, env.Target.URL)
		if err != nil {
			route = checks.Route{Source: checks.SourceDirect}
		}
		req := poolRequest{spec: launchSpec{Bin: bin, Route: route, HostRules: env.BrowserHostRules}, caFile: env.Target.CAFile}
		if req.caFile != "" {
			req.realHome = (&visit{env: env}).realHome()
		}
		p.warm(req)
	}()
}

// track counts background work unless the pool is closed.
func (p *Pool) track() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.bg.Add(1)
	return true
}

// warm launches an idle browser for req unless one exists or the pool is
// full.
func (p *Pool) warm(req poolRequest) {
	key := req.key()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.all) >= p.opts.Size {
		return
	}
	for _, in := range p.all {
		if in.key == key && !in.busy {
			return
		}
	}
	p.launchLocked(req, false)
}

// lease is one run's use of a pool browser: an incognito context in it.
type lease struct {
	pool    *Pool
	in      *instance
	browser *rod.Browser // bound to the incognito context
	proc    *chromeProc
	// warm: the browser was already up when the run asked for it.
	warm bool
}

// take borrows a browser fit for req and opens a fresh incognito context
// in it, waiting (under ctx) for a launch or for a browser to be free.
func (p *Pool) take(ctx context.Context, req poolRequest) (*lease, error) {
	key := req.key()
	for {
		in, wait, err := p.pick(req, key)
		if err != nil {
			return nil, err
		}
		if in == nil {
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("browser: waiting for a free browser: %w", ctx.Err())
			}
		}
		warm := isClosed(in.ready)
		select {
		case <-in.ready:
		case <-ctx.Done():
			p.release(in, false)
			return nil, ctx.Err()
		}
		if in.err != nil {
			p.release(in, true)
			return nil, in.err
		}
		if in.s.proc.hasExited() {
			p.release(in, true) // died while idle: replaced on the next turn
			continue
		}
		b, err := in.s.browser.Context(ctx).Incognito()
		if err != nil {
			p.release(in, true)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("browser: incognito context: %w", err)
		}
		return &lease{pool: p, in: in, browser: b, proc: in.s.proc, warm: warm}, nil
	}
}

// pick marks a matching idle browser busy, or launches one when there is
// room (closing an idle browser of another key to make room); else it
// returns a channel that is closed when something is freed.
func (p *Pool) pick(req poolRequest, key string) (*instance, <-chan struct{}, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, nil, errPoolClosed
	}
	for _, in := range p.all {
		if in.key == key && !in.busy {
			in.busy = true
			return in, nil, nil
		}
	}
	if len(p.all) >= p.opts.Size {
		for _, in := range p.all {
			if !in.busy {
				p.removeLocked(in)
				break
			}
		}
	}
	if len(p.all) < p.opts.Size {
		return p.launchLocked(req, true), nil, nil
	}
	return nil, p.freed, nil
}

// launchLocked adds an instance and starts its browser in the background.
func (p *Pool) launchLocked(req poolRequest, busy bool) *instance {
	in := &instance{key: req.key(), ready: make(chan struct{}), busy: busy}
	p.all = append(p.all, in)
	p.launches.Add(1)
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		in.s, in.caNote, in.err = p.start(req)
		close(in.ready)
	}()
	return in
}

// start launches one browser for req under the pool's context.
func (p *Pool) start(req poolRequest) (*session, string, error) {
	s, err := newSession(p.opts.TempDir)
	if err != nil {
		return nil, "", err
	}
	s.life, s.endLife = context.WithCancel(p.ctx)
	ctx, cancel := context.WithTimeout(p.ctx, poolLaunchLimit)
	defer cancel()
	spec, note := req.spec, ""
	if req.caFile != "" {
		spec.Home, note = trustCA(ctx, req.caFile, s.root, req.realHome, p.opts.Certutil)
	}
	if err := s.start(ctx, spec); err != nil {
		if launchTimedOut(err) || ctx.Err() != nil {
			err = fmt.Errorf("browser: launch: %w", context.DeadlineExceeded)
		}
		return s, note, err
	}
	return s, note, nil
}

// release ends a run's use of in: an instance that failed, died or grew
// is removed and closed (and counted as a restart); else it is idle again.
func (p *Pool) release(in *instance, retire bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	in.busy = false
	if p.closed || !slices.Contains(p.all, in) {
		return
	}
	if retire {
		p.removeLocked(in)
		if isClosed(in.ready) && in.err == nil {
			p.restarts.Add(1)
		}
		return
	}
	p.signalLocked()
}

// removeLocked takes in out of the pool and closes it in the background.
func (p *Pool) removeLocked(in *instance) {
	for i, x := range p.all {
		if x == in {
			p.all = append(p.all[:i], p.all[i+1:]...)
			break
		}
	}
	p.closeInstance(in)
	p.signalLocked()
}

func (p *Pool) signalLocked() {
	close(p.freed)
	p.freed = make(chan struct{})
}

// closeInstance closes in's browser and removes its profile once its
// launch has ended (cancelled by Close at the latest).
func (p *Pool) closeInstance(in *instance) {
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		<-in.ready
		if in.s != nil {
			// What outlives close (the wait for exit, removing the
			// profile) is tracked too: Close waits for all of it.
			in.s.spawn = func(f func()) {
				p.bg.Add(1)
				go func() { defer p.bg.Done(); f() }()
			}
			in.s.close(time.Now().Add(closeWait + closeWait))
		}
	}()
}

// Close closes every browser (busy ones too) and removes every profile,
// waiting until that is done or ctx ends; it reports whether it finished.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		p.cancel()
		for _, in := range p.all {
			p.closeInstance(in)
		}
		p.all = nil
		p.signalLocked()
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.bg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("browser: closing the browser pool: %w", ctx.Err())
	}
}

// end disposes of the run's incognito context and gives the browser back:
// retired when the context could not be disposed of, the browser died or
// its memory grew past the pool's RetireMB. It waits until returnBy at most.
func (l *lease) end(returnBy time.Time) {
	if l == nil {
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), laterOf(returnBy, time.Now().Add(minCloseWait)))
	defer cancel()
	ctx, cancel2 := context.WithTimeout(ctx, disposeWait)
	defer cancel2()
	err := proto.TargetDisposeBrowserContext{BrowserContextID: l.browser.BrowserContextID}.Call(l.browser.Context(ctx))
	retire := err != nil || l.proc.hasExited()
	if !retire {
		if total, _, ok := treeRSS(l.proc.pid()); ok && total>>20 > l.pool.opts.RetireMB {
			retire = true
		}
	}
	l.pool.release(l.in, retire)
}

// isClosed reports whether ch is closed.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
