//go:build !linux

package tlscert

import "syscall"

// mssControl is nil where the MSS of a socket is not set before connect:
// there is no small-packet retry, a stalled handshake stays a timeout.
func mssControl(int) func(network, address string, c syscall.RawConn) error { return nil }
