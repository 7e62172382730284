package browser

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-rod/rod/lib/cdp"
)

// waitDelay bounds how long reaping the browser waits for helper
// processes that still hold its stderr after it exited.
const waitDelay = 2 * time.Second

// chromeProc is one browser process we started ourselves (no helper binary
// in between): its process tree is tied to ours (see procAttr, treeGuard)
// and is killed as a whole.
type chromeProc struct {
	cmd    *exec.Cmd
	conn   *transport
	guard  *treeGuard
	stderr *tail
	// started delivers cmd.Start's outcome exactly once.
	started chan error
	// exited is closed once the browser has exited and was reaped.
	exited chan struct{}
	// mu orders kill against reaping: once the browser is reaped its
	// process group id may be reused and must not be signalled.
	mu     sync.Mutex
	reaped bool
}

// startChrome starts bin with args and env from a goroutine locked to its
// OS thread that stays alive until the browser has exited: on Linux the
// browser gets SIGKILL when that thread (so also our process) dies.
// It returns at once; started reports the outcome.
func startChrome(bin string, args, env []string) (*chromeProc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.SysProcAttr = procAttr()
	cmd.WaitDelay = waitDelay
	p := &chromeProc{cmd: cmd, stderr: &tail{max: 4096}, started: make(chan error, 1), exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	conn, err := newTransport(cmd)
	if err != nil {
		return nil, err
	}
	p.conn = conn
	go p.run()
	return p, nil
}

// run starts the browser and waits for it on the same locked OS thread.
// The thread is never unlocked: it ends with this goroutine, after the
// browser is gone.
func (p *chromeProc) run() {
	runtime.LockOSThread()
	defer close(p.exited)
	err := p.cmd.Start()
	p.conn.afterStart()
	if err == nil {
		p.guard, err = newTreeGuard(p.cmd.Process)
		if err != nil {
			killTree(p.cmd.Process, p.guard)
		}
	}
	p.started <- err
	if p.cmd.Process == nil {
		p.conn.close()
		return
	}
	p.reap()
	p.guard.release()
	p.conn.close()
}

// connect waits for the browser to start and opens the DevTools
// connection, giving up when ctx ends or the browser exits.
func (p *chromeProc) connect(ctx context.Context) (*cdp.Client, error) {
	select {
	case err := <-p.started:
		p.started <- err // keep it for kill
		if err != nil {
			return nil, fmt.Errorf("start: %w", err)
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-p.exited:
			cancel()
		case <-cctx.Done():
		}
	}()
	c, err := p.conn.client(cctx)
	if err != nil && ctx.Err() == nil && p.hasExited() {
		return nil, p.exitError()
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (p *chromeProc) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// exitError says why the browser exited early, from the end of its
// stderr (queries cut: a URL there may carry a token).
func (p *chromeProc) exitError() error {
	msg := strings.TrimSpace(p.stderr.String())
	if msg == "" {
		msg = "no output"
	}
	return fmt.Errorf("the browser exited while starting: %w: %s", errExited, clip(redactText(msg), 300))
}

// errExited marks a browser that exited before it could be used.
var errExited = errors.New("browser exited")

// reap waits for the browser to exit and reaps it. Where the exit can be
// seen before reaping (Linux), what is left of its process tree is killed
// first: helpers must not outlive the browser.
func (p *chromeProc) reap() {
	if waitExitNoReap(p.cmd.Process) {
		p.mu.Lock()
		defer p.mu.Unlock()
		killTree(p.cmd.Process, p.guard)
		_ = p.cmd.Wait()
		p.reaped = true
		return
	}
	_ = p.cmd.Wait()
	p.mu.Lock()
	p.reaped = true
	p.mu.Unlock()
}

// kill takes the whole browser down (once Start has reported).
func (p *chromeProc) kill() {
	err := <-p.started
	p.started <- err
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.reaped {
		killTree(p.cmd.Process, p.guard)
	}
}

// wait waits up to d for the browser to exit.
func (p *chromeProc) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
		return true
	case <-t.C:
		return false
	}
}

// pid is the browser's process id (0 before it started).
func (p *chromeProc) pid() int {
	select {
	case err := <-p.started:
		p.started <- err
		if err == nil {
			return p.cmd.Process.Pid
		}
	default:
	}
	return 0
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

var urlQuery = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#"']*)[?#][^\s"']*`)

// redactText cuts queries and fragments off the URLs in s.
func redactText(s string) string {
	return urlQuery.ReplaceAllString(s, "$1?…")
}
