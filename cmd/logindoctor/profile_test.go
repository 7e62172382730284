package main

import (
	"io/fs"
	"strings"
	"testing"
)

// TestOwnershipDecision: a profile is trusted only when it is a regular
// file of the user or root that no one else can change.
func TestOwnershipDecision(t *testing.T) {
	const me, other = 1000, 1001
	tests := []struct {
		name     string
		mode     fs.FileMode
		uid, eid int
		want     string // "" trusted, else a word of the problem
	}{
		{"mine, private", 0o600, me, me, ""},
		{"mine, readable", 0o644, me, me, ""},
		{"root's, readable", 0o644, 0, me, ""},
		{"root's as root", 0o640, 0, 0, ""},
		{"group-writable", 0o664, me, me, "changed by other users"},
		{"world-writable", 0o646, me, me, "changed by other users"},
		{"root's but world-writable", 0o666, 0, me, "changed by other users"},
		{"another user's", 0o644, other, me, "another user"},
		{"another user's as root", 0o600, other, 0, "another user"},
		{"a directory", fs.ModeDir | 0o755, me, me, "directory"},
		{"a pipe", fs.ModeNamedPipe | 0o600, me, me, "pipe"},
	}
	for _, tc := range tests {
		got := ownershipProblem(tc.mode, tc.uid, tc.eid)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: ownershipProblem = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestWorkDirRefusedKeys: the keys that run a program or steer a secret are
// refused from the working directory, whole sections included; the others
// are not.
func TestWorkDirRefusedKeys(t *testing.T) {
	set := []string{"url", "browser.path", "browser.login_form_selector", "account.base_url", "account.user",
		"account.generic.url", "ca_file", "clock.ntp_servers", "helpdesk.token_env"}
	got := strings.Join(refusedWorkDirKeys(set), ",")
	if want := "browser.path,account.base_url,account.generic,ca_file,helpdesk.token_env"; got != want {
		t.Errorf("refused %s, want %s", got, want)
	}
}
