//go:build unix

package main

import (
	"io/fs"
	"os"
	"syscall"
)

// profileOwnerProblem applies ownershipProblem to an opened profile's
// status; "" when it may be trusted.
func profileOwnerProblem(st fs.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return "has no owner this system can read"
	}
	return ownershipProblem(st.Mode(), int(sys.Uid), os.Geteuid())
}
