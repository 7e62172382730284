package main

import (
	"context"
	"strings"
	"testing"
)

func helpCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ios, out, errOut := testStreams(map[string]string{})
	a, err := newApp(ios, args)
	if err != nil {
		t.Fatal(err)
	}
	code = a.execute(context.Background(), args)
	return out.String(), errOut.String(), code
}

func TestHelpInChinese(t *testing.T) {
	for _, args := range [][]string{{"--lang", "zh", "--help"}, {"--lang", "zh", "check", "--help"}, {"--lang", "zh", "report", "render", "--help"}} {
		out, _, _ := helpCLI(t, args...)
		for _, want := range []string{"用法：", "选项："} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: no %q in:\n%s", args, want, out)
			}
		}
		for _, english := range []string{"Usage:", "Flags:", "Global Flags:", "Available Commands:", "(default ", "help for ", "for more information"} {
			if strings.Contains(out, english) {
				t.Errorf("%v: English %q in:\n%s", args, english, out)
			}
		}
	}
	out, _, _ := helpCLI(t, "--lang", "zh", "--help")
	for _, want := range []string{"可用命令：", "显示任一命令的帮助", "（默认值 \"text\"）"} {
		if !strings.Contains(out, want) {
			t.Errorf("root help lacks %q:\n%s", want, out)
		}
	}
	if out, _, _ := helpCLI(t, "--lang", "en", "--help"); !strings.Contains(out, "Usage:") || !strings.Contains(out, `(default "text")`) {
		t.Errorf("English help:\n%s", out)
	}
}

func TestCobraErrorsInChinese(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--lang", "zh", "check", "a.example", "b.example"}, "参数太多了：最多 1 个，实际给了 2 个"},
		{[]string{"--lang", "zh", "--bogus"}, "没有 --bogus 这个选项"},
		{[]string{"--lang", "zh", "-rod=x", "x.example"}, "-rod=x 里的 -r 不是有效的选项"},
		{[]string{"--lang", "zh", "report", "render"}, "需要 1 个参数，实际给了 0 个"},
		{[]string{"--lang", "zh", "check", "--format"}, "选项 --format 后面需要跟一个值"},
		{[]string{"--lang", "zh", "check", "--timeout", "soon", "x.example"}, "不是 --timeout 的有效值"},
	}
	for _, tt := range tests {
		_, errOut, code := helpCLI(t, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, errOut, tt.want)
		}
		for _, english := range []string{"accepts", "unknown flag", "needs an argument", "invalid argument"} {
			if strings.Contains(errOut, english) {
				t.Errorf("%v: English %q in %q", tt.args, english, errOut)
			}
		}
	}
}

// TestLangAnywhereOnTheCommandLine: --lang is read before parsing, so every
// command accepts it, before or after the subcommand, as "--lang zh" or
// "--lang=zh" — also version, serve or help, which have no --lang flag.
func TestLangAnywhereOnTheCommandLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--lang", "zh", "version"}, "logindoctor " + version},
		{[]string{"--lang=zh", "version"}, "logindoctor " + version},
		{[]string{"version", "--lang", "zh"}, "logindoctor " + version},
		{[]string{"list", "--lang", "zh"}, "电脑与设备"},
		{[]string{"--lang", "zh", "list"}, "电脑与设备"},
		{[]string{"--lang=zh", "list"}, "电脑与设备"},
		{[]string{"--lang=zh", "help", "version"}, "用法："},
	}
	for _, tt := range tests {
		out, errOut, code := helpCLI(t, tt.args...)
		if code != 0 || !strings.Contains(out, tt.want) || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", tt.args, code, out, errOut, tt.want)
		}
	}
	// Shell completion after --lang before a command without one.
	if _, errOut, _ := helpCLI(t, "__complete", "--lang", "zh", "version", ""); strings.Contains(errOut, "unknown flag") {
		t.Errorf("__complete --lang zh version: %s", errOut)
	}
	if out, _, _ := helpCLI(t, "__complete", "--lang", "zh", "check", "--lang", ""); !strings.Contains(out, "zh") {
		t.Errorf("__complete … --lang offers no languages: %q", out)
	}
	// The language holds for the errors of a command without --lang too.
	_, errOut, code := helpCLI(t, "--lang", "zh", "version", "extra")
	if code != 2 || strings.Contains(errOut, "--lang") || !strings.Contains(errOut, "出错了") {
		t.Errorf("--lang zh version extra: exit %d, stderr %q", code, errOut)
	}
}

// TestListSaysOnlyWhatMatters: `logindoctor list` gives each check one
// line, and a second one only for what it runs after or needs — no "—"
// line for a check that depends on nothing — in the reader's language.
func TestListSaysOnlyWhatMatters(t *testing.T) {
	for _, tc := range []struct{ lang, after, needs string }{
		{"en", "runs after: ", "needs: "},
		{"zh", "在以下检查之后运行：", "需要设置："},
	} {
		out, errOut, code := helpCLI(t, "list", "--lang", tc.lang)
		if code != 0 || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q", tc.lang, code, errOut)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		var ids, seconds int
		for _, l := range lines {
			if strings.HasPrefix(l, " ") {
				seconds++
				rest := strings.TrimSpace(l)
				if !strings.HasPrefix(rest, tc.after) && !strings.HasPrefix(rest, tc.needs) {
					t.Errorf("%s: a second line that is neither dependencies nor needs: %q", tc.lang, l)
				}
				continue
			}
			ids++
		}
		if strings.Contains(out, "—") {
			t.Errorf("%s: a placeholder line for a check without dependencies:\n%s", tc.lang, out)
		}
		if withDeps := strings.Count(out, tc.after); !strings.Contains(out, "net.reach") || withDeps == 0 || seconds >= ids {
			t.Errorf("%s: %d checks, %d second lines (%d with dependencies); want fewer second lines than checks:\n%s", tc.lang, ids, seconds, withDeps, out)
		}
		if !strings.Contains(out, tc.needs+"account.provider") || !strings.Contains(out, tc.after+"proxy.route, dns.resolve") {
			t.Errorf("%s: dependencies or needs missing:\n%s", tc.lang, out)
		}
	}
}
