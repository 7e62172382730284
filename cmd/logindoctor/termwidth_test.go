package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/report"
)

// The report wraps to the terminal only when it goes to one.
func TestOutWidth(t *testing.T) {
	ios, _, _ := testStreams(map[string]string{"COLUMNS": "50"})
	a, err := newApp(ios, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := a.outWidth(&globalOptions{}); w != 0 {
		t.Errorf("not a terminal: width %d, want 0", w)
	}
	ios.OutTTY = true
	if w := a.outWidth(&globalOptions{}); w != 50 {
		t.Errorf("terminal: width %d, want 50", w)
	}
	if w := a.outWidth(&globalOptions{Output: "r.txt"}); w != 0 {
		t.Errorf("--output: width %d, want 0", w)
	}
}

// TestSayErrWrapsButKeepsThePath: the lines that tell a person what to send
// IT wrap to a 30-column terminal at word boundaries in both languages, and
// the file's path — longer than a line — stays whole so it can be copied.
// Off a terminal the message is one line.
func TestSayErrWrapsButKeepsThePath(t *testing.T) {
	path := "/home/someone/Desktop/logindoctor-LD-7K3QX9.zip"
	for _, lang := range []string{"en", "zh"} {
		a, errOut := termApp(t, 30, lang)
		msg := a.t("cli.bundle_written", map[string]any{"path": path, "report_id": "LD-7K3QX9"})
		a.sayErr(msg, path)
		out := strings.TrimSuffix(errOut.String(), "\n")
		lines := strings.Split(out, "\n")
		if len(lines) < 3 {
			t.Errorf("%s: not wrapped to 30 columns:\n%s", lang, out)
		}
		for _, l := range lines {
			if report.TextWidth(l) > 29 && !strings.Contains(l, path) {
				t.Errorf("%s: line wider than the terminal: %q", lang, l)
			}
		}
		if !strings.Contains(out, path) || noSpace(out) != noSpace(msg) {
			t.Errorf("%s: the path was broken or the text changed:\n%s", lang, out)
		}

		ios, _, errOut := testStreams(nil)
		a, _ = newApp(ios, []string{"--lang", lang})
		a.sayErr(msg, path)
		if errOut.String() != msg+"\n" {
			t.Errorf("%s: off a terminal %q, want %q", lang, errOut.String(), msg+"\n")
		}
	}
}

// noSpace is s without any white space (line breaks a wrap put in
// included).
func noSpace(s string) string { return strings.Join(strings.Fields(s), "") }

// termApp is an app speaking lang whose stderr is a terminal cols columns
// wide; errOut is what it printed there.
func termApp(t *testing.T, cols int, lang string) (a *app, errOut *bytes.Buffer) {
	t.Helper()
	ios, _, errOut := testStreams(map[string]string{"COLUMNS": strconv.Itoa(cols)})
	ios.ErrTTY = true
	a, err := newApp(ios, []string{"--lang", lang})
	if err != nil {
		t.Fatal(err)
	}
	return a, errOut
}
