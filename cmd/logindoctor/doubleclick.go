package main

// A double-click from Explorer opens a console window that closes when the
// program ends. cobra would print "This is a command line tool…" and quit;
// staff who double-click the program IT gave them get the check instead:
// with the profile shipped beside the program, the report, the bundle
// saved for IT, and the window kept open until they press Enter.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// launchPlan is how a start of the program is run.
type launchPlan struct {
	args []string
	// doubleClicked: save the bundle for IT and wait for Enter at the end.
	doubleClicked bool
}

// planLaunch decides the run of a start: a double-click (startedByExplorer,
// no arguments) checks with the profile beside the program when there is
// one (else it asks for the address), and pauses at the end.
func planLaunch(explorer bool, args []string, exe string, exists func(string) bool) launchPlan {
	if !explorer || len(args) > 0 {
		return launchPlan{args: args}
	}
	p := launchPlan{args: []string{}, doubleClicked: true}
	if exe != "" {
		if beside := filepath.Join(filepath.Dir(exe), profileName); exists(beside) {
			p.args = []string{"--config", beside}
		}
	}
	return p
}

// fileExists reports a regular file at path.
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// executable is the program's path ("" when unknown).
func executable() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return exe
}

// pressEnter keeps a double-clicked window open until Enter (or Ctrl-C,
// or the end of input), saying so in the reader's language.
func (a *app) pressEnter(ctx context.Context) {
	fmt.Fprintln(a.io.ErrOut)
	fmt.Fprint(a.io.ErrOut, a.t("cli.press_enter", nil)+" ")
	_, _ = a.stdin.next(ctx)
}
