package main

import (
	"strconv"
	"strings"
)

// fdWriter is a stream backed by a file descriptor (an *os.File).
type fdWriter interface{ Fd() uintptr }

// streamWidth is the width in columns of the terminal behind w: $COLUMNS
// when set to a number, else what the terminal says; 0 when unknown.
func streamWidth(w any, getenv func(string) string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	f, ok := w.(fdWriter)
	if !ok {
		return 0
	}
	return fdWidth(f.Fd())
}

// outWidth is the width the text report wraps to: the terminal's, when
// the report goes to a terminal; else 0 (no wrapping: files, pipes, CI).
func (a *app) outWidth(g *globalOptions) int {
	if g.Output != "" || !a.io.OutTTY {
		return 0
	}
	return streamWidth(a.io.Out, a.io.Getenv)
}

// errWidth is the width of the terminal behind stderr (the progress
// line), or 0 when unknown.
func (a *app) errWidth() int {
	if !a.io.ErrTTY {
		return 0
	}
	return streamWidth(a.io.ErrOut, a.io.Getenv)
}
