//go:build !unix

package main

import "io/fs"

// profileOwnerProblem: off Unix, files are guarded by ACLs, not by owner
// and mode bits, so only the kind of file is checked.
func profileOwnerProblem(st fs.FileInfo) string {
	if !st.Mode().IsRegular() {
		return "is " + fileKind(st.Mode()) + ", not a file"
	}
	return ""
}
