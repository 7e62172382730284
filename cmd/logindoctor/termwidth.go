package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/logindoctor/logindoctor/report"
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

// sayErr prints msg on stderr, wrapped to the terminal's width at word
// boundaries (CJK-aware; unchanged off a terminal). Each of keep (a path
// the person copies) is never broken: it stays whole on its line.
func (a *app) sayErr(msg string, keep ...string) {
	w := a.errWidth()
	if w <= 1 {
		fmt.Fprintln(a.io.ErrOut, msg)
		return
	}
	marks := make([]string, len(keep))
	for i, k := range keep {
		if k == "" {
			continue
		}
		marks[i] = string(rune(0xE000 + i)) // a private-use rune: one column, never in a message
		msg = strings.Replace(msg, k, marks[i], 1)
	}
	msg = report.Wrap(msg, w-1)
	for i, k := range keep {
		if marks[i] != "" {
			msg = strings.Replace(msg, marks[i], k, 1)
		}
	}
	fmt.Fprintln(a.io.ErrOut, msg)
}
