package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
)

// demoTour are the scenarios `logindoctor demo` runs without --scenario.
var demoTour = []string{"healthy", "expired-cert", "clock-skew", "hosts-override", "account-locked", "cookie-rejected"}

// demoOptions are demo's own flags.
type demoOptions struct {
	scenario string
	list     bool
}

func (a *app) newDemoCmd(g *globalOptions) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:     "demo",
		Short:   a.t("cli.demo.short", nil),
		Example: demoExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDemo(cmd.Context(), g, o)
		},
	}
	a.addGlobalFlags(cmd, g)
	cmd.Flags().StringVar(&o.scenario, "scenario", "", a.t("cli.flag.scenario", nil))
	cmd.Flags().BoolVar(&o.list, "list", false, a.t("cli.flag.list_scenarios", nil))
	complete(cmd, "scenario", fixedValues(scenarioNames()...))
	return cmd
}

func (a *app) runDemo(ctx context.Context, g *globalOptions, o *demoOptions) error {
	if err := validateOutputFlags(g); err != nil {
		return err
	}
	a.setLang("", g.Lang)
	if o.list {
		fmt.Fprintln(a.io.Out, a.t("cli.demo.list", nil))
		for _, s := range demoScenarios() {
			fmt.Fprintf(a.io.Out, "  %-16s %s\n", s.name, a.t("demo."+s.name, nil))
		}
		return nil
	}
	names := demoTour
	if o.scenario != "" {
		names = []string{o.scenario}
	}
	var last error
	for i, name := range names {
		sc, ok := findScenario(name)
		if !ok {
			return a.unknownScenario(name)
		}
		if len(names) > 1 {
			if i > 0 {
				fmt.Fprintln(a.io.Out)
			}
			fmt.Fprintln(a.io.Out, "══ "+a.t("cli.demo.header", map[string]any{"name": sc.name, "about": a.t("demo."+sc.name, nil)}))
		}
		err := a.runScenario(ctx, g, sc)
		if exitCode(err) > exitFail {
			return err
		}
		last = err
	}
	if len(names) > 1 {
		return nil // a tour shows faults on purpose; it succeeded if it ran
	}
	return last
}

// demoWorld is one scenario's fake CRM and its helpers, all on loopback.
type demoWorld struct {
	certs   *certs.Factory
	dir     string
	target  checks.Target
	closers []func() error
	// ids are the checks the scenario runs.
	ids []string
	// tweak adjusts the environment (dialers, resolvers) after it is made.
	tweak []func(*checks.Env)
}

func (w *demoWorld) close() {
	for i := len(w.closers) - 1; i >= 0; i-- {
		_ = w.closers[i]()
	}
	_ = os.RemoveAll(w.dir)
}

// leaf makes a certificate of kind k for the loopback CRM.
func (w *demoWorld) leaf(k certs.Kind) (*tls.Certificate, error) {
	c, err := w.certs.Leaf(k, "127.0.0.1", "localhost")
	return &c, err
}

// startCRM starts the fake CRM and points the target at it.
func (w *demoWorld) startCRM(opts crm.Options) (*crm.Server, error) {
	srv, err := crm.Start(opts)
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, srv.Close)
	u, err := parseLoginURL(srv.URL())
	if err != nil {
		return nil, err
	}
	w.target.URL = u
	return srv, nil
}

// startCRMWith starts the fake CRM with a certificate of kind k.
func (w *demoWorld) startCRMWith(k certs.Kind, opts crm.Options) (*crm.Server, error) {
	cert, err := w.leaf(k)
	if err != nil {
		return nil, err
	}
	opts.Cert = cert
	return w.startCRM(opts)
}

// refusingAddr is a loopback address that refuses connections while the
// scenario runs.
func (w *demoWorld) refusingAddr() (string, error) {
	addr, release, err := faultnet.RefusingAddr()
	if err != nil {
		return "", err
	}
	w.closers = append(w.closers, func() error { release(); return nil })
	return addr, nil
}

// startNTP starts a fixture NTP server with skew and uses it as the only
// time server (the demo never leaves the machine).
func (w *demoWorld) startNTP(skew time.Duration) error {
	srv, err := ntpserver.Start(ntpserver.Options{Skew: skew})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, srv.Close)
	w.target.Clock.NTPServers = []string{srv.Addr()}
	return nil
}

// useDNS makes every name lookup of the run go to a loopback DNS server
// answering zone: the system resolver, the resolv.conf that dns.resolve
// reads, and an empty hosts file (plus hosts lines, if given).
func (w *demoWorld) useDNS(zone dnsserver.Zone, hosts string) error {
	srv, err := dnsserver.Start(zone)
	if err != nil {
		return err
	}
	w.closers = append(w.closers, srv.Close)
	resolvConf := filepath.Join(w.dir, "resolv.conf")
	hostsFile := filepath.Join(w.dir, "hosts")
	if err := os.WriteFile(resolvConf, []byte("nameserver "+srv.Addr()+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(hostsFile, []byte(hosts), 0o644); err != nil {
		return err
	}
	resolver := srv.Resolver()
	w.tweak = append(w.tweak, func(env *checks.Env) {
		env.ResolvConf, env.HostsFile = resolvConf, hostsFile
		env.Resolver = resolver
	})
	return nil
}

// withChecks adds checks to the scenario's default set.
func (w *demoWorld) withChecks(ids ...string) {
	w.ids = append(append([]string{}, demoDefaultChecks...), ids...)
}

// newDemoWorld prepares a world with the demo defaults: certificates, a
// healthy NTP server and the settings a profile would give.
func newDemoWorld(now time.Time) (*demoWorld, error) {
	f, err := certs.NewFactory(now)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "logindoctor-demo-")
	if err != nil {
		return nil, err
	}
	w := &demoWorld{certs: f, dir: dir}
	w.target = checks.Target{
		CheckTimeout: 5 * time.Second,
		Clock:        checks.ClockConfig{MaxSkew: 30 * time.Second},
		TLS:          checks.TLSConfig{WarnDays: 21},
		HTTP:         checks.HTTPConfig{SlowAfter: 3 * time.Second},
		Browser:      checks.BrowserConfig{LoginFormSelector: "input[type=password]"},
		CAFile:       filepath.Join(dir, "demo-ca.pem"),
	}
	if err := f.Root.WritePEM(w.target.CAFile); err != nil {
		w.close()
		return nil, err
	}
	if err := w.startNTP(0); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// runScenario builds the scenario's world, runs the real checks against it
// and prints the report like `check` would.
func (a *app) runScenario(ctx context.Context, g *globalOptions, sc demoScenario) error {
	w, err := newDemoWorld(a.now())
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer w.close()
	if err := sc.setup(w); err != nil {
		return fmt.Errorf("demo %s: %w", sc.name, err)
	}
	s := &settings{Target: w.target, Timeout: 20 * time.Second, CheckTimeout: w.target.CheckTimeout, Lang: a.lang}
	if g.Timeout > 0 {
		s.Timeout = g.Timeout
	}
	if g.CheckTimeout > 0 {
		s.CheckTimeout, s.Target.CheckTimeout = g.CheckTimeout, g.CheckTimeout
	}
	env, err := a.makeEnv(s)
	if err != nil {
		return err
	}
	// Trust only the demo CA: the demo never depends on the system's roots.
	env.RootCAs, env.ExtraRoots = w.certs.Root.Pool(), w.certs.Root.Pool()
	for _, t := range w.tweak {
		t(env)
	}
	ids := w.ids
	if ids == nil {
		ids = demoDefaultChecks
	}
	if len(g.Only) > 0 || len(g.Skip) > 0 {
		chosen, err := a.selectChecks(g, false)
		if err != nil {
			return err
		}
		ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !slices.Contains(chosen, id) })
	}
	return a.diagnose(ctx, runPlan{settings: s, ids: ids, g: g, env: env, demo: true})
}

// demoDefaultChecks: everything but the account and policy checks, which a
// scenario turns on when it configures them.
var demoDefaultChecks = []string{"clock.skew", "device.browsers", "dns.resolve", "proxy.route", "net.reach", "tls.certificate", "http.login", "browser.page"}

// scenarioNames are the demo scenarios' names.
func scenarioNames() []string {
	var out []string
	for _, s := range demoScenarios() {
		out = append(out, s.name)
	}
	return out
}

// unknownScenario is the usage error for --scenario NAME, naming the
// scenario probably meant.
func (a *app) unknownScenario(name string) error {
	if near := closest(name, scenarioNames()); near != "" {
		return &usageError{err: fmt.Errorf("%s", a.t("cli.demo.unknown_suggest", map[string]any{"name": name, "suggest": near}))}
	}
	return &usageError{err: fmt.Errorf("%s", a.t("cli.demo.unknown", map[string]any{"name": name}))}
}
