package main

import (
	"strings"

	"github.com/logindoctor/logindoctor/report"
	"github.com/spf13/cobra"
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

// argsForCommand drops --lang (and its value) from args when the command
// they run has no --lang of its own (version, serve, help, completion):
// newApp already took the language from them, and --lang may be given
// anywhere on the command line, also before the subcommand. Commands with
// their own --lang and cobra's completion requests (no flag parsing) get
// args unchanged.
func argsForCommand(root *cobra.Command, args []string) []string {
	if len(args) > 1 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		// A completion request: the same for the words before the one
		// being completed.
		last := len(args) - 1
		return append(append([]string{args[0]}, argsForCommand(root, args[1:last])...), args[last])
	}
	cmd, _, err := root.Find(args)
	if err != nil || cmd.DisableFlagParsing || cmd.Flags().Lookup("lang") != nil {
		return args
	}
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--":
			return append(out, args[i:]...)
		case a == "--lang" && i+1 < len(args):
			i++ // its value
		case strings.HasPrefix(a, "--lang="):
		default:
			out = append(out, a)
		}
	}
	return out
}
