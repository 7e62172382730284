package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/logindoctor/logindoctor/report"
)

// newReportCmd is `logindoctor report render FILE.json`.
func (a *app) newReportCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "report",
		Short:   a.t("cli.report.short", nil),
		Example: reportExample,
		Args:    cobra.ArbitraryArgs,
		// A parent without its own work is still a command: a mistyped
		// or missing subcommand is a usage error (exit 2), not help and 0.
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.unknownSubcommand(cmd, args)
		},
	}
	render := &cobra.Command{
		Use:     "render FILE.json",
		Short:   a.t("cli.render.short", nil),
		Example: reportExample,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.renderSaved(args[0], g)
		},
	}
	a.addGlobalFlags(render, g)
	cmd.AddCommand(render)
	return cmd
}

// renderSaved re-renders a saved JSON report in --format and --lang.
func (a *app) renderSaved(path string, g *globalOptions) error {
	if err := validateOutputFlags(g); err != nil {
		return err
	}
	f, err := openRegular(path)
	if err != nil {
		return &usageError{err: fmt.Errorf("cannot read %s: %w", path, err)}
	}
	defer f.Close()
	rep, err := report.ReadJSON(f)
	if err != nil {
		return &usageError{err: fmt.Errorf("%s: %w", path, err)}
	}
	if g.Lang != "" {
		rep.Localize(detectLang(g.Lang, a.io.Getenv))
	}
	var buf bytes.Buffer
	color := g.Output == "" && a.io.colorEnabled(g.NoColor)
	if err := report.Render(&buf, rep, g.Format, report.RenderOptions{Color: color, Verbose: g.Verbose, Width: a.outWidth(g)}); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	if g.Output == "" {
		_, err := a.io.Out.Write(buf.Bytes())
		return err
	}
	return writeFileAtomic(g.Output, buf.Bytes(), 0o644)
}

// unknownSubcommand is the usage error of a parent command run with a
// subcommand it does not have (with the one probably meant), or none.
func (a *app) unknownSubcommand(cmd *cobra.Command, args []string) error {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	if len(args) == 0 {
		return &usageError{err: errors.New(a.t("cli.err.needs_subcommand",
			map[string]any{"parent": cmd.CommandPath(), "commands": strings.Join(names, ", ")}))}
	}
	arg := args[0]
	msg := a.t("cli.err.unknown_command", map[string]any{"command": arg, "parent": cmd.CommandPath()})
	if near := closest(arg, names); near != "" {
		msg += " — " + a.t("cli.url.scheme_typo", map[string]any{"fix": cmd.CommandPath() + " " + near})
	}
	return &usageError{err: errors.New(msg)}
}
