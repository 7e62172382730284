package main

// `logindoctor serve`: a long-running HTTP server that Prometheus scrapes
// the way it scrapes blackbox_exporter (/probe), with its own /metrics,
// health endpoints, and reload and drain on signals.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/browser"
	"github.com/logindoctor/logindoctor/checks/builtin"
	"github.com/logindoctor/logindoctor/checks/device"
)

// Server limits.
const (
	defaultListen = ":9716"
	// drainTimeout is how long SIGTERM waits for probes in flight.
	drainTimeout = 10 * time.Second
	// readHeaderTimeout bounds a client that opens a connection and
	// sends nothing.
	readHeaderTimeout = 10 * time.Second
)

// serveOptions are serve's flags.
type serveOptions struct {
	Listen     string
	Modules    string
	AllowRoot  bool
	MaxProbes  int
	MaxBrowser int
	MaxQueue   int
	// BrowserRetireMB is the pool's RetireMB (0: the pool's default).
	BrowserRetireMB int64
	TimeoutOffset   time.Duration
	LogLevel        string
	// Inbox is the helpdesk inbox's directory ("" : no inbox); its
	// tokens come from the environment variables these name.
	Inbox             string
	InboxTokenEnv     string
	InboxReadTokenEnv string
	// DrainTimeout is drainTimeout; tests shorten it.
	DrainTimeout time.Duration
}

func (a *app) newServeCmd() *cobra.Command {
	o := serveOptions{DrainTimeout: drainTimeout}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Fleet and helpdesk server: Prometheus probes (/probe), its own /metrics",
		Long: "serve runs the checks for Prometheus the way blackbox_exporter does: GET /probe?target=URL&module=NAME.\n" +
			"Modules are profiles (the keys of a profile file, without url) in --modules FILE under `modules:`.\n" +
			"SIGHUP or POST /-/reload rereads the modules file; SIGTERM drains probes in flight (10 s) and exits.\n" +
			"It refuses to run as root unless --allow-root.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runServe(cmd.Context(), o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{err: a.serveFlagHint(flagHint(err))}
	})
	fs := cmd.Flags()
	fs.StringVar(&o.Listen, "listen", defaultListen, "address to listen on (host:port)")
	fs.StringVar(&o.Modules, "modules", "", "modules file (YAML: modules: {NAME: {…profile keys…}}); none: one module \"default\"")
	fs.BoolVar(&o.AllowRoot, "allow-root", false, "run even as root (not recommended: run serve as its own user)")
	fs.IntVar(&o.MaxProbes, "max-probes", max(2, runtime.NumCPU()*2), "probes that may run at once")
	fs.IntVar(&o.MaxBrowser, "max-browser-probes", 1, "probes with a browser (browser.page) that may run at once")
	fs.Int64Var(&o.BrowserRetireMB, "browser-retire-mb", 0, fmt.Sprintf("a warm browser holding more than this many MB after a probe is replaced (0: %d; at most %d)", browser.DefaultRetireMB, browser.MaxRetireMB))
	fs.IntVar(&o.MaxQueue, "max-queue", 32, "probes that may wait for a slot; more are answered 503 at once")
	fs.DurationVar(&o.TimeoutOffset, "timeout-offset", defaultTimeoutOffset, "kept back from Prometheus' scrape timeout")
	fs.StringVar(&o.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.Inbox, "inbox", "", "directory of the helpdesk inbox (POST /api/v1/reports, GET /reports); none: no inbox")
	fs.StringVar(&o.InboxTokenEnv, "inbox-token-env", "", "environment variable holding the inbox upload token (also the read token unless --inbox-read-token-env)")
	fs.StringVar(&o.InboxReadTokenEnv, "inbox-read-token-env", "", "environment variable holding the token for the /reports pages")
	return cmd
}

// serveModuleKeys are the check command's flags that serve takes from a
// module instead, with the module key (or probe parameter) to use.
var serveModuleKeys = map[string]string{
	"--ca-file": "ca_file", "--check-timeout": "check_timeout", "--only": "only", "--skip": "skip",
	"--config": "modules:", "--timeout": "check_timeout", "--format": "&format=json", "--lang": "lang",
}

// serveFlagHint adds, to an unknown-flag error of serve, where that
// setting lives instead: serve's checks take their settings per module.
func (a *app) serveFlagHint(err error) error {
	var flag string
	if _, e := fmt.Sscanf(err.Error(), "unknown flag: %s", &flag); e != nil {
		return err
	}
	name, _, _ := strings.Cut(flag, "=")
	key, ok := serveModuleKeys[name]
	if k := strings.ReplaceAll(strings.TrimPrefix(name, "--"), "-", "_"); !ok && slices.Contains(knownKeyNames(), k) {
		key, ok = k, true
	}
	if !ok {
		return err
	}
	return fmt.Errorf("%w\n%s", err, a.t("cli.err.serve_flag", map[string]any{"key": key}))
}

// server is one `logindoctor serve`. It owns every piece of its state.
type server struct {
	app     *app
	opts    serveOptions
	modules atomic.Pointer[moduleSet]
	metrics *serverMetrics
	limit   *limiter
	// browsers are the warm browsers of browser probes (size
	// --max-browser-probes), closed when the server stops.
	browsers *browser.Pool
	// shell is Chrome's headless shell when installed (""): the browser of
	// browser probes whose module sets no browser.path — about 100 MB
	// less per browser than a full headless Chrome, and faster pages.
	shell string
	inbox *inbox // nil without --inbox
	log   *slog.Logger
	ready atomic.Bool
	// inFlight counts running probes, so a drain can wait for them.
	inFlight sync.WaitGroup
	reloadMu sync.Mutex
	// newRegistry gives each probe its own check instances.
	newRegistry func() (*checks.Registry, error)
}

// newServer reads the modules file; a bad one is a configuration error.
func newServer(a *app, o serveOptions, logOut io.Writer) (*server, error) {
	if o.TimeoutOffset < 0 {
		return nil, &usageError{err: errors.New("--timeout-offset must not be negative")}
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = drainTimeout
	}
	if o.BrowserRetireMB < 0 || o.BrowserRetireMB > browser.MaxRetireMB {
		return nil, &usageError{err: fmt.Errorf("--browser-retire-mb %d: give 0 (the default, %d) up to %d MB (past that the browser is stopped anyway)", o.BrowserRetireMB, browser.DefaultRetireMB, browser.MaxRetireMB)}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return nil, &usageError{err: fmt.Errorf("--log-level %q: %v", o.LogLevel, err)}
	}
	s := &server{
		app: a, opts: o, metrics: newServerMetrics(),
		log:         slog.New(slog.NewTextHandler(&lockedWriter{w: logOut}, &slog.HandlerOptions{Level: level})),
		newRegistry: builtin.Registry,
	}
	s.limit = newLimiter(o.MaxProbes, o.MaxBrowser, o.MaxQueue, s.metrics)
	s.browsers = browser.NewPool(browser.PoolOptions{Size: o.MaxBrowser, RetireMB: o.BrowserRetireMB})
	s.metrics.watchPool(s.browsers)
	s.shell, _ = device.FindHeadlessShell()
	if o.Inbox != "" {
		in, err := newInbox(o.Inbox, o.InboxTokenEnv, o.InboxReadTokenEnv, a.io.Getenv)
		if err != nil {
			return nil, err
		}
		s.inbox = in
	}
	set, err := loadModules(o.Modules, a.registry)
	if err != nil {
		return nil, err
	}
	s.modules.Store(set)
	s.metrics.reloadOK.Set(1)
	s.metrics.reloadTime.SetToCurrentTime()
	return s, nil
}

// lockedWriter serialises log lines from concurrent probes.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// reload rereads the modules file. A bad file keeps the modules in use and
// says why, in the log and in logindoctor_config_last_reload_successful.
func (s *server) reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	set, err := loadModules(s.opts.Modules, s.app.registry)
	if err != nil {
		s.metrics.reloadOK.Set(0)
		s.log.Error("modules file not reloaded; keeping the modules in use", "file", s.opts.Modules, "error", err)
		return err
	}
	s.modules.Store(set)
	s.metrics.reloadOK.Set(1)
	s.metrics.reloadTime.SetToCurrentTime()
	s.log.Info("modules file reloaded", "file", s.opts.Modules, "modules", set.names())
	return nil
}

// handler routes the server's endpoints.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /probe", s.handleProbe)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{Registry: s.metrics.reg}))
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Healthy") })
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("POST /-/reload", func(w http.ResponseWriter, _ *http.Request) {
		if err := s.reload(); err != nil {
			http.Error(w, "modules file not reloaded: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Reloaded")
	})
	if s.inbox != nil {
		mux.HandleFunc("POST /api/v1/reports", s.handleUpload)
		mux.HandleFunc("GET /reports", s.handleReportList)
		mux.HandleFunc("GET /reports/{id}", s.handleReportPage)
		mux.HandleFunc("GET /reports/{id}/screenshot.png", s.handleScreenshot)
		// Browsers ask for an icon with every first page load; "none"
		// keeps that out of the helpdesk's console as a 404.
		mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	}
	mux.HandleFunc("GET /{$}", s.handleIndex)
	return mux
}

func (s *server) handleIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "logindoctor %s serve\n\nGET /probe?target=URL&module=NAME[&format=json]\nGET /metrics\nGET /-/healthy, /-/ready\nPOST /-/reload\n\nmodules:", version)
	for _, n := range s.modules.Load().names() {
		fmt.Fprintf(w, " %s", n)
	}
	fmt.Fprintln(w)
}

// serve answers on ln until ctx ends or SIGINT/SIGTERM arrives on signals
// (then it drains), rereading the modules file on SIGHUP.
func (s *server) serve(ctx context.Context, ln net.Listener, signals <-chan os.Signal) error {
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.ready.Store(true)
	s.log.Info("listening", "address", ln.Addr().String(), "modules", s.modules.Load().names(), "browser", s.browserName(), "browser_retire_mb", s.browsers.RetireMB())
	for {
		select {
		case err := <-served:
			return fmt.Errorf("serve: %w", err)
		case sig := <-signals:
			if sig == syscall.SIGHUP {
				_ = s.reload()
				continue
			}
			s.log.Info("signal received: draining probes in flight", "signal", sig.String(), "within", s.opts.DrainTimeout)
		case <-ctx.Done():
			s.log.Info("stopping: draining probes in flight", "within", s.opts.DrainTimeout)
		}
		return s.drain(srv, cancelBase)
	}
}

// drain stops accepting, waits up to DrainTimeout for probes in flight,
// then cancels what is left and waits a little for it to answer.
func (s *server) drain(srv *http.Server, cancelProbes context.CancelFunc) error {
	s.ready.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.DrainTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		s.log.Warn("probes still running after the drain time: cancelling them")
		cancelProbes()
		done := make(chan struct{})
		go func() { s.inFlight.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		_ = srv.Close()
	}
	s.closeBrowsers()
	s.log.Info("stopped")
	return nil
}

// browserName says which browser probes use unless a module sets
// browser.path.
func (s *server) browserName() string {
	if s.shell != "" {
		return s.shell
	}
	return "the machine's Chrome/Chromium (install chromium-headless-shell for less memory)"
}

// closeBrowsers closes the browser pool (every Chrome, every profile),
// waiting a bounded time.
func (s *server) closeBrowsers() {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupWait)
	defer cancel()
	if err := s.browsers.Close(ctx); err != nil {
		s.log.Warn("browsers not all closed", "error", err)
	}
}

// runServe is `logindoctor serve`.
func (a *app) runServe(ctx context.Context, o serveOptions) error {
	if isRoot() && !o.AllowRoot {
		return configErrorf("serve refuses to run as root: run it as its own unprivileged user (see deploy/systemd), or pass --allow-root")
	}
	s, err := newServer(a, o, a.io.ErrOut)
	if err != nil {
		return err
	}
	defer s.closeBrowsers()
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return configErrorf("cannot listen on %s: %v", o.Listen, err)
	}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGHUP, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	// main cancels ctx on SIGHUP, which here means reload: serve ends on
	// SIGINT/SIGTERM from signals only.
	return s.serve(context.WithoutCancel(ctx), ln, signals)
}

// isRoot reports whether the process runs as root (never on Windows).
func isRoot() bool { return os.Geteuid() == 0 }
