package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/browser"
	"github.com/logindoctor/logindoctor/checks/builtin"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
)

// demoTour are the scenarios `logindoctor demo` runs without --scenario.
var demoTour = []string{"healthy", "expired-cert", "clock-skew", "hosts-override", "account-locked", "cookie-rejected"}

// tourBrowser are the tour's scenarios that open the page in Chrome: the
// healthy one (a full report) and the browser fault. The others' faults
// lie before the browser, whose start costs seconds on a loaded machine,
// so the tour leaves it out there (`demo --scenario NAME` keeps it).
var tourBrowser = []string{"healthy", "cookie-rejected"}

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
		a.listScenarios()
		return nil
	}
	names := demoTour
	if o.scenario != "" {
		names = []string{o.scenario}
	}
	var tour []demoScenario
	for _, name := range names {
		sc, ok := findScenario(name)
		if !ok {
			return a.unknownScenario(name)
		}
		tour = append(tour, sc)
	}
	if len(tour) == 1 {
		return a.runScenario(ctx, g, tour[0], nil)
	}
	return a.runTour(ctx, g, tour)
}

// listScenarios prints the scenarios, their descriptions aligned.
func (a *app) listScenarios() {
	width := 0
	for _, s := range demoScenarios() {
		width = max(width, len(s.name))
	}
	fmt.Fprintln(a.io.Out, a.t("cli.demo.list", nil))
	for _, s := range demoScenarios() {
		fmt.Fprintf(a.io.Out, "  %-*s  %s\n", width, s.name, a.t("demo."+s.name, nil))
	}
}

// demoParallel is how many tour scenarios run at once. They share one
// Chrome (see tourShared) and mostly wait on loopback servers, so more run
// than the project's machines have cores (2).
const demoParallel = 4

// scenarioRun is one tour scenario's captured output and outcome.
type scenarioRun struct {
	out, errOut bytes.Buffer
	err         error
	done        chan struct{}
}

// runTour runs the scenarios demoParallel at a time, each into its own
// buffers, and prints them in order as they finish: text with a banner
// per scenario; any other format with the banners on stderr, and JSON as
// one array. -o and --bundle name one file per scenario (x.json →
// x-healthy.json). A tour shows faults on purpose: it succeeded if every
// scenario ran.
func (a *app) runTour(ctx context.Context, g *globalOptions, tour []demoScenario) error {
	shared, err := newTourShared(a.now())
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer shared.close(ctx)
	runs := make([]*scenarioRun, len(tour))
	for i := range tour {
		runs[i] = &scenarioRun{done: make(chan struct{})}
	}
	// Start in tourStartOrder, at most demoParallel at once.
	go func() {
		slots := make(chan struct{}, demoParallel)
		for _, i := range tourStartOrder(tour) {
			slots <- struct{}{}
			sc, r := tour[i], runs[i]
			go func() {
				defer close(r.done)
				defer func() { <-slots }()
				sub := a.withBuffers(&r.out, &r.errOut)
				sg := perScenario(g, sc.name)
				if !slices.Contains(tourBrowser, sc.name) {
					sg.Skip = append(slices.Clone(sg.Skip), "browser.page")
				}
				r.err = sub.runScenario(ctx, sg, sc, shared)
			}()
		}
	}()
	banners, jsonArray := a.io.Out, g.Format == "json"
	if g.Format != "text" {
		banners = a.io.ErrOut
	}
	if jsonArray && g.Output == "" {
		fmt.Fprint(a.io.Out, "[")
	}
	var failed error
	for i, r := range runs {
		<-r.done
		if i > 0 && banners == a.io.Out {
			fmt.Fprintln(a.io.Out)
		}
		fmt.Fprintln(banners, "══ "+a.t("cli.demo.header", map[string]any{"name": tour[i].name, "about": a.t("demo."+tour[i].name, nil)}))
		_, _ = a.io.ErrOut.Write(r.errOut.Bytes())
		out := r.out.Bytes()
		if jsonArray && g.Output == "" {
			out = bytes.TrimSpace(out)
			if i > 0 {
				fmt.Fprint(a.io.Out, ",")
			}
			fmt.Fprintln(a.io.Out)
		}
		_, _ = a.io.Out.Write(out)
		if exitCode(r.err) > exitFail && failed == nil {
			failed = r.err
		}
	}
	if jsonArray && g.Output == "" {
		fmt.Fprintln(a.io.Out, "\n]")
	}
	return failed
}

// tourStartOrder is the order the tour starts its scenarios in: those that
// open the page in Chrome first — they take longest, and the others run
// while the browser starts — then the rest in the tour's order.
func tourStartOrder(tour []demoScenario) []int {
	var first, rest []int
	for i, sc := range tour {
		if slices.Contains(tourBrowser, sc.name) {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	return append(first, rest...)
}

// tourShared is what a tour's scenarios share, none of which changes a
// diagnosis: one certificate factory (so one CA file, and one browser
// fits every scenario), one warm browser, whose pages each scenario opens
// in an incognito context of its own, and one scan of the installed
// browsers (the machine's, the same for every scenario).
type tourShared struct {
	certs    *certs.Factory
	dir      string
	caFile   string
	browsers *browser.Pool
	scan     onceScan
}

func newTourShared(now time.Time) (*tourShared, error) {
	f, err := certs.NewFactory(now)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "logindoctor-demo-")
	if err != nil {
		return nil, err
	}
	s := &tourShared{certs: f, dir: dir, caFile: filepath.Join(dir, "demo-ca.pem")}
	if err := f.Root.WritePEM(s.caFile); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.browsers = browser.NewPool(browser.PoolOptions{Size: 1})
	return s, nil
}

// close closes the browser (within cleanupWait, also after Ctrl-C) and
// removes the CA file.
func (s *tourShared) close(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupWait)
	defer cancel()
	_ = s.browsers.Close(ctx)
	_ = os.RemoveAll(s.dir)
}

// onceScan is device.Scan done once: the first run's scan is every
// later run's, for the same operating system, root and browser.path (a
// scan cut short by its run's deadline is not kept).
type onceScan struct {
	mu  sync.Mutex
	key string
	inv *device.Inventory
}

func (o *onceScan) scan(ctx context.Context, env *checks.Env) device.Inventory {
	key := env.GOOS + "\x00" + env.FSRoot + "\x00" + env.Target.Browser.Path
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.inv != nil && o.key == key {
		return *o.inv
	}
	inv := device.Scan(ctx, env)
	if ctx.Err() == nil {
		o.key, o.inv = key, &inv
	}
	return inv
}

// withBuffers is a copy of the app writing to out and errOut, neither a
// terminal (no progress lines interleaving).
func (a *app) withBuffers(out, errOut *bytes.Buffer) *app {
	ios := *a.io
	ios.Out, ios.ErrOut, ios.ErrTTY = out, errOut, false
	sub := *a
	sub.io = &ios
	return &sub
}

// perScenario are the options of one tour scenario: -o and --bundle get
// the scenario's name before their extension.
func perScenario(g *globalOptions, name string) *globalOptions {
	c := *g
	c.Output, c.Bundle = suffixed(g.Output, name), suffixed(g.Bundle, name)
	return &c
}

// suffixed puts -name before path's extension ("" stays "").
func suffixed(path, name string) string {
	if path == "" {
		return ""
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + name + ext
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
	// names are the host names of the scenario's private DNS.
	names []string
	// portalProbes are net.reach's captive-portal probes: none but the
	// scenario's own, under names only its DNS knows (the real ones are
	// on the internet).
	portalProbes []reach.PortalProbe
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
	for name := range zone {
		w.names = append(w.names, strings.TrimSuffix(name, "."))
	}
	slices.Sort(w.names)
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

// newDemoWorld prepares a world with the demo defaults: certificates (the
// tour's, with shared), a healthy NTP server and the settings a profile
// would give.
func newDemoWorld(now time.Time, shared *tourShared) (*demoWorld, error) {
	dir, err := os.MkdirTemp("", "logindoctor-demo-")
	if err != nil {
		return nil, err
	}
	var f *certs.Factory
	if shared != nil {
		f = shared.certs
	} else if f, err = certs.NewFactory(now); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	w := &demoWorld{certs: f, dir: dir}
	w.target = checks.Target{
		Clock:   checks.ClockConfig{MaxSkew: 30 * time.Second},
		TLS:     checks.TLSConfig{WarnDays: 21},
		HTTP:    checks.HTTPConfig{SlowAfter: 3 * time.Second},
		Browser: checks.BrowserConfig{LoginFormSelector: "input[type=password]"},
		CAFile:  filepath.Join(dir, "demo-ca.pem"),
	}
	if shared != nil {
		w.target.CAFile = shared.caFile
	} else if err := f.Root.WritePEM(w.target.CAFile); err != nil {
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
// With shared (a tour), it uses the tour's certificates, browser and
// browser scan.
func (a *app) runScenario(ctx context.Context, g *globalOptions, sc demoScenario, shared *tourShared) error {
	w, err := newDemoWorld(a.now(), shared)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer w.close()
	if err := sc.setup(w); err != nil {
		return fmt.Errorf("demo %s: %w", sc.name, err)
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
	var scan func(context.Context, *checks.Env) device.Inventory
	if shared != nil {
		scan = shared.scan.scan
	}
	if a, err = a.withDemoChecks(w.portalProbes, scan); err != nil {
		return err
	}
	s := demoSettings(w.target, ids, g, a.lang)
	env, err := a.makeEnv(s)
	if err != nil {
		return err
	}
	// Trust only the demo CA: the demo never depends on the system's roots.
	env.RootCAs, env.ExtraRoots = w.certs.Root.Pool(), w.certs.Root.Pool()
	for _, t := range w.tweak {
		t(env)
	}
	env.BrowserHostRules = w.hostRules()
	if shared != nil && slices.Contains(ids, browser.ID) {
		env.Browsers = shared.browsers
		shared.browsers.Warm(env)
	}
	return a.diagnose(ctx, runPlan{settings: s, ids: ids, g: g, env: env, demo: true})
}

// withDemoChecks is a copy of the app whose net.reach looks for a captive
// portal with probes only (none: never), so that no demo run asks the
// internet's probe hosts, and whose device.browsers takes its inventory
// from scan (nil: scans itself).
func (a *app) withDemoChecks(probes []reach.PortalProbe, scan func(context.Context, *checks.Env) device.Inventory) (*app, error) {
	all := builtin.Checks()
	for i, c := range all {
		switch {
		case c.Info().ID == reach.ID:
			all[i] = reach.New(reach.Options{PortalProbes: probes})
		case c.Info().ID == device.ID && scan != nil:
			all[i] = device.NewWithScan(scan)
		}
	}
	reg, err := checks.NewRegistry(all...)
	if err != nil {
		return nil, fmt.Errorf("demo checks: %w", err)
	}
	sub := *a
	sub.registry = reg
	return &sub, nil
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

// The demo's check timeouts: a scenario sets its own when it shows a
// timeout; otherwise these. A Chrome starting beside another on a loaded
// 2-core machine takes seconds, so a run with the browser gets longer.
const (
	demoCheckTimeout        = 5 * time.Second
	demoBrowserCheckTimeout = 15 * time.Second
)

// demoSettings are a scenario's run settings: its target, the check
// timeout it set (else demoCheckTimeout, demoBrowserCheckTimeout with the
// browser), a run long enough for it, and the flags' overrides.
func demoSettings(target checks.Target, ids []string, g *globalOptions, lang string) *settings {
	ct := target.CheckTimeout
	if ct == 0 {
		ct = demoCheckTimeout
		if slices.Contains(ids, "browser.page") {
			ct = demoBrowserCheckTimeout
		}
	}
	if g.CheckTimeout > 0 {
		ct = g.CheckTimeout
	}
	s := &settings{Target: target, Timeout: max(20*time.Second, ct+10*time.Second), Lang: lang}
	s.CheckTimeout, s.Target.CheckTimeout = ct, ct
	if g.Timeout > 0 {
		s.Timeout = g.Timeout
	}
	return s
}

// hostRules are Chrome's --host-resolver-rules for the scenario: its
// private names to loopback and every other name to "not found", so the
// browser never asks the real DNS (a demo runs offline).
func (w *demoWorld) hostRules() string {
	var rules []string
	for _, n := range w.names {
		rules = append(rules, "MAP "+n+" 127.0.0.1")
	}
	rules = append(rules, "MAP * ~NOTFOUND", "EXCLUDE localhost", "EXCLUDE 127.0.0.1")
	return strings.Join(rules, ", ")
}
