//go:build unix

package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/hostile"
)

// requireRoot skips a test that needs root, except in CI, where CI runs
// as root and a skip would hide the test.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("this test needs root, and CI is set: CI runs the tests as root")
	}
	t.Skip("needs root (mknod, chown)")
}

// nullDevice makes a private character device with /dev/null's numbers, so
// the test never risks the real /dev/null.
func nullDevice(t *testing.T) string {
	t.Helper()
	requireRoot(t)
	path := filepath.Join(t.TempDir(), "null")
	if err := unix.Mknod(path, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatalf("mknod: %v", err)
	}
	return path
}

// requireCharDevice fails t unless path is still a character device.
func requireCharDevice(t *testing.T, path string) {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("%s is now %s, want it left a character device", filepath.Base(path), st.Mode())
	}
}

// TestOutputToADeviceKeepsIt: -o /dev/null (as root) writes into the
// device instead of replacing it with a regular file, directly or through
// a symbolic link; a named pipe gets the report and stays a pipe.
func TestOutputToADeviceKeepsIt(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	t.Run("device", func(t *testing.T) {
		dev := nullDevice(t)
		code, _, errOut := runCLI(t, w.env(nil), quick(w, "--format", "json", "-o", dev, "--bundle", dev)...)
		if code != exitPass {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		requireCharDevice(t, dev)
	})
	t.Run("link to a device", func(t *testing.T) {
		dev := nullDevice(t)
		link := filepath.Join(t.TempDir(), "stdout")
		if err := os.Symlink(dev, link); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runCLI(t, w.env(nil), quick(w, "--format", "json", "-o", link)...)
		if code != exitPass {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		requireCharDevice(t, dev)
		if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("the link was replaced: %v %v", st.Mode(), err)
		}
	})
	t.Run("named pipe", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			f, err := os.Open(fifo) // blocks until the writer opens
			if err != nil {
				got <- err.Error()
				return
			}
			defer f.Close()
			data, _ := io.ReadAll(f)
			got <- string(data)
		}()
		code, _, errOut := runCLI(t, w.env(nil), quick(w, "--format", "json", "-o", fifo)...)
		if code != exitPass {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		select {
		case data := <-got:
			if r := decode(t, data); r.Schema != "logindoctor/report/v1" {
				t.Fatalf("the pipe's reader got schema %q", r.Schema)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("nothing was written into the pipe")
		}
		if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
			t.Fatalf("the pipe was replaced: %v %v", st.Mode(), err)
		}
	})
}

// TestOutputPathsRefusedBeforeTheRun: an --output or --bundle that cannot
// be written — a symbolic link to a file, a directory, a missing folder, a
// "folder" that is a file — is exit 2 naming the path, before any check
// talks to the network, and the link's target is left untouched.
func TestOutputPathsRefusedBeforeTheRun(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.conf")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "report.json")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing", "dir", "x.json")
	notDir := filepath.Join(victim, "x.json")
	tests := []struct{ name, flag, path, want string }{
		{"link to a file", "-o", link, "symbolic link"},
		{"link to a file as bundle", "--bundle", link, "symbolic link"},
		{"directory", "-o", dir, "directory"},
		{"missing folder", "-o", missing, "does not exist"},
		{"missing folder for the bundle", "--bundle", missing, "does not exist"},
		{"folder that is a file", "-o", notDir, "not a folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startHostile(t, hostile.Options{Mode: hostile.Silent})
			code, _, errOut := runCLI(t, cleanEnv(nil), "https://"+srv.Addr()+"/login", "--config", loopbackProfile(t, ""),
				"--format", "json", "--timeout", "3s", tc.flag, tc.path)
			if code != exitUsage || !strings.Contains(errOut, tc.path) || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 naming %s and %q", code, errOut, tc.path, tc.want)
			}
			if n := srv.Accepted(); n != 0 {
				t.Errorf("the run went ahead: the server saw %d connections", n)
			}
		})
	}
	if data, err := os.ReadFile(victim); err != nil || string(data) != "precious\n" {
		t.Errorf("the link's target changed: %q %v", data, err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
}

// TestOutputRespectsTheUmask: the report is 0666 less the umask, the
// bundle never more than 0600. The umask is the process's: not parallel.
func TestOutputRespectsTheUmask(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	tests := []struct {
		umask          int
		report, bundle fs.FileMode
	}{
		{0o077, 0o600, 0o600},
		{0o022, 0o644, 0o600},
		{0o002, 0o664, 0o600},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		out, bundle := filepath.Join(dir, "report.json"), filepath.Join(dir, "ticket.zip")
		old := syscall.Umask(tc.umask)
		code, _, errOut := runCLI(t, w.env(nil), quick(w, "--format", "json", "-o", out, "--bundle", bundle)...)
		syscall.Umask(old)
		if code != exitPass {
			t.Fatalf("umask %03o: exit %d\n%s", tc.umask, code, errOut)
		}
		for path, want := range map[string]fs.FileMode{out: tc.report, bundle: tc.bundle} {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != want {
				t.Errorf("umask %03o: %s is %04o, want %04o", tc.umask, filepath.Base(path), got, want)
			}
		}
	}
}
