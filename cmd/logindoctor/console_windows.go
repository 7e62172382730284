//go:build windows

package main

import (
	"os"

	"github.com/inconshreveable/mousetrap"
	"golang.org/x/sys/windows"
)

// startedByExplorer: the program was double-clicked (its console belongs
// to it alone), the way cobra's mousetrap tells.
func startedByExplorer() bool { return mousetrap.StartedByExplorer() }

// setupConsole makes the console show UTF-8 (✓, ✗, Chinese) and ANSI
// colours; it reports whether colour codes are understood.
func setupConsole() (ansi bool) {
	_ = windows.SetConsoleOutputCP(65001)
	h := windows.Handle(os.Stdout.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return false
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
