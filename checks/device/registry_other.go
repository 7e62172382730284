//go:build !windows

package device

// systemRegistry is nil off Windows: there is no registry to read.
func systemRegistry() regReader { return nil }
