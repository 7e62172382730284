package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

func TestVersionFlag(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--version")
	if code != exitPass || out != "logindoctor "+version+"\n" {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
}

// Every command shows examples; the shared flags appear once, and not at
// all where they mean nothing.
func TestHelpHasExamplesAndFlagsOnce(t *testing.T) {
	a, err := newApp(&IOStreams{Getenv: func(string) string { return "" }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		// completion and help are cobra's; serve documents itself.
		if c.Hidden || slices.Contains([]string{"completion", "help", "serve"}, c.Name()) {
			return
		}
		if c.Example == "" {
			t.Errorf("%s has no examples", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(a.newRootCmd())

	for args, want := range map[string]int{"check --help": 1, "smoke --help": 1, "demo --help": 1, "--help": 1, "version --help": 0, "list --help": 0} {
		code, out, _ := runCLI(t, nil, strings.Fields(args)...)
		if n := strings.Count(out, "--format string"); code != exitPass || n != want {
			t.Errorf("%s: --format shown %d times (exit %d), want %d:\n%s", args, n, code, want, out)
		}
		if strings.Contains(out, "Global Flags") {
			t.Errorf("%s: a Global Flags section:\n%s", args, out)
		}
	}
}

func TestFlagMistakesSayWhatWasMeant(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"smoke"}, "smoke needs the login page's URL, e.g. logindoctor smoke https://crm.example.com/login"},
		{[]string{"--timeout", "5", "https://127.0.0.1:1/"}, "did you mean 5s?"},
		{[]string{"check", "--check-timeout=3", "https://127.0.0.1:1/"}, "--check-timeout 3: a duration needs a unit — did you mean 3s?"},
		{[]string{"lsit"}, "did you mean logindoctor list?"},
		{[]string{"https//crm.example.com/login"}, "did you mean https://crm.example.com/login?"},
		{[]string{"demo", "--scenario", "expird-cert"}, "did you mean expired-cert?"},
		{[]string{"--format", "json", "-o", "x.html", "https://127.0.0.1:1/"}, "--format json does not fit -o x.html"},
	} {
		code, out, errOut := runCLI(t, nil, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q\nstdout %s\nstderr %s", c.args, code, c.want, out, errOut)
		}
	}
}

func TestCompletionOffersValues(t *testing.T) {
	for args, want := range map[string][]string{
		"demo --scenario ":      {"expired-cert", "healthy"},
		"check --format ":       {"junit", "html"},
		"--lang ":               {"zh", "en"},
		"smoke x --only ":       {"dns.resolve", "network", "dns.*"},
		"check --skip ":         {"browser.page"},
		"report render --lang ": {"zh"},
	} {
		argv := append([]string{cobra.ShellCompRequestCmd}, strings.Fields(args)...)
		argv = append(argv, "")
		_, out, errOut := runCLI(t, nil, argv...)
		for _, w := range want {
			if !slices.Contains(strings.Split(out, "\n"), w) {
				t.Errorf("completing %q: no %q in\n%s%s", args, w, out, errOut)
			}
		}
	}
}

// -o picks the format from the file's extension; in a CI log (stdout no
// terminal) the one-line verdict still shows.
func TestOutputExtensionChoosesTheFormat(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	dir := t.TempDir()
	for name, prefix := range map[string]string{"r.html": "<!DOCTYPE html>", "r.json": "{", "r.xml": "<?xml"} {
		path := filepath.Join(dir, name)
		code, out, errOut := runCLI(t, w.env(map[string]string{"CI": "true"}), quick(w, "-o", path)...)
		if code != exitFail {
			t.Fatalf("-o %s: exit %d\n%s", name, code, errOut)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(strings.TrimSpace(string(data)), prefix) {
			t.Errorf("-o %s does not start with %q:\n%.200s", name, prefix, data)
		}
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "problem") || !strings.Contains(lines[0], "LD-") {
			t.Errorf("-o %s in a CI log: stdout is not the one-line verdict:\n%s", name, out)
		}
	}
}
