//go:build unix

package browser

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"

	"github.com/go-rod/rod/lib/cdp"
)

// maxMessage bounds one DevTools message from the browser (a full-page
// screenshot is a few MB).
const maxCDPMessage = 64 << 20

// transport is the DevTools connection over the pipes Chrome opens with
// --remote-debugging-pipe (it reads fd 3, writes fd 4): unlike a debugging
// port on 127.0.0.1, no other local user can connect to it and drive a
// browser that may run as root.
type transport struct {
	toChrome, fromChrome *os.File // our ends
	childIn, childOut    *os.File // Chrome's ends (closed once it started)
	mu                   sync.Mutex
	r                    *bufio.Reader
}

// debugFlag is the Chrome flag that selects this transport.
const debugFlag = "remote-debugging-pipe"

// newTransport makes the pipes and hands Chrome its ends as fd 3 and 4.
func newTransport(cmd *exec.Cmd) (*transport, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("browser: pipe: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		_ = inR.Close()
		_ = inW.Close()
		return nil, fmt.Errorf("browser: pipe: %w", err)
	}
	cmd.ExtraFiles = []*os.File{inR, outW}
	return &transport{toChrome: inW, fromChrome: outR, childIn: inR, childOut: outW, r: bufio.NewReaderSize(outR, 64<<10)}, nil
}

// afterStart closes our copies of Chrome's ends, so that reading sees EOF
// once Chrome is gone.
func (t *transport) afterStart() {
	_ = t.childIn.Close()
	_ = t.childOut.Close()
}

// close closes our ends (unblocks a pending Read).
func (t *transport) close() {
	_ = t.toChrome.Close()
	_ = t.fromChrome.Close()
}

// client starts the CDP client on the pipes; rod's Connect then waits for
// the browser's first answer under ctx.
func (t *transport) client(context.Context) (*cdp.Client, error) {
	return cdp.New().Start(t), nil
}

// Send implements cdp.WebSocketable: one message, NUL-terminated.
func (t *transport) Send(b []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.toChrome.Write(append(b[:len(b):len(b)], 0)); err != nil {
		return fmt.Errorf("browser: devtools pipe: %w", err)
	}
	return nil
}

// Read implements cdp.WebSocketable: the next NUL-terminated message.
func (t *transport) Read() ([]byte, error) {
	var msg []byte
	for {
		chunk, err := t.r.ReadSlice(0)
		if len(msg)+len(chunk) > maxCDPMessage {
			return nil, errors.New("browser: devtools message too large")
		}
		msg = append(msg, chunk...)
		switch {
		case err == nil:
			return bytes.TrimSuffix(msg, []byte{0}), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return nil, fmt.Errorf("browser: devtools pipe: %w", err)
		}
	}
}
