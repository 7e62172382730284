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

	"github.com/spf13/cobra"
)

func main() {
	// A double-click from Explorer is handled by planLaunch (run the shipped profile, then pause), not by cobra's notice-and-quit.
	cobra.MousetrapHelpText = ""
	os.Exit(run(os.Args[1:], systemStreams()))
}

// run is main without os.Exit: it builds the app and executes the command
// line, ending the run cleanly — clean-up, exit 3 — on Ctrl-C, SIGTERM or
// SIGHUP (the terminal was closed).
func run(args []string, ios *IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return launch(ctx, ios, planLaunch(startedByExplorer(), args, executable(), fileExists))
}

// launch runs a planned start: the command line, then, for a
// double-clicked window, the wait for Enter before the window closes.
func launch(ctx context.Context, ios *IOStreams, plan launchPlan) int {
	a, err := newApp(ios, plan.args)
	if err != nil {
		fmt.Fprintln(ios.ErrOut, "logindoctor:", err)
		return exitBroken
	}
	a.doubleClicked = plan.doubleClicked
	code := a.execute(ctx, plan.args)
	if plan.doubleClicked {
		a.pressEnter(ctx)
	}
	return code
}
