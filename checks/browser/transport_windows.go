package browser

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"sync"

	"github.com/go-rod/rod/lib/cdp"
)

// debugFlag is the Chrome flag that selects this transport: Go cannot hand
// Chrome the pipe handles it expects on Windows, so the browser listens on
// a random loopback port and says which on stderr.
const debugFlag = "remote-debugging-port=0"

var devtoolsLine = regexp.MustCompile(`DevTools listening on (ws://127\.0\.0\.1:\d+/devtools/browser/[\w-]+)`)

// transport finds the DevTools URL in the browser's stderr.
type transport struct {
	mu    sync.Mutex
	buf   []byte
	found chan string
	once  sync.Once
}

func newTransport(cmd *exec.Cmd) (*transport, error) {
	t := &transport{found: make(chan string, 1)}
	next := cmd.Stderr
	cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		t.scan(b)
		if next != nil {
			return next.Write(b)
		}
		return len(b), nil
	})
	return t, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// scan looks for the DevTools line in the first 64 KB of stderr.
func (t *transport) scan(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.buf) > 64<<10 {
		return
	}
	t.buf = append(t.buf, b...)
	if m := devtoolsLine.FindSubmatch(t.buf); m != nil {
		t.once.Do(func() { t.found <- string(m[1]) })
	}
}

func (*transport) afterStart() {}

func (*transport) close() {}

// client connects to the announced DevTools URL under ctx.
func (t *transport) client(ctx context.Context) (*cdp.Client, error) {
	select {
	case u := <-t.found:
		c, err := cdp.StartWithURL(ctx, u, nil)
		if err != nil {
			return nil, fmt.Errorf("browser: devtools: %w", err)
		}
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
