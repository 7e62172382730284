package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

func TestDesktopDir(t *testing.T) {
	home := t.TempDir()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	exists := func(want ...string) func(string) bool {
		return func(p string) bool {
			for _, w := range want {
				if p == w {
					return true
				}
			}
			return false
		}
	}
	desk := filepath.Join(home, "Desktop")
	for _, c := range []struct {
		name, goos string
		env        map[string]string
		exists     func(string) bool
		want       string
	}{
		{"windows desktop", "windows", map[string]string{"USERPROFILE": home}, exists(desk), desk},
		{"windows no desktop", "windows", map[string]string{"USERPROFILE": home}, exists(), home},
		{"macOS desktop", "darwin", map[string]string{"HOME": home}, exists(desk), desk},
		{"linux XDG_DESKTOP_DIR", "linux", map[string]string{"HOME": home, "XDG_DESKTOP_DIR": "/x/Schreibtisch"}, exists("/x/Schreibtisch"), "/x/Schreibtisch"},
		{"linux ~/Desktop without XDG is not assumed", "linux", map[string]string{"HOME": home}, exists(desk), home},
		{"no home", "linux", map[string]string{}, exists(), ""},
	} {
		if got := desktopDir(c.goos, env(c.env), c.exists); got != c.want {
			t.Errorf("%s: desktopDir = %q, want %q", c.name, got, c.want)
		}
	}
	// user-dirs.dirs, as xdg-user-dirs writes it.
	conf := filepath.Join(home, ".config")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "user-dirs.dirs"), []byte("# comment\nXDG_DESKTOP_DIR=\"$HOME/桌面\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(home, "桌面")
	if got := desktopDir("linux", env(map[string]string{"HOME": home}), exists(want)); got != want {
		t.Errorf("user-dirs.dirs: desktopDir = %q, want %q", got, want)
	}
}

// A failed run by a person on a terminal saves the ticket bundle on the
// desktop, owner-only, and names the file to send; CI, a pipe and an
// explicit --output do not litter.
func TestFailedRunSavesTheBundleForIT(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	home := t.TempDir()
	desktop := filepath.Join(home, "Desktop")
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(desktop, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".config", "user-dirs.dirs"), []byte("XDG_DESKTOP_DIR=\"$HOME/Desktop\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ios, out, errOut := ttyStreams(w.env(map[string]string{"HOME": home, "NO_COLOR": "1"}), "")
	if code := runWith(t, ios, nil, quick(w)...); code != exitFail {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	m := regexp.MustCompile(`Send this file to IT: (\S+)`).FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("no line naming the file to send:\n%s", errOut)
	}
	id := regexp.MustCompile(`LD-[0-9A-Z]{6}`).FindString(out.String())
	if want := filepath.Join(desktop, "logindoctor-"+id+".zip"); m[1] != want {
		t.Errorf("saved to %s, want %s", m[1], want)
	}
	st, err := os.Stat(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || st.Size() == 0 {
		t.Errorf("saved bundle mode %v size %d, want 0600 and content", st.Mode().Perm(), st.Size())
	}

	for _, c := range []struct {
		name string
		env  map[string]string
		tty  bool
		args []string
	}{
		{"CI=true", map[string]string{"CI": "true"}, true, nil},
		{"stdout not a terminal", nil, false, nil},
		{"--output given", nil, true, []string{"-o", filepath.Join(t.TempDir(), "r.json")}},
	} {
		home := t.TempDir()
		env := map[string]string{"HOME": home, "NO_COLOR": "1"}
		for k, v := range c.env {
			env[k] = v
		}
		ios, _, errOut := ttyStreams(w.env(env), "")
		ios.OutTTY = c.tty
		runWith(t, ios, nil, quick(w, c.args...)...)
		entries, _ := os.ReadDir(home)
		if len(entries) > 0 || strings.Contains(errOut.String(), "Send this file") {
			t.Errorf("%s: saved something: %v\n%s", c.name, entries, errOut)
		}
	}
}
