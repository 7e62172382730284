//go:build windows

package main

import (
	"fmt"

	"golang.org/x/sys/windows"

	"github.com/logindoctor/logindoctor/checks/dnsresolve"
)

// osVersion is Windows's own version (RtlGetVersion does not lie for
// compatibility as GetVersionEx does): "Windows 10.0.22631".
func osVersion() string {
	v := windows.RtlGetVersion()
	return fmt.Sprintf("Windows %d.%d.%d", v.MajorVersion, v.MinorVersion, v.BuildNumber)
}

// resolvers lists the DNS servers of the adapters that are up, as Windows
// uses them (there is no resolv.conf).
func resolvers() []string {
	out, _ := dnsresolve.SystemNameservers()
	return out
}
