//go:build !windows

package main

import (
	"bufio"
	"bytes"
	"runtime"
	"strings"
)

// osVersion reads the distribution's name on Linux; elsewhere the GOOS.
func osVersion() string {
	sc := bufio.NewScanner(bytes.NewReader(readSmall("/etc/os-release")))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return runtime.GOOS
}

// resolvers lists the nameservers of /etc/resolv.conf (Unix).
func resolvers() []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(readSmall("/etc/resolv.conf")))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			out = append(out, fields[1])
		}
	}
	return out
}
