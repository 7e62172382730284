package main

import (
	"strings"

	"github.com/logindoctor/logindoctor/report"
)

// detectLang picks the report language: an explicit choice (flag, env or
// config: "en" or "zh") wins; "auto" or "" follows the locale (LANGUAGE,
// LC_ALL, LC_MESSAGES, LANG), and without one the OS's own setting.
func detectLang(choice string, getenv func(string) string) string {
	switch c := strings.ToLower(strings.TrimSpace(choice)); c {
	case "", "auto":
	default:
		return report.NormalizeLang(c)
	}
	for _, name := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if getenv(name) != "" {
			return report.LangFromEnv(getenv)
		}
	}
	return report.NormalizeLang(osLocale())
}

// langFromArgs finds --lang before the command line is parsed, so that help
// text is already in the right language.
func langFromArgs(args []string) string {
	for i, a := range args {
		switch {
		case a == "--lang" && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "--lang="):
			return strings.TrimPrefix(a, "--lang=")
		case a == "--":
			return ""
		}
	}
	return ""
}
