package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// localizeHelp makes --help, usage and cobra's own commands and flags speak
// the reader's language: the headings ("Usage:", "Flags:"…), the
// "(default …)" of each flag, the help flag, and the help and completion
// commands. Call it once the command tree is complete.
func (a *app) localizeHelp(root *cobra.Command) {
	visit(root, func(c *cobra.Command) {
		c.SetUsageFunc(func(c *cobra.Command) error {
			a.writeUsage(c.OutOrStderr(), c)
			return nil
		})
		c.SetHelpFunc(func(c *cobra.Command, _ []string) {
			a.writeHelp(c.OutOrStdout(), c)
		})
		switch c.Name() {
		case "help":
			c.Short = a.t("cli.help.help_short", nil)
		case "completion":
			c.Short = a.t("cli.help.completion_short", nil)
		}
	})
}

// visit calls f on c and every command under it.
func visit(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		visit(sub, f)
	}
}

// writeHelp is --help: the long (or short) description, then the usage.
func (a *app) writeHelp(w io.Writer, c *cobra.Command) {
	if text := strings.TrimRight(firstNonEmpty(c.Long, c.Short), " \n"); text != "" {
		fmt.Fprintf(w, "%s\n\n", text)
	}
	if c.Runnable() || c.HasSubCommands() {
		a.writeUsage(w, c)
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// writeUsage is cobra's usage text with the catalog's headings.
func (a *app) writeUsage(w io.Writer, c *cobra.Command) {
	c.InitDefaultHelpFlag()
	if f := c.Flags().Lookup("help"); f != nil {
		f.Usage = a.t("cli.help.help_flag", map[string]any{"name": c.Name()})
	}
	fmt.Fprintln(w, a.t("cli.help.usage", nil))
	if c.Runnable() {
		fmt.Fprintf(w, "  %s\n", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "  %s [command]\n", c.CommandPath())
	}
	if len(c.Aliases) > 0 {
		fmt.Fprintf(w, "\n%s\n  %s\n", a.t("cli.help.aliases", nil), c.NameAndAliases())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "\n%s\n%s\n", a.t("cli.help.examples", nil), c.Example)
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n%s\n", a.t("cli.help.commands", nil))
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "  %-*s %s\n", c.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(w, "\n%s\n%s\n", a.t("cli.help.flags", nil), a.flagUsages(c.LocalFlags()))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(w, "\n%s\n%s\n", a.t("cli.help.global_flags", nil), a.flagUsages(c.InheritedFlags()))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n%s\n", a.t("cli.help.more", map[string]any{"command": c.CommandPath() + " [command] --help"}))
	}
}

// flagDefault is pflag's "(default …)" at the end of a flag's line.
var flagDefault = regexp.MustCompile(`\(default (.+)\)$`)

// flagUsages is pflag's flag list with "(default …)" in the reader's
// language.
func (a *app) flagUsages(fs *pflag.FlagSet) string {
	lines := strings.Split(strings.TrimRight(fs.FlagUsages(), " \n"), "\n")
	for i, l := range lines {
		lines[i] = flagDefault.ReplaceAllStringFunc(l, func(m string) string {
			v := flagDefault.FindStringSubmatch(m)[1]
			return a.t("cli.help.default", map[string]any{"value": v})
		})
	}
	return strings.Join(lines, "\n")
}

// cobraError is one shape of error message cobra or pflag writes in
// English, and the catalog message that says it in the reader's language
// (its placeholders named after the pattern's groups).
type cobraError struct {
	re *regexp.Regexp
	id string
}

// cobraErrors are the error shapes of cobra and pflag a person can meet.
func cobraErrors() []cobraError {
	return []cobraError{
		{regexp.MustCompile(`^unknown flag: (?P<flag>\S+)$`), "cli.err.unknown_flag"},
		{regexp.MustCompile(`^unknown shorthand flag: '(?P<short>.)' in (?P<arg>\S+)$`), "cli.err.unknown_shorthand"},
		{regexp.MustCompile(`^flag needs an argument: (?:'(?P<short>.)' in -\S|(?P<flag>\S+))$`), "cli.err.flag_needs_arg"},
		{regexp.MustCompile(`^invalid argument "(?P<value>.*)" for "(?P<flag>[^"]+)" flag: (?P<reason>.*)$`), "cli.err.invalid_flag_value"},
		{regexp.MustCompile(`^accepts at most (?P<max>\d+) arg\(s\), received (?P<got>\d+)$`), "cli.err.at_most_args"},
		{regexp.MustCompile(`^accepts (?P<want>\d+) arg\(s\), received (?P<got>\d+)$`), "cli.err.exact_args"},
		{regexp.MustCompile(`^requires at least (?P<want>\d+) arg\(s\), only received (?P<got>\d+)$`), "cli.err.min_args"},
		{regexp.MustCompile(`^unknown command "(?P<command>[^"]*)" for "(?P<parent>[^"]*)"`), "cli.err.unknown_command"},
	}
}

// localizedError is err's message in the reader's language when it is one
// of cobra's or pflag's known shapes; anything after its first line (such
// as cobra's "Did you mean this?") is kept. Other errors are unchanged.
func (a *app) localizedError(err error) string {
	msg := err.Error()
	first, rest, _ := strings.Cut(msg, "\n")
	for _, ce := range cobraErrors() {
		m := ce.re.FindStringSubmatch(first)
		if m == nil {
			continue
		}
		params := map[string]any{}
		for i, name := range ce.re.SubexpNames() {
			if name != "" && m[i] != "" {
				params[name] = m[i]
			}
		}
		if s, ok := params["short"]; ok {
			params["flag"] = "-" + s.(string)
		}
		out := a.t(ce.id, params)
		if rest != "" {
			out += "\n" + rest
		}
		return out
	}
	return msg
}
