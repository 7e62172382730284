//go:build !unix && !windows

package main

// fdWidth is unknown on this platform.
func fdWidth(uintptr) int { return 0 }
