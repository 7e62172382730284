package main

// GET /probe?target=URL&module=NAME: one diagnosis of URL with the
// module's settings, answered in the Prometheus text format (or, with
// &format=json, as the v1 report). The shape follows blackbox_exporter's
// prober handler: module lookup, a deadline from Prometheus' scrape timeout,
// a fresh registry per probe.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/report"
)

// Probe time limits.
const (
	// scrapeTimeoutHeader is how Prometheus says how long it will wait.
	scrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"
	// defaultTimeoutOffset is kept back from Prometheus' scrape timeout so
	// the answer arrives before Prometheus gives up (blackbox_exporter's
	// default offset).
	defaultTimeoutOffset = 500 * time.Millisecond
	// minProbeTime: a probe left with less than this after queueing is
	// turned away (503) rather than run to a certain CHECK_ERROR.
	minProbeTime = 500 * time.Millisecond
	// retryAfterSeconds is the Retry-After of a 503.
	retryAfterSeconds = 5
)

// defaultModule is the module a probe without &module= uses.
const defaultModule = "default"

// probeTimeout is how long a probe of m may take: Prometheus' scrape
// timeout minus offset, within the module's own timeout; the module's
// timeout when Prometheus did not say.
func probeTimeout(r *http.Request, m *module, offset time.Duration) (time.Duration, error) {
	limit := m.Timeout
	if h := r.Header.Get(scrapeTimeoutHeader); h != "" {
		secs, err := strconv.ParseFloat(h, 64)
		if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs <= 0 {
			return 0, fmt.Errorf("%s %q is not a positive number of seconds", scrapeTimeoutHeader, h)
		}
		scrape := time.Duration(secs * float64(time.Second))
		if scrape > offset {
			scrape -= offset
		}
		limit = min(limit, scrape)
	}
	return limit, nil
}

// probeReserve is kept back from a probe's deadline for the runner's
// wait for a late check (up to half a second), the report and the reply.
func probeReserve(timeout time.Duration) time.Duration {
	return min(max(timeout/5, 700*time.Millisecond), 2*time.Second, timeout/2)
}

func (s *server) handleProbe(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	q := r.URL.Query()
	name := q.Get("module")
	if name == "" {
		name = defaultModule
	}
	m, ok := s.modules.Load().Modules[name]
	if !ok {
		s.badRequest(w, fmt.Sprintf("unknown module %q", name))
		return
	}
	target, err := probeTarget(q.Get("target"))
	if err != nil {
		s.badRequest(w, err.Error())
		return
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "prometheus" {
		s.badRequest(w, "format must be json or prometheus")
		return
	}
	timeout, err := probeTimeout(r, m, s.opts.TimeoutOffset)
	if err != nil {
		s.badRequest(w, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	release, err := s.limit.acquire(ctx, m.Browser)
	if err == nil {
		defer release()
		if dl, _ := ctx.Deadline(); time.Until(dl) < minProbeTime {
			err = errBusy
		}
	}
	if err != nil {
		s.metrics.probes.WithLabelValues(m.Name, "rejected").Inc()
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		http.Error(w, "busy: "+err.Error()+"; retry later", http.StatusServiceUnavailable)
		return
	}
	s.inFlight.Add(1)
	defer s.inFlight.Done()
	out, err := s.runProbe(ctx, m, target, q.Get("lang"))
	took := time.Since(start)
	if err != nil {
		s.log.Error("probe not run", "module", m.Name, "target", report.RedactURLs(target), "error", err)
		s.metrics.probes.WithLabelValues(m.Name, "error").Inc()
		http.Error(w, "probe not run: "+err.Error(), http.StatusInternalServerError)
		return
	}
	result := "success"
	if out.report.Counts.Fail > 0 || out.report.Counts.Error > 0 {
		result = "failure"
	}
	s.metrics.probes.WithLabelValues(m.Name, result).Inc()
	s.metrics.duration.WithLabelValues(m.Name).Observe(took.Seconds())
	s.log.Debug("probe", "module", m.Name, "target", report.RedactURLs(target), "verdict", out.report.Verdict, "took", took)
	if format == "json" {
		var buf bytes.Buffer
		if err := report.Render(&buf, out.report, "json", report.RenderOptions{}); err != nil {
			http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(out.redactor.scrub(buf.Bytes()))
		return
	}
	reg := probeRegistry(out.report, out.results, took)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

func (s *server) badRequest(w http.ResponseWriter, msg string) {
	s.metrics.badRequests.Inc()
	http.Error(w, msg, http.StatusBadRequest)
}

// probeOutcome is what one probe produced.
type probeOutcome struct {
	report   *report.Report
	results  []checks.Result
	redactor *redactor
}

// runProbe runs m's checks against target the way `logindoctor check`
// does — settings → environment → runner → report.Build — within ctx's
// deadline, keeping a reserve to answer in time.
func (s *server) runProbe(ctx context.Context, m *module, target, lang string) (*probeOutcome, error) {
	st, err := m.settings(target, fmt.Sprintf("module %q", m.Name))
	if err != nil {
		return nil, err
	}
	if err := s.app.readToken(st); err != nil {
		return nil, err
	}
	if st.Target.Browser.Path == "" {
		st.Target.Browser.Path = s.shell
	}
	env, err := s.app.makeEnv(st)
	if err != nil {
		return nil, err
	}
	env.Browsers = s.browsers
	reg, err := s.newRegistry()
	if err != nil {
		return nil, fmt.Errorf("built-in checks: %w", err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil, errors.New("probe without a deadline")
	}
	checksCtx, cancel := context.WithDeadline(ctx, deadline.Add(-probeReserve(time.Until(deadline))))
	defer cancel()
	started := time.Now()
	runner := &checks.Runner{Registry: reg, CheckTimeout: st.CheckTimeout}
	results := runner.Run(checksCtx, env, m.IDs)
	rep := report.Build(results, report.Options{
		Lang: probeLang(lang, st.Lang), ToolVersion: version, Target: target,
		StartedAt: started, Duration: time.Since(started), GOOS: env.GOOS,
	})
	// A browser closing, its profile being removed: within the probe's time.
	env.WaitBackground(ctx)
	return &probeOutcome{report: rep, results: results, redactor: newRedactor(st, s.app.io.Getenv)}, nil
}

// probeLang is the report's language: &lang=, else the module's lang, else
// English (a server's locale says nothing about its readers).
func probeLang(param, configured string) string {
	for _, l := range []string{param, configured} {
		if l == "en" || l == "zh" {
			return l
		}
	}
	return "en"
}
