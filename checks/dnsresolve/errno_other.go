//go:build !windows

package dnsresolve

import (
	"errors"
	"syscall"
)

// isRefused reports a refused connection; for UDP that is the ICMP "port
// unreachable" of a host with no DNS server on the port.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
