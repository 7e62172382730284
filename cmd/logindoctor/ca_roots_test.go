package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/certs"
)

// A ca_file is read once while it stays the same — serve asks for its
// roots on every probe — and again as soon as it changes; a file that
// became unreadable or empty of certificates is an error again, never the
// old roots.
func TestCARootsFollowTheFile(t *testing.T) {
	first, err := certs.NewRoot("First Root", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	second, err := certs.NewRoot("Second Root", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := first.WritePEM(path); err != nil {
		t.Fatal(err)
	}
	var c caRoots
	roots, extra, err := c.load(path)
	if err != nil {
		t.Fatal(err)
	}
	again, againExtra, err := c.load(path)
	if err != nil || again != roots || againExtra != extra {
		t.Fatalf("an unchanged file was built again (%v)", err)
	}
	if !extra.Equal(first.Pool()) {
		t.Errorf("the file's roots are not its certificate")
	}

	if err := second.WritePEM(path); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute) // a clock tick the file system may not show
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	_, extra, err = c.load(path)
	if err != nil || !extra.Equal(second.Pool()) {
		t.Errorf("a changed file kept its old roots (%v)", err)
	}

	if err := os.WriteFile(path, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.load(path); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a file without certificates: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.load(path); err == nil {
		t.Errorf("a removed file still gave roots")
	}
}
