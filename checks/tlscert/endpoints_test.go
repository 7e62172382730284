package tlscert_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/httplogin"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

// reachStub stands in for net.reach in a registry (not run: a dependency
// outside the selected checks counts as met).
type reachStub struct{}

func (reachStub) Info() checks.Info {
	return checks.Info{ID: reach.ID, Stage: checks.StageNetwork}
}

func (reachStub) Run(context.Context, *checks.Env, checks.Deps) checks.Result {
	return checks.Pass("stub")
}

// runWithHTTPLogin runs tls.certificate and http.login with the real
// runner and returns their results by check ID.
func runWithHTTPLogin(t *testing.T, env *checks.Env) map[string]checks.Result {
	t.Helper()
	reg, err := checks.NewRegistry(reachStub{}, tlscert.New(), httplogin.New())
	if err != nil {
		t.Fatal(err)
	}
	r := checks.Runner{Registry: reg, CheckTimeout: 3 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := map[string]checks.Result{}
	for _, res := range r.Run(ctx, env, []string{tlscert.ID, httplogin.ID}) {
		out[res.Check] = res
	}
	return out
}

// TestEveryTLSEndpoint: an SSO host listed in endpoints whose certificate
// expired is tls.certificate's TLS_EXPIRED naming that host, every judged
// host is in evidence.hosts, and http.login is blocked by it. An endpoint
// on a port that is not a TLS port is not judged.
func TestEveryTLSEndpoint(t *testing.T) {
	f := newFactory(t)
	login := startCRM(t, crm.Options{Cert: leaf(t, f, certs.Valid, "127.0.0.1")})
	sso := startCRM(t, crm.Options{Listen: "127.0.0.2:0", IdP: true, Cert: leaf(t, f, certs.Expired, "127.0.0.2")})
	region := startCRM(t, crm.Options{Listen: "127.0.0.4:0", Cert: leaf(t, f, certs.Valid, "127.0.0.4")})
	plain := startCRM(t, crm.Options{Listen: "127.0.0.3:0"}) // plain HTTP on a random port
	_, plainPort, _ := net.SplitHostPort(plain.Addr())
	env := envFor(t, login.URL(), f)
	env.Target.Endpoints = []string{"https://" + sso.Addr(), net.JoinHostPort("127.0.0.3", plainPort)}
	env.Target.Regions = []string{region.URL()}

	got := runWithHTTPLogin(t, env)
	res := got[tlscert.ID]
	if res.Status != checks.StatusFail || res.Code != tlscert.CodeExpired || res.Params["host"] != "127.0.0.2" {
		t.Fatalf("tls.certificate: got %s/%s params %v (%s)", res.Status, res.Code, res.Params, res.Summary)
	}
	hosts, _ := res.Evidence["hosts"].([]tlscert.HostVerdict)
	want := map[string]string{"127.0.0.1": checks.CodeOK, "127.0.0.2": tlscert.CodeExpired, "127.0.0.4": checks.CodeOK}
	if len(hosts) != len(want) {
		t.Fatalf("evidence.hosts %+v, want %v", hosts, want)
	}
	for _, h := range hosts {
		if want[h.Host] != h.Code {
			t.Errorf("host %s: %s, want %s", h.Host, h.Code, want[h.Host])
		}
	}
	if _, ok := res.Data.(tlscert.Handshake); !ok {
		t.Errorf("Data %T, want the login host's Handshake", res.Data)
	}
	hl := got[httplogin.ID]
	if hl.Code != checks.CodeBlocked || hl.BlockedBy != tlscert.ID {
		t.Fatalf("http.login: got %s/%s blocked by %q, want BLOCKED by %s", hl.Status, hl.Code, hl.BlockedBy, tlscert.ID)
	}
}

// TestWorstHostWins: with a warning on the login host and a failure on
// an endpoint, the failure is the result; with all hosts valid, it passes.
func TestWorstHostWins(t *testing.T) {
	f := newFactory(t)
	login := startCRM(t, crm.Options{Cert: leaf(t, f, certs.Expiring, "127.0.0.1")})
	api := startCRM(t, crm.Options{Listen: "127.0.0.2:0", Cert: leaf(t, f, certs.WrongHost, "127.0.0.2")})
	env := envFor(t, login.URL(), f)
	env.Target.Endpoints = []string{"https://" + api.Addr()}
	res := run(t, env)
	if res.Code != tlscert.CodeHostnameMismatch || res.Params["host"] != "127.0.0.2" || res.Evidence["judged_host_role"] != "endpoint" {
		t.Fatalf("got %s params %v role %v (%s)", res.Code, res.Params, res.Evidence["judged_host_role"], res.Summary)
	}

	ok := startCRM(t, crm.Options{Listen: "127.0.0.2:0", Cert: leaf(t, f, certs.Valid, "127.0.0.2")})
	env.Target.Endpoints = []string{"https://" + ok.Addr()}
	res = run(t, env)
	if res.Code != tlscert.CodeExpiringSoon || res.Params["host"] != "127.0.0.1" {
		t.Fatalf("got %s params %v (%s)", res.Code, res.Params, res.Summary)
	}
}

// TestPlainHTTPDoesNotBlock: after TLS_PLAINTEXT http.login still runs.
func TestPlainHTTPDoesNotBlock(t *testing.T) {
	f := newFactory(t)
	s := startCRM(t, crm.Options{})
	got := runWithHTTPLogin(t, envFor(t, s.URL(), f))
	if r := got[tlscert.ID]; r.Code != tlscert.CodePlaintext || r.Status != checks.StatusWarn {
		t.Fatalf("tls.certificate: got %s/%s", r.Status, r.Code)
	}
	if r := got[httplogin.ID]; r.Code != checks.CodeOK {
		t.Fatalf("http.login: got %s/%s blocked by %q (%s)", r.Status, r.Code, r.BlockedBy, r.Summary)
	}
}
