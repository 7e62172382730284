//go:build !windows

package netfail

import "syscall"

// osErrnoKind reads the system's own error numbers.
func osErrnoKind(errno syscall.Errno) (Kind, bool) { return posixKind(errno) }
