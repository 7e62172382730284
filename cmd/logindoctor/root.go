package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/builtin"
	"github.com/logindoctor/logindoctor/report"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// globalOptions are the flags every command understands.
type globalOptions struct {
	ConfigFile   string
	Format       string
	Output       string
	Bundle       string
	Only         []string
	Skip         []string
	Timeout      time.Duration
	CheckTimeout time.Duration
	Lang         string
	CAFile       string
	NoColor      bool
	Verbose      bool
	Strict       bool
	FailOn       string
	// FormatGiven: --format was given (else -o's extension may choose it).
	FormatGiven bool
}

// app is the program: its streams, language and registry. It holds no
// package-level state, so tests build as many as they like.
type app struct {
	io       *IOStreams
	lang     string
	msg      *report.Translator
	registry *checks.Registry
	// now is the wall clock (report timestamps).
	now func() time.Time
	// newEnv makes a run environment; tests and demo replace it.
	newEnv func(checks.Target) *checks.Env
	// stdin reads the terminal's lines (the address prompt, "Press Enter").
	stdin *lineReader
	// doubleClicked: started from Explorer (see planLaunch); a failed run
	// saves its bundle for IT whatever the terminal checks say.
	doubleClicked bool
	// bundleBuilds, when set, counts the ticket bundles built (tests: one
	// per run, however many places it goes to).
	bundleBuilds *atomic.Int32
	// cas keeps the roots of ca_files (serve: one read per file, not per probe).
	cas *caRoots
}

func newApp(ios *IOStreams, args []string) (*app, error) {
	reg, err := builtin.Registry()
	if err != nil {
		return nil, fmt.Errorf("built-in checks: %w", err)
	}
	choice := langFromArgs(args)
	if choice == "" {
		choice = ios.Getenv(envName("lang"))
	}
	lang := detectLang(choice, ios.Getenv)
	return &app{io: ios, lang: lang, msg: report.Messages(lang), registry: reg, now: time.Now, newEnv: builtin.NewEnv, stdin: newLineReader(ios.In), cas: &caRoots{}}, nil
}

// t is the app's message lookup.
func (a *app) t(id string, params map[string]any) string { return a.msg.T(id, params) }

// newRootCmd builds the command tree. The flags every diagnosing command
// understands are each command's own (addGlobalFlags), so that help shows
// them once and `version` or `list` none.
func (a *app) newRootCmd() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "logindoctor [URL]",
		Short:         a.t("cli.root.short", nil),
		Long:          a.t("cli.root.long", nil),
		Example:       rootExample,
		Version:       version,
		Args:          usageArgs(cobra.MaximumNArgs(1)),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), cmd, g, args, false)
		},
	}
	root.SetVersionTemplate("logindoctor {{.Version}}\n")
	root.SetOut(a.io.Out)
	root.SetErr(a.io.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: flagHint(err)} })
	a.addGlobalFlags(root, g)
	root.AddCommand(
		a.newCheckCmd(g),
		a.newSmokeCmd(g),
		a.newDemoCmd(g),
		a.newListCmd(),
		a.newReportCmd(g),
		a.newVersionCmd(),
		a.newServeCmd(),
	)
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	a.localizeHelp(root)
	return root
}

// The commands' examples (cobra's Example), shown by --help.
const (
	rootExample = `  logindoctor                                  check with the profile IT shipped
  logindoctor https://crm.example.com          check this CRM
  logindoctor crm.example.com --lang zh        the report in Chinese
  logindoctor --bundle ticket.zip              also save a bundle for the helpdesk`
	checkExample = `  logindoctor check https://crm.example.com
  logindoctor check --only network -v
  logindoctor check crm.example.com -o report.html`
	smokeExample = `  logindoctor smoke https://crm.example.com/login
  logindoctor smoke https://crm.example.com/login -o junit.xml
  logindoctor smoke https://crm.example.com/login --fail-on high --format json -o report.json`
	demoExample = `  logindoctor demo
  logindoctor demo --list
  logindoctor demo --scenario expired-cert --lang zh`
	listExample    = `  logindoctor list`
	versionExample = `  logindoctor version
  logindoctor --version`
	reportExample = `  logindoctor report render report.json --format html -o report.html
  logindoctor report render report.json --lang zh`
)

// addGlobalFlags adds the flags every diagnosing command understands to
// cmd, with shell completion of their values.
func (a *app) addGlobalFlags(cmd *cobra.Command, g *globalOptions) {
	fs := cmd.Flags()
	fs.StringVar(&g.ConfigFile, "config", "", a.t("cli.flag.config", nil))
	fs.StringVar(&g.Format, "format", "text", a.t("cli.flag.format", nil))
	fs.StringVarP(&g.Output, "output", "o", "", a.t("cli.flag.output", nil))
	fs.StringVar(&g.Bundle, "bundle", "", a.t("cli.flag.bundle", nil))
	fs.StringSliceVar(&g.Only, "only", nil, a.t("cli.flag.only", nil))
	fs.StringSliceVar(&g.Skip, "skip", nil, a.t("cli.flag.skip", nil))
	fs.DurationVar(&g.Timeout, "timeout", 0, a.t("cli.flag.timeout", nil))
	fs.DurationVar(&g.CheckTimeout, "check-timeout", 0, a.t("cli.flag.check_timeout", nil))
	a.addLangFlag(cmd, &g.Lang)
	fs.StringVar(&g.CAFile, "ca-file", "", a.t("cli.flag.ca_file", nil))
	fs.BoolVar(&g.NoColor, "no-color", false, a.t("cli.flag.no_color", nil))
	fs.BoolVarP(&g.Verbose, "verbose", "v", false, a.t("cli.flag.verbose", nil))
	fs.BoolVar(&g.Strict, "strict", false, a.t("cli.flag.strict", nil))
	fs.StringVar(&g.FailOn, "fail-on", "", a.t("cli.flag.fail_on", nil))
	complete(cmd, "format", fixedValues(report.Formats()...))
	complete(cmd, "fail-on", fixedValues("low", "high", "critical"))
	complete(cmd, "only", a.checkSelectors)
	complete(cmd, "skip", a.checkSelectors)
	// cobra reads the flag's value after the command ran its RunE; the
	// commands need to know whether --format was given (formatFromOutput).
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		g.FormatGiven = c.Flags().Changed("format")
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}

// addLangFlag adds --lang to cmd.
func (a *app) addLangFlag(cmd *cobra.Command, lang *string) {
	cmd.Flags().StringVar(lang, "lang", "", a.t("cli.flag.lang", nil))
	complete(cmd, "lang", fixedValues(report.Languages()...))
}

// complete registers a flag's value completion (the flag exists: an
// error here is a programming error, caught by the completion test).
func complete(cmd *cobra.Command, flag string, f cobra.CompletionFunc) {
	_ = cmd.RegisterFlagCompletionFunc(flag, f)
}

// fixedValues completes one of values.
func fixedValues(values ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// checkSelectors completes --only/--skip: check IDs, stage names, id.*
// patterns.
func (a *app) checkSelectors(_ *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	seen := map[string]bool{}
	var out []cobra.Completion
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, c := range a.registry.Checks() {
		in := c.Info()
		add(in.ID)
		add(string(in.Stage))
		if prefix, _, ok := strings.Cut(in.ID, "."); ok {
			add(prefix + ".*")
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func (a *app) newCheckCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "check [URL]",
		Short:   a.t("cli.check.short", nil),
		Example: checkExample,
		Args:    usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), cmd, g, args, false)
		},
	}
	a.addGlobalFlags(cmd, g)
	return cmd
}

func (a *app) newSmokeCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "smoke URL",
		Short:   a.t("cli.smoke.short", nil),
		Example: smokeExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{err: errors.New(a.t("cli.smoke_needs_url", nil))}
			}
			return usageArgs(cobra.ExactArgs(1))(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), cmd, g, args, true)
		},
	}
	a.addGlobalFlags(cmd, g)
	return cmd
}

// smokeChecks are the checks `smoke` runs: network, TLS, HTTP and browser.
var smokeChecks = []string{"dns.resolve", "proxy.route", "net.reach", "tls.certificate", "http.login", "browser.page"}

// stageColumns is the width of list's stage column: the longest stage
// name in either language ("Your computer", "电脑与设备").
const stageColumns = 14

// padColumns pads s with spaces to n terminal columns (CJK characters
// take two).
func padColumns(s string, n int) string {
	return s + strings.Repeat(" ", max(n-report.TextWidth(s), 0))
}

func (a *app) newListCmd() *cobra.Command {
	var lang string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   a.t("cli.list.short", nil),
		Example: listExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			for _, c := range a.registry.Checks() {
				in := c.Info()
				stage := padColumns(a.t("stage."+string(in.Stage), nil), stageColumns)
				fmt.Fprintf(w, "%-16s %s %s\n", in.ID, stage, a.t("about."+in.ID, nil))
				// A second line only for what a check waits for or needs.
				var more []string
				if len(in.DependsOn) > 0 {
					more = append(more, a.t("cli.list.after", map[string]any{"checks": strings.Join(in.DependsOn, ", ")}))
				}
				if len(in.Needs) > 0 {
					more = append(more, a.t("cli.list.needs", map[string]any{"keys": strings.Join(in.Needs, ", ")}))
				}
				if len(more) > 0 {
					fmt.Fprintf(w, "%-16s %s %s\n", "", padColumns("", stageColumns), strings.Join(more, "   "))
				}
			}
			return nil
		},
	}
	a.addLangFlag(cmd, &lang) // read early by newApp (langFromArgs)
	return cmd
}

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   a.t("cli.version.short", nil),
		Example: versionExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "logindoctor %s\n", version)
			return nil
		},
	}
}

// execute runs the command line and returns the exit code, printing any
// error in the user's language.
func (a *app) execute(ctx context.Context, args []string) int {
	root := a.newRootCmd()
	root.SetArgs(argsForCommand(root, args))
	err := root.ExecuteContext(ctx)
	var (
		ve *verdictError
		ie *interruptedError
	)
	if err != nil && !errors.As(err, &ve) && !errors.As(err, &ie) {
		fmt.Fprintln(a.io.ErrOut, a.t("cli.error", map[string]any{"error": a.localizedError(err)}))
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(a.io.ErrOut, a.t("cli.usage_hint", nil))
		}
	}
	return exitCode(err)
}

// usageArgs wraps a positional-argument rule so that its errors are usage
// errors (exit 2).
func usageArgs(rule cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := rule(cmd, args); err != nil {
			return &usageError{err: err}
		}
		return nil
	}
}
