package main

// Which profile is read, and how far it is trusted. A profile can name a
// program to run (browser.path) and say which secret to read and where to
// send it, so a profile is read only from a file nobody else can change,
// and one that merely lies in the working directory — a cloned repository,
// an unpacked archive, a shared folder — may set none of those keys.

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// profileSource says how a profile was found.
type profileSource int

const (
	sourceFlag          profileSource = iota // --config
	sourceWorkDir                            // ./logindoctor.yaml
	sourceUserDir                            // the user's config dir
	sourceBesideProgram                      // next to the executable
)

// String is how -v and errors name the source.
func (s profileSource) String() string {
	switch s {
	case sourceWorkDir:
		return "found in the working directory"
	case sourceUserDir:
		return "user config dir"
	case sourceBesideProgram:
		return "beside the program"
	}
	return "--config"
}

// profile is a configuration file and how it was found.
type profile struct {
	path   string
	source profileSource
}

// workDirRefusedKeys are the keys a profile found in the working directory
// may not set: its author need not be the user (files one clones, unpacks
// or downloads are owned by oneself, so ownership cannot tell). Each runs a
// program, chooses a secret, or chooses where a request carrying a secret
// goes or whom it trusts on the way (with the default account.token_env, a
// base_url alone would send the user's token to its server).
var workDirRefusedKeys = []string{
	"browser.path",                                                  // a program to run
	"account.token_env", "account.token_file", "helpdesk.token_env", // which secret is read
	"account.base_url", "account.generic", "account.ldap", "helpdesk.upload_url", // where it is sent
	"proxy.url", "proxy.pac_url", "ca_file", // the way it travels and whom TLS trusts
}

// findProfile returns the configuration file to read: --config, else
// ./logindoctor.yaml, else the user's config dir, else next to the binary
// (a working directory that is the program's own counts as the latter).
// Its path is "" when there is none (which is fine when a URL is given).
func findProfile(explicit string) profile {
	if explicit != "" {
		return profile{path: explicit, source: sourceFlag}
	}
	var candidates []profile
	if dir, err := os.UserConfigDir(); err == nil {
		candidates = append(candidates,
			profile{filepath.Join(dir, "logindoctor", profileName), sourceUserDir},
			profile{filepath.Join(dir, "logindoctor", "config.yaml"), sourceUserDir})
	}
	beside := profile{source: sourceBesideProgram}
	if exe, err := os.Executable(); err == nil {
		beside.path = filepath.Join(filepath.Dir(exe), profileName)
		candidates = append(candidates, beside)
	}
	here := "." + string(filepath.Separator) + profileName
	if st, err := os.Stat(here); err == nil && st.Mode().IsRegular() {
		if other, err := os.Stat(beside.path); beside.path != "" && err == nil && os.SameFile(st, other) {
			return beside
		}
		return profile{path: here, source: sourceWorkDir}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c.path); err == nil && st.Mode().IsRegular() {
			return c
		}
	}
	return profile{}
}

// ownershipProblem decides, for a profile of mode m owned by uid read by a
// process of effective uid euid, why it may not be trusted ("" when it may):
// it must be a regular file that only its owner — the user or root — can
// change.
func ownershipProblem(m fs.FileMode, uid, euid int) string {
	switch {
	case !m.IsRegular():
		return "is " + fileKind(m) + ", not a file"
	case uid != euid && uid != 0:
		return fmt.Sprintf("belongs to another user (uid %d)", uid)
	case m.Perm()&0o022 != 0:
		return fmt.Sprintf("can be changed by other users (mode %04o)", m.Perm())
	}
	return ""
}

// untrustedProfile is the exit-2 error for a profile that failed the
// ownership check, saying what to do.
func untrustedProfile(p profile, problem string) error {
	fix := "run chmod go-w " + p.path
	if strings.HasPrefix(problem, "belongs") {
		fix = "copy it to a file of your own (or chown it to yourself) and pass that with --config"
	}
	return configErrorf("profile %s (%s) %s, so it is not read: %s", p.path, p.source, problem, fix)
}

// refusedWorkDirKeys lists the keys of workDirRefusedKeys that set, a
// subset of the keys a profile sets.
func refusedWorkDirKeys(set []string) []string {
	var out []string
	for _, k := range set {
		for _, r := range workDirRefusedKeys {
			if k == r || strings.HasPrefix(k, r+".") {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
