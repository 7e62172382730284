package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/logindoctor/logindoctor/report"
)

// maxAddressTries is how often the prompt asks for the CRM address.
const maxAddressTries = 3

// maxLineBytes bounds one line read from the terminal.
const maxLineBytes = 4096

// lineReader reads stdin a line at a time in a goroutine, so that a reader
// can give up when the run is cancelled (Ctrl-C) while the read goes on; a
// read left pending is the one the next call gets, so no line is lost.
type lineReader struct {
	r       *bufio.Reader
	pending chan lineResult
}

type lineResult struct {
	line string
	err  error
}

func newLineReader(in io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(in, maxLineBytes)}
}

// next returns the next line without its line ending, io.EOF at the end
// of input, or ctx's error when ctx ends first.
func (l *lineReader) next(ctx context.Context) (string, error) {
	if l.pending == nil {
		ch := make(chan lineResult, 1)
		l.pending = ch
		go func() {
			line, err := l.r.ReadString('\n')
			if err == io.EOF && line != "" {
				err = nil
			}
			if len(line) > maxLineBytes {
				line = line[:maxLineBytes]
			}
			ch <- lineResult{strings.TrimRight(line, "\r\n"), err}
		}()
	}
	select {
	case res := <-l.pending:
		l.pending = nil
		return res.line, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// askForURL asks for the CRM address on a terminal, again with a hint in
// the reader's language when the answer is no usable address, up to
// maxAddressTries times; Ctrl-C or the end of input ends it at once.
// Elsewhere a missing address is a configuration error.
func (a *app) askForURL(ctx context.Context) (*url.URL, error) {
	if !a.io.InTTY || !a.io.ErrTTY {
		return nil, configErrorf("%s", a.t("cli.no_url", nil))
	}
	fmt.Fprint(a.io.ErrOut, a.t("cli.ask_url", nil)+" ")
	for try := 1; ; try++ {
		line, err := a.stdin.next(ctx)
		switch {
		case ctx.Err() != nil:
			fmt.Fprintln(a.io.ErrOut)
			fmt.Fprintln(a.io.ErrOut, a.t("cli.interrupted", nil))
			return nil, &interruptedError{cause: context.Cause(ctx)}
		case err != nil:
			fmt.Fprintln(a.io.ErrOut)
			return nil, configErrorf("%s", a.t("cli.no_url", nil))
		}
		line = strings.TrimSpace(line)
		id, params := addressProblem(line)
		if id == "" {
			return parseLoginURL(line)
		}
		if try == maxAddressTries {
			return nil, configErrorf("%s", a.t("cli.ask_url_gave_up", map[string]any{"tries": maxAddressTries}))
		}
		hint := a.t("cli.ask_url_again", map[string]any{"input": line, "problem": a.sentence(a.t(id, params))})
		if w := a.errWidth(); w > 1 {
			hint = report.Wrap(hint, w-1)
		}
		fmt.Fprint(a.io.ErrOut, hint+" ")
	}
}

// sentence ends s with the reader's full stop unless it ends with a mark
// of its own ("did you mean …?" must not become "…?.").
func (a *app) sentence(s string) string {
	if last, _ := utf8.DecodeLastRuneInString(s); strings.ContainsRune("?？.。!！", last) {
		return s
	}
	return s + a.t("cli.full_stop", nil)
}

// checkTargetArg refuses a first argument that is a typo of a command or
// an address that cannot be meant as written (exit 2), saying what was
// probably meant.
func (a *app) checkTargetArg(args []string, commands []string) error {
	if len(args) == 0 {
		return nil
	}
	arg := args[0]
	if c := nearCommand(arg, commands); c != "" {
		return &usageError{err: fmt.Errorf("%s", a.t("cli.did_you_mean_command", map[string]any{"arg": arg, "command": c}))}
	}
	if id, params := addressProblem(arg); id != "" {
		return &usageError{err: fmt.Errorf("%s", a.t("cli.bad_address", map[string]any{"arg": arg, "problem": a.t(id, params)}))}
	}
	return nil
}
