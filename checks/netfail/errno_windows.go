//go:build windows

package netfail

import "syscall"

// osErrnoKind reads Winsock numbers first, then Go's portable names.
func osErrnoKind(errno syscall.Errno) (Kind, bool) {
	if k, ok := winsockKind(errno); ok {
		return k, true
	}
	return posixKind(errno)
}
