//go:build !windows

package main

// startedByExplorer: only Windows programs are double-clicked into a
// console of their own.
func startedByExplorer() bool { return false }

// setupConsole: terminals elsewhere speak UTF-8 and ANSI already.
func setupConsole() (ansi bool) { return true }
