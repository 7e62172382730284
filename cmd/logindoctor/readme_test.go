package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeSees is the README's "What a person sees" example: the command
// it names and the lines of its fenced block, and the Chinese headline
// quoted after it.
type readmeSees struct {
	args       []string
	lines      []string
	zhHeadline string
}

func readREADMESees(t *testing.T) readmeSees {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	intro := regexp.MustCompile("(?m)^What a person sees \\(`logindoctor ([^`]+)`[^\\n]*:\\n\\n```\\n((?s:.*?))```\\n\\n([^\\n]*)")
	m := intro.FindStringSubmatch(text)
	if m == nil {
		t.Fatal("README.md: no \"What a person sees (`logindoctor …`)\" followed by a fenced block")
	}
	var s readmeSees
	s.args = strings.Fields(m[1])
	s.lines = strings.Split(strings.TrimRight(m[2], "\n"), "\n")
	zh := regexp.MustCompile("`(请先处理：[^`]+)`").FindStringSubmatch(m[3])
	if zh == nil {
		t.Fatalf("README.md: no Chinese headline `请先处理：…` after the block: %q", m[3])
	}
	s.zhHeadline = zh[1]
	return s
}

// varying are the parts of a README line that change from run to run:
// the report id and dates (the demo's certificate is dated from today).
var varying = regexp.MustCompile(`LD-[0-9A-Z]{6}|\d{4}-\d{2}-\d{2}`)

// linePattern matches a whole output line that the README line shows,
// whatever its report id and dates.
func linePattern(line string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range varying.FindAllStringIndex(line, -1) {
		b.WriteString(regexp.QuoteMeta(line[last:loc[0]]))
		if strings.HasPrefix(line[loc[0]:], "LD-") {
			b.WriteString(`LD-[0-9A-Z]{6}`)
		} else {
			b.WriteString(`\d{4}-\d{2}-\d{2}`)
		}
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(line[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// TestREADMEShowsWhatAPersonSees runs the README's example in-process and
// finds each line of its block (but the "…" of what it leaves out), whole
// and in order, in the real output; and the Chinese headline it quotes in
// the run with --lang zh.
func TestREADMEShowsWhatAPersonSees(t *testing.T) {
	s := readREADMESees(t)
	if len(s.args) < 1 || s.args[0] != "demo" {
		t.Fatalf("README.md's example is not a demo: logindoctor %s", strings.Join(s.args, " "))
	}
	// The machine's browser inventory is not the scenario's: a test machine
	// without Chrome would add a finding a person's machine does not have.
	args := append(append([]string{}, s.args...), "--skip", "device.browsers", "--lang", "en")
	env := map[string]string{"PATH": os.Getenv("PATH"), "NO_COLOR": "1"}
	code, out, errOut := runCLI(t, env, args...)
	if code != exitFail {
		t.Fatalf("logindoctor %s: exit %d\n%s", strings.Join(s.args, " "), code, errOut)
	}
	outLines := strings.Split(out, "\n")
	at, matched := 0, 0
	for _, line := range s.lines {
		line = strings.TrimRight(line, " ")
		if strings.TrimSpace(line) == "…" {
			continue
		}
		re := linePattern(line)
		found := -1
		for i := at; i < len(outLines); i++ {
			if re.MatchString(outLines[i]) {
				found = i
				break
			}
		}
		if found < 0 {
			t.Errorf("README.md shows a line the run does not print (here, or after the line before it):\n  %s\nthe run prints:\n%s", line, out)
			return
		}
		at, matched = found+1, matched+1
	}
	if matched < 5 {
		t.Errorf("only %d lines of the README's block were compared", matched)
	}

	args = append(append([]string{}, s.args...), "--skip", "device.browsers", "--lang", "zh")
	code, out, errOut = runCLI(t, env, args...)
	if code != exitFail {
		t.Fatalf("--lang zh: exit %d\n%s", code, errOut)
	}
	if !linePattern(s.zhHeadline).MatchString(strings.Split(out, "\n")[1]) {
		t.Errorf("README.md quotes the Chinese headline %q; the run's second line is %q", s.zhHeadline, strings.Split(out, "\n")[1])
	}
}

func TestLinePatternIgnoresOnlyWhatVaries(t *testing.T) {
	re := linePattern("✗ 2 problems found (report LD-GZT5T2) valid from 2026-11-27 (see fix 1)")
	for line, want := range map[string]bool{
		"✗ 2 problems found (report LD-ABC123) valid from 2026-12-01 (see fix 1)":  true,
		"✗ 3 problems found (report LD-ABC123) valid from 2026-12-01 (see fix 1)":  false,
		"✗ 2 problems found (report LD-ABC123) valid from 2026-12-01 (see fix 1).": false,
		" ✗ 2 problems found (report LD-ABC123) valid from 2026-12-01 (see fix 1)": false,
	} {
		if re.MatchString(line) != want {
			t.Errorf("%q: match %t, want %t", line, !want, want)
		}
	}
}
