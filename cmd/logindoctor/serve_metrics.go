package main

// The metrics of `logindoctor serve`: those of one probe, made from its
// report and results in a registry of their own (as blackbox_exporter does),
// and the server's own, in a registry the server owns.

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/clock"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/report"
)

// clockCheckID is clock.skew's ID (the clock package exports no constant).
const clockCheckID = "clock.skew"

// probeRegistry returns a fresh registry holding the metrics of one probe.
// Label values are check IDs, stages, statuses, reason codes, owners,
// severities and host names: never a URL's query, a user or a secret.
func probeRegistry(rep *report.Report, results []checks.Result, took time.Duration) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		reg.MustRegister(g)
		return g
	}
	vec := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}
	success := 0.0
	if rep.Counts.Fail == 0 && rep.Counts.Error == 0 {
		success = 1
	}
	gauge("logindoctor_probe_success", "1 when no check failed or errored.").Set(success)
	gauge("logindoctor_probe_duration_seconds", "How long the probe took.").Set(took.Seconds())

	status := vec("logindoctor_check_status", "1 for each check, labelled with its outcome and reason code.", "check", "stage", "status", "code")
	dur := vec("logindoctor_check_duration_seconds", "How long each check took.", "check")
	for _, e := range rep.Results {
		status.WithLabelValues(e.Check, string(e.Stage), string(e.Status), e.Code).Set(1)
		dur.WithLabelValues(e.Check).Set(float64(e.DurationMS) / 1000)
	}
	top := vec("logindoctor_top_fix_info", "The first fix of the ranked list (absent when nothing needs fixing).", "check", "code", "owner", "severity")
	if len(rep.Fixes) > 0 {
		f := rep.Fixes[0]
		top.WithLabelValues(f.Check, f.Code, string(f.Owner), string(f.Severity)).Set(1)
	}
	vecs := map[string]*prometheus.GaugeVec{}
	for _, f := range probeFigures(results) {
		if f.label == "" {
			gauge(f.name, f.help).Set(f.value)
			continue
		}
		if vecs[f.name] == nil {
			vecs[f.name] = vec(f.name, f.help, f.label)
		}
		vecs[f.name].WithLabelValues(f.labelValue).Set(f.value)
	}
	return reg
}

// figure is one measured fact worth graphing.
type figure struct {
	name, help        string
	label, labelValue string
	value             float64
}

// probeFigures are the figures helpdesks graph, read from the checks' typed
// facts; a fact that is absent (the check did not run or could not tell)
// gives no figure.
func probeFigures(results []checks.Result) []figure {
	deps := checks.Deps{}
	for _, r := range results {
		deps[r.Check] = r
	}
	var out []figure
	if h, ok := tlscert.HandshakeFrom(deps); ok && len(h.Certificates) > 0 {
		out = append(out, figure{name: "logindoctor_tls_not_after_timestamp_seconds",
			help:  "When the login host's leaf certificate expires (Unix time).",
			label: "host", labelValue: h.Host, value: float64(h.Certificates[0].NotAfter.Unix())})
	}
	if skew, ok := measuredSkew(deps[clockCheckID]); ok {
		out = append(out, figure{name: "logindoctor_clock_skew_seconds",
			help: "The server's clock minus the time sources' (positive: fast).", value: skew})
	}
	if facts, ok := reach.FactsFrom(deps); ok {
		best := map[string]time.Duration{}
		var order []string
		for _, e := range facts.Endpoints {
			if !e.Reachable() || e.Elapsed <= 0 {
				continue
			}
			if d, seen := best[e.Host]; !seen || e.Elapsed < d {
				if !seen {
					order = append(order, e.Host)
				}
				best[e.Host] = e.Elapsed
			}
		}
		for _, h := range order {
			out = append(out, figure{name: "logindoctor_rtt_seconds",
				help:  "The fastest TCP connect to the host (about one round trip), through the proxy when the route uses one.",
				label: "host", labelValue: h, value: best[h].Seconds()})
		}
	}
	return out
}

// measuredSkew reads clock.skew's measured offset, when it measured one.
func measuredSkew(r checks.Result) (float64, bool) {
	if r.Check == "" || r.Status == checks.StatusSkip || r.Status == checks.StatusError || r.Code == clock.CodeUnverified {
		return 0, false
	}
	switch v := r.Evidence["skew_s"].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	}
	return 0, false
}

// serverMetrics are the server's own metrics, in a registry it owns.
type serverMetrics struct {
	reg          *prometheus.Registry
	probes       *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	queue        prometheus.Gauge
	inFlight     prometheus.Gauge
	reloadOK     prometheus.Gauge
	reloadTime   prometheus.Gauge
	badRequests  prometheus.Counter
	inboxUploads *prometheus.CounterVec
}

func newServerMetrics() *serverMetrics {
	m := &serverMetrics{
		reg: prometheus.NewRegistry(),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "logindoctor_serve_probes_total",
			Help: "Probes by module and result (success, failure, rejected: no slot in time)."}, []string{"module", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "logindoctor_serve_probe_duration_seconds",
			Help: "How long probes took, queueing included.", Buckets: []float64{0.25, 0.5, 1, 2, 5, 10, 20, 30, 60}}, []string{"module"}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{Name: "logindoctor_serve_probe_queue_length",
			Help: "Probes waiting for a slot."}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "logindoctor_serve_probes_in_flight",
			Help: "Probes running now."}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{Name: "logindoctor_config_last_reload_successful",
			Help: "1 when the last read of the modules file worked."}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{Name: "logindoctor_config_last_reload_success_timestamp_seconds",
			Help: "When the modules file was last read successfully (Unix time)."}),
		badRequests: prometheus.NewCounter(prometheus.CounterOpts{Name: "logindoctor_serve_bad_requests_total",
			Help: "Probe requests refused as malformed (missing or bad target, unknown module)."}),
		inboxUploads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "logindoctor_inbox_uploads_total",
			Help: "Ticket bundles sent to the inbox, by result."}, []string{"result"}),
	}
	m.reg.MustRegister(m.probes, m.duration, m.queue, m.inFlight, m.reloadOK, m.reloadTime, m.badRequests, m.inboxUploads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// pool is what serve's /metrics shows of the browser pool.
type pool interface {
	Size() int
	Restarts() int64
}

// watchPool adds the browser pool's size and restarts to the metrics.
func (m *serverMetrics) watchPool(p pool) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "logindoctor_browser_pool_size",
			Help: "Browsers the pool holds now (warm, busy or starting)."}, func() float64 { return float64(p.Size()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "logindoctor_browser_pool_restarts_total",
			Help: "Pool browsers closed and replaced because they died or grew past their memory cap."}, func() float64 { return float64(p.Restarts()) }))
}
