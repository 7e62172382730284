package report

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// RuneWidth is the number of terminal columns r takes: 2 for East Asian
// wide and full-width characters (CJK), 0 for combining marks, else 1.
func RuneWidth(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0x200B:
		return 0
	case isWide(r):
		return 2
	}
	return 1
}

func isWide(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}

// TextWidth is the number of terminal columns s takes.
func TextWidth(s string) int {
	n := 0
	for _, r := range s {
		n += RuneWidth(r)
	}
	return n
}

// noLineStart are the closing punctuation marks that must not begin a
// line (they stay with the character before them).
const noLineStart = "，。、；：！？）」』”’》〉】,.;:!?)]}"

// wrapTokens splits s into the pieces a line may break between: runs of
// spaces, single wide (CJK) characters and words; closing punctuation is
// glued to the piece before it.
func wrapTokens(s string) []string {
	var toks []string
	var cur strings.Builder
	kind := 0 // 0 none, 1 word, 2 space
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
		kind = 0
	}
	for _, r := range s {
		switch {
		case r == ' ':
			if kind != 2 {
				flush()
			}
			kind = 2
			cur.WriteRune(r)
		case strings.ContainsRune(noLineStart, r) && kind != 2 && (cur.Len() > 0 || len(toks) > 0):
			if cur.Len() == 0 {
				toks[len(toks)-1] += string(r)
			} else {
				cur.WriteRune(r)
			}
		case isWide(r):
			flush()
			toks = append(toks, string(r))
		default:
			if kind != 1 {
				flush()
			}
			kind = 1
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

// wrapText lays s out in lines of at most maxWidth columns: the first line
// starts with first, the others with indent (continuation lines sit under
// the text, not under a number). Lines break at spaces and between CJK
// characters; a word longer than a line is cut. maxWidth ≤ 0 means no
// wrapping.
func wrapText(first, indent, s string, maxWidth int) string {
	if maxWidth <= 0 || TextWidth(first)+TextWidth(s) <= maxWidth {
		return first + s
	}
	var lines []string
	line, col := first, TextWidth(first)
	atStart, pending := true, ""
	newLine := func() {
		lines = append(lines, strings.TrimRight(line, " "))
		line, col, atStart, pending = indent, TextWidth(indent), true, ""
	}
	for _, tok := range wrapTokens(s) {
		if strings.TrimLeft(tok, " ") == "" {
			if !atStart {
				pending = " "
			}
			continue
		}
		w := TextWidth(tok)
		if !atStart && col+len(pending)+w > maxWidth {
			newLine()
		}
		if atStart && col+w > maxWidth {
			tok = cutToFit(tok, maxWidth, &line, &col, newLine, indent)
			w = TextWidth(tok)
		}
		line += pending + tok
		col += len(pending) + w
		atStart, pending = false, ""
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n")
}

// cutToFit writes the parts of a token too long for any line, one full
// line at a time, and returns the rest.
func cutToFit(tok string, maxWidth int, line *string, col *int, newLine func(), indent string) string {
	room := maxWidth - *col
	if room < 1 {
		return tok // no room even for one column: let it overflow
	}
	for TextWidth(tok) > room {
		n, cut := 0, 0
		for i, r := range tok {
			if n+RuneWidth(r) > room {
				cut = i
				break
			}
			n += RuneWidth(r)
		}
		if cut == 0 {
			break
		}
		*line += tok[:cut]
		tok = tok[cut:]
		newLine()
		room = maxWidth - TextWidth(indent)
		if room < 1 {
			break
		}
	}
	return tok
}

// Wrap lays out one paragraph s in lines of at most width columns, broken
// at spaces and between CJK characters (width ≤ 0: unchanged).
func Wrap(s string, width int) string { return wrapText("", "", s, width) }
