//go:build windows

package main

import "golang.org/x/sys/windows"

// fdWidth asks the console on fd for its window's width (0: unknown).
func fdWidth(fd uintptr) int {
	var info windows.ConsoleScreenBufferInfo
	if err := windows.GetConsoleScreenBufferInfo(windows.Handle(fd), &info); err != nil {
		return 0
	}
	return int(info.Window.Right-info.Window.Left) + 1
}
