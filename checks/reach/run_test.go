package reach_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
)

// routeCheck stands in for proxy.route: it passes with a direct route.
type routeCheck struct{}

func (routeCheck) Info() checks.Info {
	return checks.Info{ID: "proxy.route", Stage: checks.StageNetwork}
}

func (routeCheck) Run(context.Context, *checks.Env, checks.Deps) checks.Result {
	r := checks.Pass("direct")
	r.Data = checks.Route{Source: checks.SourceDirect}
	return r
}

// TestBlackHoledRunEndsInTime runs dns.resolve → net.reach through the
// real runner on a network that drops everything (DNS included, or all
// but DNS) and requires the run to end within the two checks' deadlines.
func TestBlackHoledRunEndsInTime(t *testing.T) {
	const checkTimeout = 500 * time.Millisecond
	ns, err := dnsserver.Start(dnsserver.Zone{
		"crm.test": dnsserver.Addrs("192.0.2.10", "2001:db8::10"), "sso.test": dnsserver.Addrs("192.0.2.11")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	tests := []struct {
		name             string
		dialer           checks.Dialer
		dnsCode, netCode string
	}{
		{"all but DNS dropped", faultnet.ByAddr{Rules: map[string]faultnet.Dialer{ns.Addr(): &net.Dialer{}}, Default: faultnet.BlackHole{}},
			checks.CodeOK, reach.CodeTimeout},
		{"everything dropped", faultnet.BlackHole{}, dnsresolve.CodeTimeout, checks.CodeBlocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			resolvConf := filepath.Join(dir, "resolv.conf")
			if err := os.WriteFile(resolvConf, []byte("nameserver "+ns.Addr()+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse("https://crm.test/login")
			env := checks.NewEnv(checks.Target{URL: u, Endpoints: []string{"sso.test:443"}})
			env.Dialer, env.ResolvConf, env.HostsFile, env.GOOS = tc.dialer, resolvConf, filepath.Join(dir, "hosts"), "linux"
			env.Resolver = dnsserver.ResolverAt(ns.Addr(), tc.dialer)
			reg, err := checks.NewRegistry(dnsresolve.New(), routeCheck{}, reach.New(reach.Options{}))
			if err != nil {
				t.Fatal(err)
			}
			// Two checks in a row, each within its deadline, plus a margin.
			ctx, cancel := context.WithTimeout(context.Background(), 2*checkTimeout+300*time.Millisecond)
			defer cancel()
			results := (&checks.Runner{Registry: reg, CheckTimeout: checkTimeout}).Run(ctx, env, nil)
			if ctx.Err() != nil {
				t.Fatalf("the run outlived its time: %v", ctx.Err())
			}
			byID := map[string]checks.Result{}
			for _, r := range results {
				byID[r.Check] = r
				if r.Duration > checkTimeout {
					t.Errorf("%s took %s, over its %s deadline", r.Check, r.Duration, checkTimeout)
				}
			}
			if got := byID["dns.resolve"].Code; got != tc.dnsCode {
				t.Errorf("dns.resolve = %s (%s), want %s", got, byID["dns.resolve"].Summary, tc.dnsCode)
			}
			if got := byID["net.reach"].Code; got != tc.netCode {
				t.Errorf("net.reach = %s (%s), want %s", got, byID["net.reach"].Summary, tc.netCode)
			}
		})
	}
}
