package dnsresolve_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/report"
)

// routeCheck stands in for proxy.route: a direct route.
type routeCheck struct{}

func (routeCheck) Info() checks.Info {
	return checks.Info{ID: "proxy.route", Stage: checks.StageNetwork}
}

func (routeCheck) Run(context.Context, *checks.Env, checks.Deps) checks.Result {
	r := checks.Pass("direct")
	r.Data = checks.Route{Source: checks.SourceDirect}
	return r
}

// serve accepts (and closes) connections on every given loopback address,
// all on one port, and returns the port.
func serve(t *testing.T, ips ...string) string {
	t.Helper()
	for range 20 {
		var lns []net.Listener
		port := "0"
		for _, ip := range ips {
			ln, err := net.Listen("tcp", net.JoinHostPort(ip, port))
			if err != nil {
				break
			}
			lns = append(lns, ln)
			port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		}
		if len(lns) < len(ips) {
			for _, ln := range lns {
				ln.Close()
			}
			continue
		}
		for _, ln := range lns {
			t.Cleanup(func() { ln.Close() })
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
		}
		return port
	}
	t.Fatal("no common free port")
	return ""
}

func startDNS(t *testing.T, addr string) *dnsserver.Server {
	t.Helper()
	s, err := dnsserver.Start(dnsserver.Zone{"crm.test": dnsserver.Addrs(addr)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runMismatch resolves crm.test at sysAddr on this computer and at refAddr
// at the reference resolver, runs dns.resolve → net.reach and builds the
// report.
func runMismatch(t *testing.T, sysAddr, refAddr, port string) (*report.Report, map[string]checks.Result) {
	t.Helper()
	sys, ref := startDNS(t, sysAddr), startDNS(t, refAddr)
	dir := t.TempDir()
	resolvConf := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(resolvConf, []byte("nameserver "+sys.Addr()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://crm.test:" + port + "/login")
	env := checks.NewEnv(checks.Target{URL: u, DNS: checks.DNSConfig{ReferenceResolvers: []string{ref.Addr()}}})
	env.Resolver, env.ResolvConf, env.HostsFile, env.GOOS = sys.Resolver(), resolvConf, filepath.Join(dir, "hosts"), "linux"
	reg, err := checks.NewRegistry(dnsresolve.New(), routeCheck{}, reach.New(reach.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	results := (&checks.Runner{Registry: reg, CheckTimeout: 2 * time.Second}).Run(ctx, env, nil)
	byID := map[string]checks.Result{}
	for _, r := range results {
		byID[r.Check] = r
	}
	return report.Build(results, report.Options{Lang: "en", ReportID: "LD-TEST22"}), byID
}

// TestWrongAnswerIsTheRootCause: this computer's name server sends crm.test
// to 127.0.0.2, where nothing listens; the reference resolver says
// 127.0.0.1, where the login server is. DNS_MISMATCH fails, ranks first
// and explains net.reach's refused connection.
func TestWrongAnswerIsTheRootCause(t *testing.T) {
	port := serve(t, "127.0.0.1")
	rep, byID := runMismatch(t, "127.0.0.2", "127.0.0.1", port)
	dns := byID[dnsresolve.ID]
	if dns.Code != dnsresolve.CodeMismatch || dns.Status != checks.StatusFail || dns.Variant != dnsresolve.VariantWrongAddress {
		t.Fatalf("dns.resolve = %s %s (%s): %s", dns.Status, dns.Code, dns.Variant, dns.Summary)
	}
	if dns.Params["unreachable"] != "yes" || dns.Params["port"] != port || dns.Evidence["reference_connect"] != "127.0.0.1:"+port+": connected" {
		t.Errorf("params %v, evidence %v", dns.Params, dns.Evidence)
	}
	if got := byID[reach.ID].Code; got != reach.CodeRefused {
		t.Fatalf("net.reach = %s, want NET_REFUSED at the wrong address", got)
	}
	if rep.Fixes[0].Code != dnsresolve.CodeMismatch {
		t.Fatalf("fix 1 = %s, want DNS_MISMATCH", rep.Fixes[0].Code)
	}
	for _, f := range rep.Fixes[1:] {
		if f.Code == reach.CodeRefused && f.ExplainedBy != dnsresolve.ID {
			t.Errorf("NET_REFUSED explained by %q, want dns.resolve", f.ExplainedBy)
		}
	}
}

// TestDifferingAnswersThatBothWork: a CDN answers differently by place;
// both addresses connect, so it stays the warning and blames nothing.
func TestDifferingAnswersThatBothWork(t *testing.T) {
	port := serve(t, "127.0.0.1", "127.0.0.3")
	rep, byID := runMismatch(t, "127.0.0.1", "127.0.0.3", port)
	dns := byID[dnsresolve.ID]
	if dns.Code != dnsresolve.CodeMismatch || dns.Status != checks.StatusWarn || dns.Params["unreachable"] != "" {
		t.Fatalf("dns.resolve = %s %s: %s", dns.Status, dns.Code, dns.Summary)
	}
	if got := byID[reach.ID].Code; got != checks.CodeOK {
		t.Errorf("net.reach = %s, want OK", got)
	}
	if len(rep.Fixes) != 1 || rep.Fixes[0].Severity != checks.SeverityLow {
		t.Errorf("fixes %+v, want only the low warning", rep.Fixes)
	}
}
