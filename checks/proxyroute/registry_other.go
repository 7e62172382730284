//go:build !windows

package proxyroute

// readWindowsValues is only available on Windows.
func readWindowsValues() (WindowsValues, error) { return WindowsValues{}, errNotThisOS }
