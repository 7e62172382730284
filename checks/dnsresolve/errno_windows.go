//go:build windows

package dnsresolve

import (
	"errors"
	"syscall"
)

// isRefused reports a refused connection. Windows reports the ICMP "port
// unreachable" of a UDP query as WSAECONNRESET.
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.Errno(10061)) || // WSAECONNREFUSED
		errors.Is(err, syscall.WSAECONNRESET)
}
