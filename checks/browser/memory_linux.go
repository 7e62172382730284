package browser

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// treeRSS is the resident anonymous memory, in bytes, of the processes in
// process group pgid (the browser and its helpers), in all and of the
// biggest one, from /proc.
func treeRSS(pgid int) (total, biggest int64, ok bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, false
	}
	page := int64(os.Getpagesize())
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		pages, in := anonIfInGroup(filepath.Join("/proc", e.Name()), pgid)
		if in {
			total += pages * page
			biggest = max(biggest, pages*page)
		}
	}
	return total, biggest, total > 0
}

// anonIfInGroup is the resident anonymous (private, non-file) pages of
// the process in dir when its process group is pgid: what a page's
// allocations grow. Shared libraries, mapped in every helper, are left
// out so that they are not counted once per process.
func anonIfInGroup(dir string, pgid int) (int64, bool) {
	if !inGroup(dir, pgid) {
		return 0, false
	}
	b, err := os.ReadFile(filepath.Join(dir, "statm"))
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 3 {
		return 0, false
	}
	resident, err1 := strconv.ParseInt(string(f[1]), 10, 64)
	shared, err2 := strconv.ParseInt(string(f[2]), 10, 64)
	if err1 != nil || err2 != nil || resident < shared {
		return 0, false
	}
	return resident - shared, true
}

// inGroup reads /proc/<pid>/stat: whether the process's group is pgid.
func inGroup(dir string, pgid int) bool {
	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return false
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields that follow start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return false
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state): pgrp is field 5.
	if len(f) < 3 {
		return false
	}
	g, err := strconv.Atoi(string(f[2]))
	return err == nil && g == pgid
}
