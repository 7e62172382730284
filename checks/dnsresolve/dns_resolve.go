// Package dnsresolve is the dns.resolve check: the CRM host and every
// configured endpoint and region resolve through the system resolver; when
// one does not, the system's own nameservers are asked directly to tell
// NXDOMAIN, SERVFAIL, REFUSED, a timeout and "no address" apart; hosts-file
// entries that DNS does not confirm and reference resolvers that disagree
// are findings of their own.
package dnsresolve

import (
	"context"
	"fmt"
	"net"
	"runtime"

	"github.com/logindoctor/logindoctor/checks"
)

// ID is the check's stable ID.
const ID = "dns.resolve"

// New returns the dns.resolve check. It resolves through env.Resolver and
// asks the nameservers of env.ResolvConf directly.
func New() checks.Check { return &check{} }

type check struct{}

var _ checks.Check = (*check)(nil)

func (c *check) Info() checks.Info {
	return checks.Info{ID: ID, Stage: checks.StageNetwork, DependsOn: []string{}}
}

func (c *check) Run(ctx context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	if env.Target.URL == nil || env.Target.Host() == "" {
		return checks.NotConfigured("url")
	}
	qctx, cancel := queryContext(ctx)
	defer cancel()
	g, setup := c.gatherer(env)
	refs := hostRefs(env.Target)
	// Routes are decided alongside the lookups (a PAC file may be slow to
	// fetch), with the check's own context: Env memoises the first
	// caller's answer for every check of the run.
	routed := make(chan []target, 1)
	go func() { routed <- withRoutes(ctx, env, refs) }()
	obs := g.observe(qctx, targetsOf(refs))
	select {
	case ts := <-routed:
		for i, t := range ts {
			obs[i].route, obs[i].routeErr = t.route, t.routeErr
		}
	case <-ctx.Done():
		// Another check is still deciding the route: report as direct.
		for i := range obs {
			obs[i].routeErr = fmt.Errorf("route not decided in time: %w", ctx.Err())
		}
	}
	tryMismatches(ctx, env.Dialer, obs, g.references)
	all := make([]judged, len(obs))
	for i, o := range obs {
		all[i] = judge(o, g.nameservers, g.references)
	}
	res := verdict(all)
	if res.Code == CodeHostsOverride {
		res = res.WithParam("hosts_file", env.HostsFile)
	}
	for k, v := range setup {
		res = res.With(k, v)
	}
	return res
}

// gatherer builds the run's lookups from env; setup holds evidence about
// what could not be read (resolv.conf, hosts file).
func (c *check) gatherer(env *checks.Env) (gatherer, map[string]any) {
	setup := map[string]any{}
	dialer := env.Dialer
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	g := gatherer{sys: env.Resolver, x: libExchanger{dialer: dialer}}
	for _, r := range env.Target.DNS.ReferenceResolvers {
		g.references = append(g.references, withDefaultPort(r))
	}
	switch {
	case env.GOOS == "windows" && runtime.GOOS == "windows":
		if ns, err := osNameservers(); err != nil || len(ns) == 0 {
			setup["nameservers"] = "not read from Windows' adapter settings: the system resolver's answer only"
		} else {
			g.nameservers = ns
			setup["nameservers"] = ns
		}
	case env.GOOS == "windows" || env.ResolvConf == "":
		setup["nameservers"] = "not read on " + env.GOOS + ": the system resolver's answer only"
	default:
		g.nameserversFrom(env.ResolvConf, setup)
	}
	hosts, err := readHosts(env.HostsFile)
	if err != nil {
		setup["hosts_file_error"] = err.Error()
	}
	g.hosts = hosts
	return g, setup
}

// nameserversFrom reads the nameservers of a resolv.conf file into g.
func (g *gatherer) nameserversFrom(path string, setup map[string]any) {
	ns, err := systemNameservers(path)
	if err != nil {
		setup["nameservers_error"] = err.Error()
		return
	}
	g.nameservers = ns
	setup["nameservers"] = ns
}

func withDefaultPort(server string) string {
	if _, _, err := net.SplitHostPort(server); err == nil {
		return server
	}
	return net.JoinHostPort(server, "53")
}

// verdict turns the judged hosts into one Result: the worst finding (fail
// before warn, then severity, then the login host before endpoints and
// regions), with every host's facts as evidence and Data.
func verdict(all []judged) checks.Result {
	worst := 0
	var problems []string
	for i, j := range all {
		if j.finding.status != checks.StatusPass {
			problems = append(problems, j.facts.Host+": "+j.finding.code)
		}
		if worse(j.finding, all[worst].finding) {
			worst = i
		}
	}
	w := all[worst]
	f := w.finding
	res := checks.Result{Status: f.status, Code: f.code, Severity: f.severity, Owner: f.owner,
		Summary: f.summary, Variant: f.variant, Params: f.params}
	if f.status == checks.StatusPass && len(all) > 1 {
		res.Summary = fmt.Sprintf("%s; %d hosts checked, all resolve", f.summary, len(all))
	}
	facts := Facts{Hosts: make([]HostFacts, len(all))}
	hostsEv := make([]map[string]any, len(all))
	for i, j := range all {
		facts.Hosts[i] = j.facts
		hostsEv[i] = j.evidence
	}
	for _, k := range []string{"host", "addresses", "resolver", "rcode", "a", "aaaa", "route", "private", "hosts_file", "dns_detail", "tcp_fallback", "system_error"} {
		if v, ok := w.evidence[k]; ok {
			res = res.With(k, v)
		}
	}
	for k, v := range f.evidence {
		res = res.With(k, v)
	}
	res = res.With("hosts", hostsEv)
	if len(problems) > 1 {
		res = res.With("problems", problems)
	}
	res.Data = facts
	return res
}

func worse(a, b finding) bool { return checks.Worse(a.status, a.severity, b.status, b.severity) }
