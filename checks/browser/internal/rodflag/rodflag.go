// Package rodflag turns off go-rod's global "-rod" command-line flag.
//
// rod's lib/defaults package registers a "-rod" flag and parses os.Args in
// its init; a stray "-rod=x" then panics the program ("unknown rod env
// option"), and "-rod=bin=…,url=…" would silently redirect rod. It skips
// all of that when DISABLE_ROD_FLAG is set — but only if the variable is
// set before its init runs.
//
// Go initialises packages in import-path order among those whose imports
// are done (the Go 1.21 rule). This package imports only os, so it becomes
// ready as soon as os is; lib/defaults also needs log, flag and regexp,
// which import os too and sort after this package's path
// ("github.com/logindoctor/…" < "log"). So this init always runs before
// rod's. checks/browser imports it for its side effect; the test
// TestStrayRodFlagIsAnUnknownFlag guards the ordering.
package rodflag

import "os"

// EnvVar is the variable rod's defaults package looks for.
const EnvVar = "DISABLE_ROD_FLAG"

func init() {
	if _, set := os.LookupEnv(EnvVar); !set {
		_ = os.Setenv(EnvVar, "1")
	}
}
