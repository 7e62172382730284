package main

import (
	"bytes"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams are the program's standard streams and what is known about them.
// Tests use testStreams; nothing else touches os.Stdout.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY / ErrTTY / InTTY say whether each stream is a terminal.
	OutTTY, ErrTTY, InTTY bool
	// NoANSI: the terminal shows colour codes as text (a Windows console
	// without virtual-terminal processing).
	NoANSI bool
	// Getenv and Environ read the environment.
	Getenv  func(string) string
	Environ func() []string
}

func systemStreams() *IOStreams {
	tty := func(f *os.File) bool { return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()) }
	ansi := setupConsole()
	return &IOStreams{
		NoANSI: !ansi,
		In:     os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: tty(os.Stdout), ErrTTY: tty(os.Stderr), InTTY: tty(os.Stdin),
		Getenv: os.Getenv, Environ: os.Environ,
	}
}

// testStreams returns streams backed by buffers (not terminals) and the
// given environment.
func testStreams(env map[string]string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	environ := make([]string, 0, len(env))
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return &IOStreams{
		In: &bytes.Buffer{}, Out: out, ErrOut: errOut,
		Getenv:  func(k string) string { return env[k] },
		Environ: func() []string { return environ },
	}, out, errOut
}

// colorEnabled: colour only on a terminal and when NO_COLOR is unset.
func (s *IOStreams) colorEnabled(noColorFlag bool) bool {
	return s.OutTTY && !s.NoANSI && !noColorFlag && s.Getenv("NO_COLOR") == ""
}
