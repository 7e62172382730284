package report

import (
	"strings"
	"testing"
)

func TestWrapText(t *testing.T) {
	tests := []struct {
		first, indent, s string
		width            int
		want             string
	}{
		{"", "", "short", 40, "short"},
		{" 1. ", "    ", "one two three four", 12, " 1. one two\n    three\n    four"},
		{"1) ", "   ", "您的电脑时间慢了三天", 13, "1) 您的电脑时\n   间慢了三天"},
		// Closing punctuation stays with the character before it.
		{"", "", "时间慢了，请改", 8, "时间慢\n了，请改"},
		{"", "  ", "abcdefghij", 6, "abcdef\n  ghij"},
		{"", "", "no wrapping at all", 0, "no wrapping at all"},
	}
	for _, tt := range tests {
		if got := wrapText(tt.first, tt.indent, tt.s, tt.width); got != tt.want {
			t.Errorf("wrapText(%q, %d) =\n%s\nwant\n%s", tt.s, tt.width, got, tt.want)
		}
	}
}

// TestTextFitsTheWidth: at 40 columns no line of the text report is wider
// than 40 (a CJK character counts 2), and a step's continuation lines sit
// under its text.
func TestTextFitsTheWidth(t *testing.T) {
	for _, lang := range Languages() {
		for _, verbose := range []bool{false, true} {
			out := string(render(t, sampleReport(t, lang), "text", RenderOptions{Width: 40, Verbose: verbose}))
			for _, line := range strings.Split(out, "\n") {
				if w := TextWidth(line); w > 40 && !strings.Contains(line, "\"") && !strings.Contains(line, "[") {
					t.Errorf("%s verbose=%v: %d columns: %q", lang, verbose, w, line)
				}
			}
			if !strings.Contains(out, "\n    1) ") || !strings.Contains(out, "\n       ") {
				t.Errorf("%s: steps are not indented as expected:\n%s", lang, out)
			}
		}
	}
}
