//go:build linux

package tlscert

import (
	"fmt"
	"syscall"
)

// mssControl returns a net.Dialer.Control that sets TCP_MAXSEG to mss on
// the socket before it connects, so that the server sends small segments.
func mssControl(mss int) func(network, address string, c syscall.RawConn) error {
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, mss)
		})
		if err != nil {
			return fmt.Errorf("set TCP_MAXSEG: %w", err)
		}
		if serr != nil {
			return fmt.Errorf("set TCP_MAXSEG %d: %w", mss, serr)
		}
		return nil
	}
}
