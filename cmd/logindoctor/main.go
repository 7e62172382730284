// Command logindoctor finds out why someone cannot log in to a web
// application — first of all their company's CRM — and tells them, in plain
// words and in the right order, what to fix.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], systemStreams()))
}

// run is main without os.Exit: it builds the app and executes the command
// line, ending the run cleanly — report, clean-up, exit 3 — on Ctrl-C,
// SIGTERM or SIGHUP (the terminal was closed).
func run(args []string, ios *IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	a, err := newApp(ios, args)
	if err != nil {
		fmt.Fprintln(ios.ErrOut, "logindoctor:", err)
		return exitBroken
	}
	return a.execute(ctx, args)
}
