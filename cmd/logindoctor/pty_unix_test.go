//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/logindoctor/logindoctor/checks/builtin"
	"github.com/logindoctor/logindoctor/fixtures/hostile"
	"github.com/logindoctor/logindoctor/report"
)

// The terminal behaviour of the real binary on a real pseudo-terminal of a
// set size: the report wraps to the terminal, the progress line names the
// checks and is gone before the report, Ctrl-C (typed, not signalled) ends
// a run without a diagnosis, the address prompt asks again with a hint,
// and colour is on only on a terminal. The binary is built once; the
// subtests run one after the other (the machines have 2 cores).

// ptyHang bounds every wait: a guard against hangs, not a timing claim.
const ptyHang = 90 * time.Second

func TestPty(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	t.Run("Wrapping", func(t *testing.T) { testPtyWrapping(t, bin) })
	t.Run("Progress", func(t *testing.T) { testPtyProgress(t, bin) })
	t.Run("CtrlC", func(t *testing.T) { testPtyCtrlC(t, bin) })
	t.Run("Resize", func(t *testing.T) { testPtyResize(t, bin) })
	t.Run("Prompt", func(t *testing.T) { testPtyPrompt(t, bin) })
	t.Run("PromptCtrlC", func(t *testing.T) { testPtyPromptCtrlC(t, bin) })
	t.Run("Colour", func(t *testing.T) { testPtyColour(t, bin) })
}

// ptyScenarios are demo scenarios whose fix lists have long steps and
// whose worlds stay on 127.0.0.1.
var ptyScenarios = []string{"expired-cert", "account-locked", "clock-skew"}

// Every line of the report fits the terminal, in English and in Chinese
// (two columns a character), and a step's wrapped lines stay under its
// text.
func testPtyWrapping(t *testing.T, bin string) {
	for _, cols := range []uint16{60, 40} {
		for _, lang := range report.Languages() {
			for _, sc := range ptyScenarios {
				r := startPty(t, bin, cols, ptyEnv(t), "demo", "--scenario", sc, "--lang", lang, "--skip", "browser.page")
				code := r.exit()
				screen := emulate(r.raw())
				name := sc + " " + lang + " " + strconv.Itoa(int(cols))
				if code != exitFail {
					t.Fatalf("%s: exit %d, want 1 (a fault found)\n%s", name, code, screen.text())
				}
				if lang == "zh" && !strings.Contains(screen.text(), report.Messages("zh").T("section.fixes", nil)) {
					t.Errorf("%s: not in Chinese:\n%s", name, screen.text())
				}
				checkFits(t, name, screen, int(cols))
				checkHangingIndent(t, name, screen.lines())
			}
		}
	}
}

// checkFits fails for every line that was ever wider than cols columns.
func checkFits(t *testing.T, name string, s *vtScreen, cols int) {
	t.Helper()
	for i, w := range s.high {
		if w > cols {
			t.Errorf("%s: line %d reached column %d of a %d-column terminal: %q\n%s", name, i+1, w, cols, s.line(i), s.text())
		}
	}
}

var (
	fixTitleRe = regexp.MustCompile(`^\s*\d+\. `)
	stepRe     = regexp.MustCompile(`^\s+\d+\) `)
)

// checkHangingIndent: the wrapped lines of a fix's title and of each of
// its steps start where the text after the number starts.
func checkHangingIndent(t *testing.T, name string, lines []string) {
	t.Helper()
	indent, under, continued := -1, "", 0
	for _, l := range lines {
		if m := stepRe.FindString(l); m != "" {
			indent, under = len(m), l
			continue
		}
		if m := fixTitleRe.FindString(l); m != "" {
			indent, under = len(m), l
			continue
		}
		if strings.TrimSpace(l) == "" {
			indent = -1
			continue
		}
		if indent < 0 {
			continue
		}
		continued++
		if lead := len(l) - len(strings.TrimLeft(l, " ")); lead != indent {
			t.Errorf("%s: %q continues %q indented %d, want %d", name, l, under, lead, indent)
		}
	}
	if continued == 0 {
		t.Errorf("%s: no wrapped step at all, the test saw nothing:\n%s", name, strings.Join(lines, "\n"))
	}
}

// The progress line appears on the terminal, names checks in the
// reader's words, never reaches the last column, and is gone from the
// screen before the report starts.
func testPtyProgress(t *testing.T, bin string) {
	for _, c := range []struct {
		lang string
		cols uint16
	}{{"en", 60}, {"zh", 40}, {"en", 40}} {
		name := c.lang + " " + strconv.Itoa(int(c.cols))
		r := startPty(t, bin, c.cols, ptyEnv(t), "demo", "--scenario", "expired-cert", "--lang", c.lang, "--skip", "browser.page")
		if code := r.exit(); code != exitFail {
			t.Fatalf("%s: exit %d\n%s", name, code, r.raw())
		}
		frames := progressFrames(c.lang, r.raw())
		if len(frames) == 0 {
			t.Fatalf("%s: no progress line on a terminal:\n%q", name, r.raw())
		}
		checkFrames(t, name, c.lang, frames, int(c.cols))
		screen := emulate(r.raw())
		checkFits(t, name, screen, int(c.cols))
		if prefix := progressPrefix(c.lang); strings.Contains(screen.text(), prefix) {
			t.Errorf("%s: the progress line is left on the screen:\n%s", name, screen.text())
		}
		// The report's first line starts a line of its own.
		first := report.Messages(c.lang).T("start_here", map[string]any{"title": ""})
		found := false
		for _, l := range screen.lines() {
			if strings.HasPrefix(l, first) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no line starts with %q:\n%s", name, first, screen.text())
		}
	}
}

// checkFrames: every progress line is narrower than the terminal and
// lists check names from the catalog, never check IDs.
func checkFrames(t *testing.T, name, lang string, frames []progressFrame, cols int) {
	t.Helper()
	tr := report.Messages(lang)
	names := map[string]bool{}
	for _, c := range builtin.Checks() {
		names[tr.T("check."+c.Info().ID, nil)] = true
	}
	idRe := regexp.MustCompile(`\b[a-z]+\.[a-z_]+\b`)
	named := 0
	for _, f := range frames {
		if w := report.TextWidth(f.line); w > cols-1 {
			t.Errorf("%s: progress line %d columns wide on a %d-column terminal (it must stop short of the last): %q", name, w, cols, f.line)
		}
		if idRe.MatchString(f.line) {
			t.Errorf("%s: progress line names a check ID: %q", name, f.line)
		}
		parts := strings.Split(f.running, tr.T("punct.list", nil))
		for i, p := range parts {
			if p == "" {
				continue
			}
			if cut, ok := strings.CutSuffix(p, "…"); ok && i == len(parts)-1 {
				// Cut to fit the terminal: the start of a name.
				if !startsName(names, cut) {
					t.Errorf("%s: progress line names %q, the start of no check's name: %q", name, p, f.line)
				}
				named++
				continue
			}
			if !names[p] {
				t.Errorf("%s: progress line names %q, no check's name: %q", name, p, f.line)
			}
			named++
		}
	}
	if named == 0 {
		t.Errorf("%s: no progress line names a check in full: %q", name, frames)
	}
}

// startsName: s is the start of one of names.
func startsName(names map[string]bool, s string) bool {
	for n := range names {
		if s != "" && strings.HasPrefix(n, s) {
			return true
		}
	}
	return false
}

// Ctrl-C typed on the terminal while a check waits on a server that never
// answers: the interrupted line in the reader's language, no fix list,
// exit 3, long before the check would have timed out, and no progress
// line left behind.
func testPtyCtrlC(t *testing.T, bin string) {
	srv, err := hostile.Start(hostile.Options{Mode: hostile.Silent})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, lang := range report.Languages() {
		tr := report.Messages(lang)
		before := srv.Accepted()
		r := startPty(t, bin, 60, ptyEnv(t), "https://"+srv.Addr()+"/login", "--config", loopbackProfile(t, ""),
			"--check-timeout", "60s", "--timeout", "120s", "--skip", "device.browsers,browser.page", "--lang", lang)
		r.waitFor(t, "the silent server to be dialled", func(string) bool { return srv.Accepted() > before })
		// While the run waits, the progress line is on the screen.
		r.waitFor(t, "the progress line", func(string) bool {
			return strings.Contains(emulate(r.raw()).text(), progressPrefix(lang))
		})
		frames := progressFrames(lang, r.raw())
		checkFrames(t, lang, lang, frames, 60)
		sent := time.Now()
		r.send(t, "\x03")
		code := r.exit()
		took := time.Since(sent)
		screen := emulate(r.raw())
		if code != exitBroken {
			t.Errorf("%s: exit %d after Ctrl-C, want 3\n%s", lang, code, screen.text())
		}
		if took > 30*time.Second {
			t.Errorf("%s: Ctrl-C took %v to end the run (the check timeout is 60s)", lang, took)
		}
		if want := tr.T("cli.interrupted", nil); !strings.Contains(screen.text(), want) {
			t.Errorf("%s: no %q after Ctrl-C:\n%s", lang, want, screen.text())
		}
		if regexp.MustCompile(`(?m)^\s*\d+\. `).MatchString(screen.text()) ||
			strings.Contains(screen.text(), tr.T("section.fixes", nil)) {
			t.Errorf("%s: a fix list after Ctrl-C:\n%s", lang, screen.text())
		}
		if strings.Contains(screen.text(), progressPrefix(lang)) {
			t.Errorf("%s: the progress line is left on the screen after Ctrl-C:\n%s", lang, screen.text())
		}
	}
}

// The window made narrower during a run: the progress lines printed
// after that fit the new width (a line wider than the terminal wraps, and
// "\r\x1b[K" then erases only its last row, leaving the rest on screen).
func testPtyResize(t *testing.T, bin string) {
	srv, err := hostile.Start(hostile.Options{Mode: hostile.Silent})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// The connection check waits on the silent server for its 5s timeout,
	// then the run goes on (and prints progress) at the new width.
	r := startPty(t, bin, 60, ptyEnv(t), "https://"+srv.Addr()+"/login", "--config", loopbackProfile(t, ""),
		"--check-timeout", "5s", "--timeout", "60s", "--skip", "device.browsers,browser.page")
	r.waitFor(t, "the silent server to be dialled", func(string) bool { return srv.Accepted() > 0 })
	const narrow = 40
	if err := pty.Setsize(r.master, &pty.Winsize{Rows: 50, Cols: narrow}); err != nil {
		t.Fatal(err)
	}
	mark := len(r.raw())
	if code := r.exit(); code != exitFail {
		t.Fatalf("exit %d, want 1\n%s", code, plain(r.raw()))
	}
	// The first line after the resize may have been cut to the old width
	// just before it.
	frames := progressFrames("en", r.raw()[mark:])
	if len(frames) < 2 {
		t.Fatalf("no progress after the resize:\n%q", r.raw()[mark:])
	}
	checkFrames(t, "after the resize", "en", frames[1:], narrow)
}

// With no address, no profile and an empty working directory, the
// program asks for the address; an address that is no web address gets a
// hint in the reader's language and the question again, and the third
// ends the run (exit 2).
func testPtyPrompt(t *testing.T, bin string) {
	inputs := []string{"crm example com", "htps://crm.example.com", "ftp://crm.example.com"}
	for _, lang := range report.Languages() {
		tr := report.Messages(lang)
		r := startPty(t, bin, 80, ptyEnv(t), "--lang", lang)
		ask := tr.T("cli.ask_url", nil)
		r.waitFor(t, "the question", func(s string) bool { return strings.Contains(s, ask) })
		for i, in := range inputs {
			r.send(t, in+"\r")
			if i == len(inputs)-1 {
				break
			}
			id, params := addressProblem(in)
			if id == "" {
				t.Fatalf("%q is a usable address; the test must never type one", in)
			}
			hint := tr.T("cli.ask_url_again", map[string]any{"input": in, "problem": (&app{msg: tr}).sentence(tr.T(id, params))})
			// The hint is wrapped to the terminal: compare without the breaks.
			r.waitFor(t, "hint "+strconv.Itoa(i+1), func(s string) bool { return strings.Contains(noSpace(s), noSpace(hint)) })
		}
		code := r.exit()
		text := plain(r.raw())
		if code != exitUsage {
			t.Errorf("%s: exit %d after %d unusable addresses, want 2\n%s", lang, code, len(inputs), text)
		}
		again := tr.T("cli.ask_url_again", map[string]any{"input": "\x00"})
		again = again[:strings.IndexByte(again, 0)]
		if n := strings.Count(noSpace(text), noSpace(again)); n != maxAddressTries-1 {
			t.Errorf("%s: asked again %d times, want %d:\n%s", lang, n, maxAddressTries-1, text)
		}
		if want := tr.T("cli.ask_url_gave_up", map[string]any{"tries": maxAddressTries}); !strings.Contains(text, want) {
			t.Errorf("%s: no %q:\n%s", lang, want, text)
		}
	}
}

// Ctrl-C at the address prompt ends the program at once (exit 3, the
// interrupted line); the end of input (Ctrl-D) is a missing address
// (exit 2).
func testPtyPromptCtrlC(t *testing.T, bin string) {
	for _, c := range []struct {
		lang, key, want string
		code            int
	}{
		{"en", "\x03", "cli.interrupted", exitBroken},
		{"zh", "\x03", "cli.interrupted", exitBroken},
		{"en", "\x04", "cli.no_url", exitUsage},
	} {
		tr := report.Messages(c.lang)
		r := startPty(t, bin, 80, ptyEnv(t), "--lang", c.lang)
		ask := tr.T("cli.ask_url", nil)
		r.waitFor(t, "the question", func(s string) bool { return strings.Contains(s, ask) })
		sent := time.Now()
		r.send(t, c.key)
		code := r.exit()
		text := plain(r.raw())
		if code != c.code {
			t.Errorf("%s %q: exit %d, want %d\n%s", c.lang, c.key, code, c.code, text)
		}
		if took := time.Since(sent); took > 20*time.Second {
			t.Errorf("%s %q: took %v to end", c.lang, c.key, took)
		}
		if want := tr.T(c.want, nil); !strings.Contains(text, want) {
			t.Errorf("%s %q: no %q:\n%s", c.lang, c.key, want, text)
		}
	}
}

var sgrRe = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// Colour on a terminal unless NO_COLOR is set; none when stdout is a
// pipe.
func testPtyColour(t *testing.T, bin string) {
	args := []string{"demo", "--scenario", "expired-cert", "--skip", "browser.page"}
	r := startPty(t, bin, 80, ptyEnv(t), args...)
	r.exit()
	if !sgrRe.MatchString(r.raw()) {
		t.Errorf("no colour on a terminal:\n%q", r.raw())
	}

	r = startPty(t, bin, 80, append(ptyEnv(t), "NO_COLOR=1"), args...)
	r.exit()
	if m := sgrRe.FindString(r.raw()); m != "" {
		t.Errorf("colour %q with NO_COLOR set:\n%q", m, r.raw())
	}

	var piped bytes.Buffer
	r = startPtyCmd(t, bin, 80, ptyEnv(t), &piped, args...)
	r.exit()
	if !strings.Contains(piped.String(), "LD-") {
		t.Fatalf("no report on the pipe:\n%q\nterminal:\n%q", piped.String(), r.raw())
	}
	if i := strings.IndexByte(piped.String(), 0x1b); i >= 0 {
		t.Errorf("an escape sequence on a pipe: %q", piped.String()[i:min(len(piped.String()), i+20)])
	}
}

// ptyEnv is the environment of a run on the terminal: the binary's
// minimal one (English locale, private HOME and TMPDIR, no CI), and a
// terminal type.
func ptyEnv(t *testing.T) []string {
	return append(binaryEnv(t.TempDir(), t.TempDir()), "TERM=xterm-256color")
}

// ptyRun is the binary running on a pseudo-terminal.
type ptyRun struct {
	t        *testing.T
	cmd      *exec.Cmd
	master   *os.File
	mu       sync.Mutex
	out      bytes.Buffer
	readDone chan struct{}
	exited   chan struct{}
}

// startPty starts bin in an empty directory with stdin, stdout and stderr
// on a terminal of cols columns.
func startPty(t *testing.T, bin string, cols uint16, env []string, args ...string) *ptyRun {
	return startPtyCmd(t, bin, cols, env, nil, args...)
}

// startPtyCmd is startPty with stdout going to stdout instead when it is
// not nil.
func startPtyCmd(t *testing.T, bin string, cols uint16, env []string, stdout *bytes.Buffer, args ...string) *ptyRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = env
	if stdout != nil {
		cmd.Stdout = stdout
	}
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	r := &ptyRun{t: t, cmd: cmd, master: master, readDone: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(r.readDone)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return // EIO once the program and its terminal are gone
			}
		}
	}()
	go func() {
		_ = cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			_ = cmd.Process.Kill()
			<-r.exited
		}
		master.Close()
		<-r.readDone
	})
	return r
}

// raw is everything the terminal received so far.
func (r *ptyRun) raw() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// send types s on the terminal.
func (r *ptyRun) send(t *testing.T, s string) {
	t.Helper()
	if _, err := r.master.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

// waitFor waits until ok holds for the terminal's text (escape sequences
// and carriage returns removed), failing the test after ptyHang.
func (r *ptyRun) waitFor(t *testing.T, what string, ok func(text string) bool) {
	t.Helper()
	for deadline := time.Now().Add(ptyHang); !ok(plain(r.raw())); time.Sleep(20 * time.Millisecond) {
		select {
		case <-r.exited:
			// One last look: the output may have arrived with the exit.
			<-r.readDone
			if ok(plain(r.raw())) {
				return
			}
			t.Fatalf("the program ended (exit %d) before %s:\n%s", r.cmd.ProcessState.ExitCode(), what, plain(r.raw()))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v:\n%s", what, ptyHang, plain(r.raw()))
		}
	}
}

// exit waits for the program to end and for its output to be read, and
// returns its exit code.
func (r *ptyRun) exit() int {
	r.t.Helper()
	select {
	case <-r.exited:
	case <-time.After(ptyHang):
		_ = r.cmd.Process.Kill()
		<-r.exited
		r.t.Fatalf("still running after %v:\n%s", ptyHang, plain(r.raw()))
	}
	select {
	case <-r.readDone:
	case <-time.After(ptyHang):
		// Something else holds the terminal open; what was read will do.
		r.master.Close()
		<-r.readDone
	}
	return r.cmd.ProcessState.ExitCode()
}

var escRe = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// plain is the output without escape sequences and carriage returns.
func plain(s string) string {
	return strings.ReplaceAll(escRe.ReplaceAllString(s, ""), "\r", "")
}

// progressFrame is one state of the progress line.
type progressFrame struct{ line, running string }

// progressFrames are the progress lines in raw output: what follows each
// "\r\x1b[K" and reads as cli.progress.
func progressFrames(lang, raw string) []progressFrame {
	tmpl := report.Messages(lang).T("cli.progress", map[string]any{"done": "\x00", "total": "\x01", "running": "\x02"})
	pattern := regexp.QuoteMeta(tmpl)
	pattern = strings.NewReplacer("\x00", `\d+`, "\x01", `\d+`, "\x02", `(.*)`).Replace(pattern)
	re := regexp.MustCompile(`^` + pattern + `$`)
	var frames []progressFrame
	for _, seg := range strings.Split(raw, "\r\x1b[K")[1:] {
		if i := strings.IndexAny(seg, "\r\n\x1b"); i >= 0 {
			seg = seg[:i]
		}
		if m := re.FindStringSubmatch(seg); m != nil {
			frames = append(frames, progressFrame{line: seg, running: m[1]})
		}
	}
	return frames
}

// progressPrefix is the start of every progress line ("Checking…").
func progressPrefix(lang string) string {
	s := report.Messages(lang).T("cli.progress", map[string]any{"done": "\x00"})
	return s[:strings.IndexByte(s, 0)]
}

// vtScreen is a minimal terminal: it prints runes in cells (two for a
// wide one), and understands \r, \n, \b, ESC[K (erase to the end of the
// line) and ESC[2K (erase the line); other escape sequences are ignored.
// There is no automatic wrap: a line wider than the terminal stays one
// line, and high records the widest each line ever was.
type vtScreen struct {
	rows [][]rune // 0 is the second cell of a wide rune
	high []int
	r, c int
}

func emulate(raw string) *vtScreen {
	s := &vtScreen{rows: [][]rune{nil}, high: []int{0}}
	for i := 0; i < len(raw); {
		if raw[i] == 0x1b {
			if m := escRe.FindStringIndex(raw[i:]); m != nil && m[0] == 0 {
				switch raw[i : i+m[1]] {
				case "\x1b[K", "\x1b[0K":
					if s.c < len(s.rows[s.r]) {
						s.rows[s.r] = s.rows[s.r][:s.c]
					}
				case "\x1b[2K":
					s.rows[s.r] = nil
				}
				i += m[1]
				continue
			}
		}
		ch, size := utf8.DecodeRuneInString(raw[i:])
		i += size
		switch ch {
		case '\r':
			s.c = 0
		case '\n':
			s.r++
			if s.r == len(s.rows) {
				s.rows = append(s.rows, nil)
				s.high = append(s.high, 0)
			}
		case '\b':
			if s.c > 0 {
				s.c--
			}
		default:
			s.put(ch)
		}
	}
	return s
}

func (s *vtScreen) put(ch rune) {
	w := report.RuneWidth(ch)
	row := s.rows[s.r]
	for len(row) < s.c+w {
		row = append(row, ' ')
	}
	row[s.c] = ch
	if w == 2 {
		row[s.c+1] = 0
	}
	s.c += w
	s.rows[s.r] = row
	s.high[s.r] = max(s.high[s.r], s.c)
}

// line is row i as text, without trailing blanks.
func (s *vtScreen) line(i int) string {
	var b strings.Builder
	for _, ch := range s.rows[i] {
		if ch != 0 {
			b.WriteRune(ch)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func (s *vtScreen) lines() []string {
	out := make([]string, len(s.rows))
	for i := range s.rows {
		out[i] = s.line(i)
	}
	return out
}

// text is the screen as it is left.
func (s *vtScreen) text() string { return strings.Join(s.lines(), "\n") }
