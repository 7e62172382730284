package httplogin_test

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/httplogin"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/report"
)

// reachStub stands in for net.reach, tls.certificate's dependency, in a
// registry (not selected: a dependency outside the selection counts as met).
type reachStub struct{}

func (reachStub) Info() checks.Info { return checks.Info{ID: reach.ID, Stage: checks.StageNetwork} }

func (reachStub) Run(context.Context, *checks.Env, checks.Deps) checks.Result {
	return checks.Pass("stub")
}

// issuer serves the factory's intermediate as an AIA caIssuers URL would,
// or, when gone, returns a URL where nothing listens any more.
func (w *world) issuer(gone bool) string {
	w.t.Helper()
	is, err := certs.ServeIssuer(w.f.Inter)
	if err != nil {
		w.t.Fatal(err)
	}
	if gone {
		is.Close()
		return is.URL
	}
	w.t.Cleanup(func() { is.Close() })
	return is.URL
}

// incomplete is a leaf for hosts sent without its intermediate, whose AIA
// URL is issuerURL.
func (w *world) incomplete(issuerURL string, hosts ...string) *tls.Certificate {
	w.t.Helper()
	c, err := w.f.IncompleteChain(issuerURL, hosts...)
	if err != nil {
		w.t.Fatal(err)
	}
	return &c
}

// TestLoginPageWithIncompleteChain: a login host that omits its
// intermediate, which its AIA URL serves, is tls.certificate's
// TLS_INCOMPLETE_CHAIN warning; http.login verifies with the downloaded
// intermediate, as a browser does, and passes, so the report is a warning,
// not a failure. Without tls.certificate's facts the Go client refuses it.
func TestLoginPageWithIncompleteChain(t *testing.T) {
	w := newWorld(t, nil)
	s := w.start(crm.Options{Cert: w.incomplete(w.issuer(false), "127.0.0.1")})
	env := w.env(s.URL())

	reg, err := checks.NewRegistry(reachStub{}, tlscert.New(), httplogin.New())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	results := (&checks.Runner{Registry: reg, CheckTimeout: 3 * time.Second}).Run(ctx, env, []string{tlscert.ID, httplogin.ID})
	byID := map[string]checks.Result{}
	for _, r := range results {
		byID[r.Check] = r
	}
	if r := byID[tlscert.ID]; r.Status != checks.StatusWarn || r.Code != tlscert.CodeIncompleteChain {
		t.Fatalf("tls.certificate: got %s/%s (%s)", r.Status, r.Code, r.Summary)
	}
	if r := byID[httplogin.ID]; r.Status != checks.StatusPass || r.Code != checks.CodeOK {
		t.Fatalf("http.login: got %s/%s (%s) evidence %v", r.Status, r.Code, r.Summary, r.Evidence)
	}
	if rep := report.Build(results, report.Options{Lang: "en", ReportID: "LD-TEST22"}); rep.Verdict != checks.StatusWarn {
		t.Errorf("report verdict %s, want warn", rep.Verdict)
	}

	alone := w.run(w.env(s.URL()))
	check(t, alone, want{status: checks.StatusFail, code: tlscert.CodeUntrusted})
}

// TestSSOHopWithIncompleteChain: an SSO host that omits its intermediate
// gets it downloaded from its AIA URL, as the browser does: the hop is the
// TLS_INCOMPLETE_CHAIN warning, not a failure; when the download fails
// too, the hop is TLS_UNTRUSTED.
func TestSSOHopWithIncompleteChain(t *testing.T) {
	w := newWorld(t, nil)
	s := w.crmWithIdP(crm.Options{Cert: w.incomplete(w.issuer(false), "sso.test")})
	res := w.run(w.env(s.URL()))
	check(t, res, want{status: checks.StatusWarn, code: tlscert.CodeIncompleteChain, hop: "sso.test",
		params: map[string]string{"host": "sso.test", "hop": "sso.test"}})

	s = w.crmWithIdP(crm.Options{Cert: w.incomplete(w.issuer(true), "sso.test")})
	res = w.run(w.env(s.URL()))
	check(t, res, want{status: checks.StatusFail, code: tlscert.CodeUntrusted, hop: "sso.test"})
}
