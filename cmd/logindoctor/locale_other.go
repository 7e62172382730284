//go:build !windows && !darwin

package main

// osLocale: on Unix other than macOS the environment is the OS setting.
func osLocale() string { return "" }
