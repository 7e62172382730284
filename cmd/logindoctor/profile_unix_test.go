//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/hostile"
)

// runInDir runs the CLI in-process with dir as the working directory.
func runInDir(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	return runCLIParallel(t, env, args...)
}

// TestProfileOthersCanChangeIsRefused: a profile that the group or others
// may write, or that belongs to another user, is exit 2 with what to do,
// whether given with --config or found in the working directory, and the
// run does not start.
func TestProfileOthersCanChangeIsRefused(t *testing.T) {
	tests := []struct {
		name  string
		mode  os.FileMode
		owner int // -1: the test's own user
		want  string
	}{
		{"group-writable", 0o664, -1, "chmod go-w"},
		{"world-writable", 0o606, -1, "chmod go-w"},
		{"another user's", 0o644, 65534, "another user"},
	}
	for _, tc := range tests {
		for _, implicit := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: " --config", true: " working directory"}[implicit], func(t *testing.T) {
				if tc.owner >= 0 {
					requireRoot(t)
				}
				srv := startHostile(t, hostile.Options{Mode: hostile.Silent})
				dir := t.TempDir()
				path := filepath.Join(dir, profileName)
				if err := os.WriteFile(path, []byte("url: https://"+srv.Addr()+"/login\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.mode); err != nil { // not filtered by the umask
					t.Fatal(err)
				}
				if tc.owner >= 0 {
					if err := os.Chown(path, tc.owner, tc.owner); err != nil {
						t.Fatal(err)
					}
				}
				args := []string{"--timeout", "3s"}
				if !implicit {
					args = append(args, "--config", path)
				}
				code, _, errOut := runInDir(t, dir, cleanEnv(nil), args...)
				if code != exitUsage || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, profileName) {
					t.Errorf("exit %d, stderr %q; want 2, the profile named and %q", code, errOut, tc.want)
				}
				if n := srv.Accepted(); n != 0 {
					t.Errorf("the run went ahead: %d connections", n)
				}
			})
		}
	}
}

// TestWorkDirProfileCannotRunAProgramOrSendTheToken: a ./logindoctor.yaml
// of the user's own, found without --config, may not name the browser to
// run (a script that leaves a marker never runs) nor send the token from
// the environment to its own server; passed with --config, the same file
// is honoured (the script does run), which shows the test's script works.
func TestWorkDirProfileCannotRunAProgramOrSendTheToken(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	dir := t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	script := filepath.Join(t.TempDir(), "fake-chrome")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho ran > '"+marker+"'\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, profileName), []byte("url: "+w.url+"\nbrowser:\n  path: "+script+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--ca-file", w.caFile, "--only", "browser.page", "--check-timeout", "5s", "--format", "json"}
	code, _, errOut := runInDir(t, dir, w.env(nil), args...)
	if code != exitUsage || !strings.Contains(errOut, "browser.path") || !strings.Contains(errOut, "--config") {
		t.Errorf("implicit profile: exit %d, stderr %q; want 2 naming browser.path and --config", code, errOut)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the program named by ./logindoctor.yaml ran")
	}
	runInDir(t, dir, w.env(nil), append(args, "--config", filepath.Join(dir, profileName))...)
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("with --config the profile's browser.path was not used either (%v): the test proves nothing", err)
	}

	t.Run("token to the profile's server", func(t *testing.T) {
		api := startHostile(t, hostile.Options{Mode: hostile.Silent})
		dir := t.TempDir()
		yaml := "url: " + w.url + "\naccount:\n  provider: okta\n  user: a@example.com\n  base_url: http://" + api.Addr() + "\n"
		if err := os.WriteFile(filepath.Join(dir, profileName), []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		env := w.env(map[string]string{"LOGINDOCTOR_ACCOUNT_TOKEN": "canary-token-0123456789"})
		code, out, errOut := runInDir(t, dir, env, "--ca-file", w.caFile, "--only", "account.status", "--timeout", "3s")
		if code != exitUsage || !strings.Contains(errOut, "account.base_url") {
			t.Errorf("exit %d, stderr %q; want 2 naming account.base_url", code, errOut)
		}
		if n := api.Accepted(); n != 0 {
			t.Errorf("the profile's server got %d connections", n)
		}
		if strings.Contains(out+errOut, "canary-token") {
			t.Error("the token shows in the output")
		}
	})
}

// TestVerboseNamesTheProfile: -v says which profile was read and why.
func TestVerboseNamesTheProfile(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	yaml := []byte("url: " + w.url + "\n")
	args := []string{"-v", "--ca-file", w.caFile, "--only", "clock.skew", "--format", "json"}

	flagged := writeConfig(t, yaml)
	_, _, errOut := runInDir(t, t.TempDir(), w.env(nil), append(args, "--config", flagged)...)
	if want := "profile " + flagged + " (--config)"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, profileName), yaml, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, errOut = runInDir(t, dir, w.env(nil), args...)
	if want := "profile ./logindoctor.yaml (found in the working directory)"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}

	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	userProfile := filepath.Join(cfg, "logindoctor", profileName)
	if err := os.MkdirAll(filepath.Dir(userProfile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(userProfile, yaml, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, errOut = runInDir(t, t.TempDir(), w.env(nil), args...)
	if want := "profile " + userProfile + " (user config dir)"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}
