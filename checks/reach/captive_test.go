package reach_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/dnsresolve"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/report"
)

// hotel is a guest Wi-Fi on loopback: its DNS answers every name with
// 127.0.0.1, where plain HTTP is redirected to its sign-in page and the
// login host's HTTPS port black-holes (a full accept queue).
type hotel struct {
	ns    *dnsserver.Server
	web   string // the portal's host:port
	https string // the black-holed HTTPS port
	// login is the login URL's host ("crm.test" when empty).
	login string
}

func startHotel(t *testing.T, zone dnsserver.Zone, handler http.HandlerFunc) hotel {
	t.Helper()
	ns, err := dnsserver.Start(zone)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	web := httptest.NewServer(handler)
	t.Cleanup(web.Close)
	bl, err := faultnet.StartFullBacklog()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bl.Close() })
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	return hotel{ns: ns, web: port, https: bl.Addr()}
}

// portalPage redirects everything to its sign-in page.
func portalPage(port string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login-portal" {
			io.WriteString(w, "<html><h1>Welcome to Guest Wi-Fi</h1><form>Room number</form></html>")
			return
		}
		http.Redirect(w, r, "http://portal.hotel.test:"+port+"/login-portal?mac=aa-bb-cc&orig="+url.QueryEscape(r.URL.String()), http.StatusFound)
	}
}

// runHotel runs dns.resolve → net.reach through the runner and builds the
// report, as the tool does.
func runHotel(t *testing.T, h hotel) (*report.Report, map[string]checks.Result) {
	t.Helper()
	dir := t.TempDir()
	resolvConf := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(resolvConf, []byte("nameserver "+h.ns.Addr()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(h.https)
	host := h.login
	if host == "" {
		host = "crm.test"
	}
	u, _ := url.Parse("https://" + host + ":" + port + "/login")
	env := checks.NewEnv(checks.Target{URL: u})
	env.Resolver, env.ResolvConf, env.HostsFile, env.GOOS = h.ns.Resolver(), resolvConf, filepath.Join(dir, "hosts"), "linux"
	probe := reach.PortalProbe{URL: "http://www.msftconnecttest.com:" + h.web + "/connecttest.txt", Status: http.StatusOK, Body: "Microsoft Connect Test"}
	reg, err := checks.NewRegistry(dnsresolve.New(), routeCheck{},
		reach.New(reach.Options{PortalProbes: []reach.PortalProbe{probe}}))
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

// TestCaptivePortal: the guest Wi-Fi's sign-in page is found and ranked
// first, with where it redirects.
func TestCaptivePortal(t *testing.T) {
	var h hotel
	h = startHotel(t, dnsserver.Zone{dnsserver.Wildcard: dnsserver.Addrs("127.0.0.1")},
		func(w http.ResponseWriter, r *http.Request) { portalPage(h.web)(w, r) })
	rep, byID := runHotel(t, h)
	res := byID[reach.ID]
	if res.Code != reach.CodeCaptivePortal || res.Status != checks.StatusFail || res.Owner != checks.OwnerYou {
		t.Fatalf("net.reach = %s %s (%s): %s", res.Status, res.Code, res.Owner, res.Summary)
	}
	if res.Evidence["portal_host"] != "portal.hotel.test" || res.Params["portal"] != "portal.hotel.test" {
		t.Errorf("portal host: evidence %v, params %v", res.Evidence["portal_host"], res.Params)
	}
	if loc, _ := res.Evidence["portal_location"].(string); loc != "http://portal.hotel.test:"+h.web+"/login-portal" {
		t.Errorf("portal_location = %q, want the sign-in page without its query", loc)
	}
	if res.Evidence["login_code"] != reach.CodeTimeout {
		t.Errorf("login_code = %v, want the black-holed HTTPS port's NET_TIMEOUT", res.Evidence["login_code"])
	}
	if len(rep.Fixes) == 0 || rep.Fixes[0].Code != reach.CodeCaptivePortal {
		t.Fatalf("fixes %+v: want NET_CAPTIVE_PORTAL first", rep.Fixes)
	}
}

// TestLoopbackLoginNeverProbes: a login server on this machine never
// passes a Wi-Fi sign-in page, so its failure never sends the probe (the
// demo and the CLI tests stay on the machine).
func TestLoopbackLoginNeverProbes(t *testing.T) {
	var hits atomic.Int32
	var h hotel
	h = startHotel(t, dnsserver.Zone{dnsserver.Wildcard: dnsserver.Addrs("127.0.0.1")},
		func(w http.ResponseWriter, r *http.Request) { hits.Add(1); portalPage(h.web)(w, r) })
	h.login = "127.0.0.1"
	_, byID := runHotel(t, h)
	if res := byID[reach.ID]; res.Code != reach.CodeTimeout {
		t.Errorf("net.reach = %s: %s; want NET_TIMEOUT", res.Code, res.Summary)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the portal probe was sent %d times for a loopback login host", n)
	}
}

// TestNoPortal: a network that answers the known page correctly, or does
// not answer it at all (a company network without internet), is no
// captive portal: the login host's own failure stands.
func TestNoPortal(t *testing.T) {
	tests := []struct {
		name    string
		zone    dnsserver.Zone
		handler http.HandlerFunc
	}{
		{"the right answer", dnsserver.Zone{dnsserver.Wildcard: dnsserver.Addrs("127.0.0.1")},
			func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "Microsoft Connect Test") }},
		{"no answer at all", dnsserver.Zone{"crm.test": dnsserver.Addrs("127.0.0.1")},
			func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "http://x.test/", http.StatusFound) }},
		{"a block page is not a portal", dnsserver.Zone{dnsserver.Wildcard: dnsserver.Addrs("127.0.0.1")},
			func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "blocked by policy", http.StatusForbidden) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, byID := runHotel(t, startHotel(t, tc.zone, tc.handler))
			if res := byID[reach.ID]; res.Code != reach.CodeTimeout {
				t.Errorf("net.reach = %s: %s; want NET_TIMEOUT", res.Code, res.Summary)
			}
		})
	}
}
