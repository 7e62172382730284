package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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
	return &app{io: ios, lang: lang, msg: report.Messages(lang), registry: reg, now: time.Now, newEnv: builtin.NewEnv}, nil
}

// t is the app's message lookup.
func (a *app) t(id string, params map[string]any) string { return a.msg.T(id, params) }

// newRootCmd builds the command tree.
func (a *app) newRootCmd() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "logindoctor [URL]",
		Short:         a.t("cli.root.short", nil),
		Long:          a.t("cli.root.long", nil),
		Args:          usageArgs(cobra.MaximumNArgs(1)),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), cmd, g, args, false)
		},
	}
	root.SetOut(a.io.Out)
	root.SetErr(a.io.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	a.addGlobalFlags(root.PersistentFlags(), g)
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
	return root
}

func (a *app) addGlobalFlags(fs *pflag.FlagSet, g *globalOptions) {
	fs.StringVar(&g.ConfigFile, "config", "", a.t("cli.flag.config", nil))
	fs.StringVar(&g.Format, "format", "text", a.t("cli.flag.format", nil))
	fs.StringVarP(&g.Output, "output", "o", "", a.t("cli.flag.output", nil))
	fs.StringVar(&g.Bundle, "bundle", "", a.t("cli.flag.bundle", nil))
	fs.StringSliceVar(&g.Only, "only", nil, a.t("cli.flag.only", nil))
	fs.StringSliceVar(&g.Skip, "skip", nil, a.t("cli.flag.skip", nil))
	fs.DurationVar(&g.Timeout, "timeout", 0, a.t("cli.flag.timeout", nil))
	fs.DurationVar(&g.CheckTimeout, "check-timeout", 0, a.t("cli.flag.check_timeout", nil))
	fs.StringVar(&g.Lang, "lang", "", a.t("cli.flag.lang", nil))
	fs.StringVar(&g.CAFile, "ca-file", "", a.t("cli.flag.ca_file", nil))
	fs.BoolVar(&g.NoColor, "no-color", false, a.t("cli.flag.no_color", nil))
	fs.BoolVarP(&g.Verbose, "verbose", "v", false, a.t("cli.flag.verbose", nil))
	fs.BoolVar(&g.Strict, "strict", false, a.t("cli.flag.strict", nil))
	fs.StringVar(&g.FailOn, "fail-on", "", a.t("cli.flag.fail_on", nil))
}

func (a *app) newCheckCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "check [URL]",
		Short: a.t("cli.check.short", nil),
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), cmd, g, args, false)
		},
	}
}

func (a *app) newSmokeCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "smoke URL",
		Short: a.t("cli.smoke.short", nil),
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), cmd, g, args, true)
		},
	}
}

// smokeChecks are the checks `smoke` runs: network, TLS, HTTP and browser.
var smokeChecks = []string{"dns.resolve", "proxy.route", "net.reach", "tls.certificate", "http.login", "browser.page"}

func (a *app) newListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: a.t("cli.list.short", nil),
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			for _, c := range a.registry.Checks() {
				in := c.Info()
				deps := "—"
				if len(in.DependsOn) > 0 {
					deps = strings.Join(in.DependsOn, ", ")
				}
				needs := ""
				if len(in.Needs) > 0 {
					needs = "  [" + a.t("cli.list.needs", nil) + " " + strings.Join(in.Needs, ", ") + "]"
				}
				fmt.Fprintf(w, "%-16s %-8s %s\n%-16s %-8s %s: %s%s\n", in.ID, in.Stage, a.t("about."+in.ID, nil), "", "", a.t("cli.list.after", nil), deps, needs)
			}
			return nil
		},
	}
}

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: a.t("cli.version.short", nil),
		Args:  usageArgs(cobra.NoArgs),
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
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var (
		ve *verdictError
		ie *interruptedError
	)
	if err != nil && !errors.As(err, &ve) && !errors.As(err, &ie) {
		fmt.Fprintln(a.io.ErrOut, a.t("cli.error", map[string]any{"error": err.Error()}))
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
