package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

// promptArgs keep a prompted run fast and on loopback.
func promptArgs(w world, more ...string) []string {
	return append([]string{"--ca-file", w.caFile, "--check-timeout", "3s", "--skip", "browser.page,device.browsers"}, more...)
}

// A mistyped address is asked again with a hint in the reader's language;
// the next, good answer is checked.
func TestPromptAsksAgainInTheReadersLanguage(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	bad := "https//" + strings.TrimPrefix(w.url, "https://")
	ios, out, errOut := ttyStreams(w.env(map[string]string{"NO_COLOR": "1"}), bad+"\n"+w.url+"\n")
	if code := runWith(t, ios, nil, promptArgs(w, "--lang", "zh")...); code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut.String(), "不是网址") || !strings.Contains(errOut.String(), "您是想输入 "+w.url) {
		t.Errorf("no Chinese hint for the mistyped address:\n%s", errOut)
	}
	if strings.Contains(errOut.String(), "？。") || !strings.Contains(errOut.String(), w.url+" 吗？请输入") {
		t.Errorf("the hint's question is not ended once:\n%s", errOut)
	}
}

// Each hint is one sentence, ended once, in every language: "…?" stays,
// "no host name" gets its full stop.
func TestPromptHintsEndOnce(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	ios, _, errOut := ttyStreams(w.env(map[string]string{"NO_COLOR": "1"}), "htps://a.example\ncrm example\n"+w.url+"\n")
	if code := runWith(t, ios, nil, promptArgs(w)...); code != exitPass {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	text := errOut.String()
	for _, want := range []string{"did you mean https://a.example? Type", "a web address has no spaces. Type"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "?.") {
		t.Errorf("a question ended twice:\n%s", text)
	}
}

func TestPromptGivesUpAfterThreeTries(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	ios, _, errOut := ttyStreams(w.env(nil), "htps://a\ncrm example\n\nnever read\n")
	if code := runWith(t, ios, nil, promptArgs(w)...); code != exitUsage {
		t.Fatalf("exit %d, want 2\n%s", code, errOut)
	}
	if n := strings.Count(errOut.String(), "is not a web address"); n != 2 || !strings.Contains(errOut.String(), "after 3 tries") {
		t.Errorf("want two hints, then giving up after 3 tries:\n%s", errOut)
	}
}

func TestPromptEndsAtOnceOnEOFOrCtrlC(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	ios, _, errOut := ttyStreams(w.env(nil), "")
	if code := runWith(t, ios, nil, promptArgs(w)...); code != exitUsage {
		t.Errorf("EOF at the prompt: exit %d, want 2\n%s", code, errOut)
	}

	// Ctrl-C while stdin has nothing to give: the read cannot be
	// interrupted, the prompt can.
	ios, _, errOut = ttyStreams(w.env(nil), "")
	r, wr := io.Pipe()
	defer wr.Close()
	ios.In = r
	t.Chdir(t.TempDir())
	args := promptArgs(w)
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan int, 1)
	go func() { done <- a.execute(ctx, args) }()
	select {
	case code := <-done:
		if code != exitBroken || !strings.Contains(errOut.String(), "Interrupted") {
			t.Errorf("Ctrl-C at the prompt: exit %d, want 3 and the interrupted line\n%s", code, errOut)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Ctrl-C at the prompt did not end the run")
	}
}
