package tlscert_test

import (
	"testing"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

// TestIncompleteChain: a server that sends only its leaf, whose AIA URL
// serves the intermediate, is TLS_INCOMPLETE_CHAIN (a warning: browsers
// download it); when the AIA download fails too it is TLS_UNTRUSTED.
func TestIncompleteChain(t *testing.T) {
	f := newFactory(t)
	is, err := certs.ServeIssuer(f.Inter)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { is.Close() })
	gone, err := certs.ServeIssuer(f.Inter)
	if err != nil {
		t.Fatal(err)
	}
	goneURL := gone.URL
	gone.Close() // nothing listens there any more

	t.Run("AIA works", func(t *testing.T) {
		c, err := f.IncompleteChain(is.URL, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		s := startCRM(t, crm.Options{Cert: &c})
		res := run(t, envFor(t, s.URL(), f))
		if res.Status != checks.StatusWarn || res.Code != tlscert.CodeIncompleteChain || res.Owner != checks.OwnerAdmin {
			t.Fatalf("got %s/%s owner %s (%s)", res.Status, res.Code, res.Owner, res.Summary)
		}
		if res.Params["host"] != "127.0.0.1" || res.Params["missing"] != "LoginDoctor Test Issuing CA" {
			t.Errorf("params %v", res.Params)
		}
		urls, _ := res.Evidence["aia_urls"].([]string)
		if len(urls) != 1 || urls[0] != is.URL {
			t.Errorf("aia_urls %v, want [%s]", res.Evidence["aia_urls"], is.URL)
		}
		for _, k := range []string{"clients_that_cope", "clients_that_fail", "chain"} {
			if _, ok := res.Evidence[k]; !ok {
				t.Errorf("evidence lacks %s: %v", k, res.Evidence)
			}
		}
		if res.Evidence["chain_trusted"] != true {
			t.Errorf("chain_trusted %v", res.Evidence["chain_trusted"])
		}
	})
	t.Run("AIA unreachable", func(t *testing.T) {
		c, err := f.IncompleteChain(goneURL, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		s := startCRM(t, crm.Options{Cert: &c})
		res := run(t, envFor(t, s.URL(), f))
		if res.Status != checks.StatusFail || res.Code != tlscert.CodeUntrusted {
			t.Fatalf("got %s/%s (%s)", res.Status, res.Code, res.Summary)
		}
		if _, ok := res.Evidence["aia_error"]; !ok {
			t.Errorf("evidence lacks aia_error: %v", res.Evidence)
		}
	})
	t.Run("full chain needs no download", func(t *testing.T) {
		s := startCRM(t, crm.Options{Cert: leaf(t, f, certs.Valid, "127.0.0.1")})
		res := run(t, envFor(t, s.URL(), f))
		if res.Code != checks.CodeOK {
			t.Fatalf("got %s (%s)", res.Code, res.Summary)
		}
		if _, ok := res.Evidence["aia_urls"]; ok {
			t.Errorf("a complete chain was completed: %v", res.Evidence)
		}
	})
}
