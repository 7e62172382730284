package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/report"
)

// runPlan is one diagnosis to run: settings, the checks chosen and how to
// judge and write the result.
type runPlan struct {
	settings *settings
	ids      []string
	g        *globalOptions
	smoke    bool
	// env, when set, replaces the environment newEnv would make (demo).
	env *checks.Env
	// start is when the run began (zero: when diagnose is called); the
	// whole run ends by start + --timeout.
	start time.Time
	// failing are the checks the exit decision counts as failed (see
	// judge), for JUnit.
	failing []string
	// forceSave saves the report for IT even when the terminal checks of
	// saveForIT would not (a double-clicked window).
	forceSave bool
	// demo: a demo scenario, whose report is never saved for IT.
	demo bool
	// bundle holds the run's ticket bundle once built, so that --bundle
	// and the copy for IT (inbox or desktop) are the same bytes, built
	// once (nil: built at every use).
	bundle *builtBundle
}

// runCheck is `logindoctor [URL]`, `check` and `smoke`.
func (a *app) runCheck(ctx context.Context, cmd *cobra.Command, g *globalOptions, args []string, smoke bool) error {
	a.setLang("", g.Lang)
	if err := a.checkTargetArg(args, commandNames(cmd)); err != nil {
		return err
	}
	if err := validateOutputFlags(g); err != nil {
		return err
	}
	s, err := a.loadSettings(ctx, cmd, g, args)
	if err != nil {
		return err
	}
	start := time.Now() // after any question on the terminal: the user's typing is not the run's time
	a.setLang(s.Lang, g.Lang)
	ids, err := a.selectChecks(g, smoke)
	if err != nil {
		return err
	}
	if smoke {
		g.NoColor = true // a CI log: no colour, and no progress (see newProgress)
	}
	return a.diagnose(ctx, runPlan{settings: s, ids: ids, g: g, smoke: smoke, start: start, forceSave: a.doubleClicked})
}

// setLang applies the configured language once settings are known.
func (a *app) setLang(configured, flag string) {
	choice := flag
	if choice == "" {
		choice = configured
	}
	if lang := detectLang(choice, a.io.Getenv); lang != a.lang {
		a.lang = lang
		a.msg = report.Messages(lang)
	}
}

func validateOutputFlags(g *globalOptions) error {
	if err := formatFromOutput(g); err != nil {
		return err
	}
	if !slices.Contains(report.Formats(), g.Format) {
		return &usageError{err: fmt.Errorf("--format %q is not one of %v", g.Format, report.Formats())}
	}
	if g.FailOn != "" && checks.Severity(g.FailOn).Rank() < 1 {
		return &usageError{err: fmt.Errorf("--fail-on %q is not one of low, high, critical", g.FailOn)}
	}
	if g.Timeout < 0 || g.CheckTimeout < 0 {
		return &usageError{err: fmt.Errorf("--timeout and --check-timeout must be positive")}
	}
	if err := checkOutputPath("output", g.Output); err != nil {
		return err
	}
	return checkOutputPath("bundle", g.Bundle)
}

// selectChecks applies --only/--skip (and smoke's preset) to the registry.
func (a *app) selectChecks(g *globalOptions, smoke bool) ([]string, error) {
	ids, err := a.registry.Select(g.Only, g.Skip)
	if err != nil {
		return nil, &usageError{err: err}
	}
	if smoke {
		ids = slices.DeleteFunc(ids, func(id string) bool { return !slices.Contains(smokeChecks, id) })
	}
	if len(ids) == 0 {
		return nil, &usageError{err: fmt.Errorf("--only/--skip leave no check to run")}
	}
	return ids, nil
}

// diagnose runs the plan, writes the report and judges the exit code, all
// within --timeout: the checks end early enough for the report, the bundle
// and the clean-up to fit (see planDeadlines).
func (a *app) diagnose(ctx context.Context, p runPlan) error {
	s := p.settings
	start := p.start
	if start.IsZero() {
		start = time.Now()
	}
	dl := planDeadlines(start, s.Timeout)
	// After the checks, the run goes on — report, bundle, clean-up — even
	// when it was interrupted, but never past its end.
	finishCtx, cancelFinish := context.WithDeadline(context.WithoutCancel(ctx), dl.end)
	defer cancelFinish()
	env := p.env
	if env == nil {
		var err error
		if env, err = a.makeEnv(s); err != nil {
			return err
		}
	}
	closeBrowsers := warmBrowser(env, p.ids)
	checksCtx, cancel := context.WithDeadline(ctx, dl.checks)
	defer cancel()
	started := a.now()
	prog := a.newProgress(p)
	runner := &checks.Runner{Registry: a.registry, CheckTimeout: s.CheckTimeout, Progress: prog.event}
	results := a.runChecks(checksCtx, dl.results, runner, env, p.ids)
	closeBrowsers(finishCtx)
	prog.finish()
	if interrupted(ctx) {
		// Checks cut short make no diagnosis: no report, no fix list, no
		// "send IT the saved report" — only the clean-up, then exit 3.
		a.waitCleanup(finishCtx, env)
		fmt.Fprintln(a.io.ErrOut, a.t("cli.interrupted", nil))
		return &interruptedError{cause: context.Cause(ctx)}
	}
	rep := report.Build(results, report.Options{
		Lang: a.lang, ToolVersion: version, Target: s.Target.URL.String(),
		StartedAt: started, Duration: a.now().Sub(started), GOOS: env.GOOS,
	})
	verdict := a.judge(rep, p.g, p.smoke)
	p.failing = verdict.failing
	p.bundle = &builtBundle{}
	red := newRedactor(s, a.io.Getenv)
	err := a.deliver(finishCtx, rep, p, red)
	if err == nil {
		err = a.saveForIT(finishCtx, rep, p, red, env.RootCAs)
	}
	a.waitCleanup(finishCtx, env)
	if err != nil {
		return err
	}
	if interrupted(ctx) {
		return &interruptedError{cause: context.Cause(ctx)}
	}
	a.explainExit(verdict, rep)
	return verdict.err()
}

// interrupted reports a run cancelled (Ctrl-C, SIGTERM, SIGHUP) rather
// than timed out. signal.NotifyContext cancels with its own cause
// ("interrupt signal received"), so test the error, not the cause.
func interrupted(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled)
}

// makeEnv builds the run environment: the target, trusted roots.
func (a *app) makeEnv(s *settings) (*checks.Env, error) {
	env := a.newEnv(s.Target)
	env.Getenv = a.io.Getenv
	if s.Target.CAFile != "" {
		roots, extra, err := a.cas.load(s.Target.CAFile)
		if err != nil {
			return nil, keyError("ca_file", err)
		}
		env.RootCAs, env.ExtraRoots = roots, extra
	}
	return env, nil
}

// cleanupWait bounds how long the program waits, after the report is out,
// for checks' clean-up (a browser closing, its profile being removed).
const cleanupWait = 5 * time.Second

// waitCleanup waits for the run's background clean-up, so that no browser
// profile outlives logindoctor even when the run was interrupted — within
// cleanupWait and never past ctx's deadline (the end of --timeout).
func (a *app) waitCleanup(ctx context.Context, env *checks.Env) {
	ctx, cancel := context.WithTimeout(ctx, cleanupWait)
	defer cancel()
	env.WaitBackground(ctx)
}
