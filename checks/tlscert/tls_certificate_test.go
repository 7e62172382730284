package tlscert_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

// checkTimeout is the check's deadline in tests; lateness is how far past
// it a check may return on a loaded machine (the runner's own grace).
const (
	checkTimeout = 1500 * time.Millisecond
	lateness     = 500 * time.Millisecond
)

func newFactory(t *testing.T) *certs.Factory {
	t.Helper()
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func startCRM(t *testing.T, opts crm.Options) *crm.Server {
	t.Helper()
	s, err := crm.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func leaf(t *testing.T, f *certs.Factory, k certs.Kind, hosts ...string) *tls.Certificate {
	t.Helper()
	c, err := f.Leaf(k, hosts...)
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

func envFor(t *testing.T, rawURL string, f *certs.Factory) *checks.Env {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	env := checks.NewEnv(checks.Target{URL: u})
	env.RootCAs = f.Root.Pool()
	return env
}

func run(t *testing.T, env *checks.Env) checks.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	start := time.Now()
	res := tlscert.New().Run(ctx, env, checks.Deps{})
	if d := time.Since(start); d > checkTimeout+lateness {
		t.Errorf("check took %v, longer than its %v deadline", d, checkTimeout)
	}
	return res
}

func TestCertificateCodes(t *testing.T) {
	f := newFactory(t)
	zscaler, err := certs.NewRoot("Zscaler Root CA", f.Now)
	if err != nil {
		t.Fatal(err)
	}
	zLeaf, err := zscaler.Leaf(certs.LeafSpec{Hosts: []string{"127.0.0.1"}, NotBefore: f.Now.Add(-time.Hour), NotAfter: f.Now.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		opts     crm.Options
		listen   string
		tune     func(env *checks.Env)
		status   checks.Status
		code     string
		owner    checks.Owner
		variant  string
		params   map[string]string
		evidence []string
	}{
		{name: "valid", opts: crm.Options{Cert: leaf(t, f, certs.Valid, "127.0.0.1")},
			status: checks.StatusPass, code: checks.CodeOK, evidence: []string{"leaf", "intermediates", "chain", "root", "tls_version", "cipher"}},
		{name: "valid ipv6", listen: "[::1]:0", opts: crm.Options{Cert: leaf(t, f, certs.Valid, "::1")},
			status: checks.StatusPass, code: checks.CodeOK},
		{name: "expired", opts: crm.Options{Cert: leaf(t, f, certs.Expired, "127.0.0.1")},
			status: checks.StatusFail, code: tlscert.CodeExpired, owner: checks.OwnerAdmin,
			params: map[string]string{"host": "127.0.0.1", "days": "8", "not_after": f.Now.AddDate(0, 0, -8).UTC().Format("2006-01-02")}},
		{name: "not yet valid", opts: crm.Options{Cert: leaf(t, f, certs.NotYetValid, "127.0.0.1")},
			status: checks.StatusFail, code: tlscert.CodeNotYetValid, owner: checks.OwnerAdmin,
			params: map[string]string{"host": "127.0.0.1", "days": "3"}},
		{name: "local clock a year ahead", opts: crm.Options{Cert: leaf(t, f, certs.Valid, "127.0.0.1")},
			tune:   func(env *checks.Env) { env.Now = func() time.Time { return time.Now().AddDate(1, 0, 0) } },
			status: checks.StatusFail, code: tlscert.CodeExpired},
		{name: "wrong host", opts: crm.Options{Cert: leaf(t, f, certs.WrongHost, "127.0.0.1")},
			status: checks.StatusFail, code: tlscert.CodeHostnameMismatch, owner: checks.OwnerAdmin,
			params: map[string]string{"host": "127.0.0.1", "names": "wrong.example.invalid"}},
		{name: "unknown CA", opts: crm.Options{Cert: leaf(t, f, certs.UnknownCA, "127.0.0.1")},
			status: checks.StatusFail, code: tlscert.CodeUntrusted, owner: checks.OwnerAdmin,
			params: map[string]string{"host": "127.0.0.1", "issuer": "Unknown Test CA"}},
		{name: "untrusted inspection CA", opts: crm.Options{Cert: &zLeaf},
			status: checks.StatusFail, code: tlscert.CodeUntrusted, owner: checks.OwnerIT, variant: "inspection",
			params: map[string]string{"issuer": "Zscaler Root CA"}},
		{name: "expiring", opts: crm.Options{Cert: leaf(t, f, certs.Expiring, "127.0.0.1")},
			status: checks.StatusWarn, code: tlscert.CodeExpiringSoon, owner: checks.OwnerAdmin,
			params: map[string]string{"days": "5"}},
		{name: "expiring beyond warn_days", opts: crm.Options{Cert: leaf(t, f, certs.Expiring, "127.0.0.1")},
			tune:   func(env *checks.Env) { env.Target.TLS.WarnDays = 3 },
			status: checks.StatusPass, code: checks.CodeOK},
		{name: "intercepted", opts: crm.Options{Cert: leaf(t, f, certs.Valid, "127.0.0.1")},
			tune:   func(env *checks.Env) { env.Target.TLS.ExpectedIssuers = []string{"DigiCert", "Let's Encrypt"} },
			status: checks.StatusWarn, code: tlscert.CodeIntercepted, owner: checks.OwnerIT,
			params: map[string]string{"issuer": "LoginDoctor Test Root CA"}},
		{name: "expected issuer", opts: crm.Options{Cert: leaf(t, f, certs.Valid, "127.0.0.1")},
			tune:   func(env *checks.Env) { env.Target.TLS.ExpectedIssuers = []string{"loginDoctor test issuing CA"} },
			status: checks.StatusPass, code: checks.CodeOK},
		{name: "TLS 1.1", opts: crm.Options{Cert: leaf(t, f, certs.Valid, "127.0.0.1"), MaxTLSVersion: tls.VersionTLS11},
			status: checks.StatusFail, code: tlscert.CodeOldProtocol, params: map[string]string{"version": "TLS 1.1"}},
		{name: "TLS 1.0", opts: crm.Options{Cert: leaf(t, f, certs.Valid, "127.0.0.1"), MaxTLSVersion: tls.VersionTLS10},
			status: checks.StatusFail, code: tlscert.CodeOldProtocol, params: map[string]string{"version": "TLS 1.0"}},
		{name: "not TLS", opts: crm.Options{Garbage: true},
			status: checks.StatusFail, code: tlscert.CodeHandshakeFailed, variant: "not_tls", evidence: []string{"answer_start"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Listen = tc.listen
			s := startCRM(t, tc.opts)
			env := envFor(t, s.URL(), f)
			if tc.tune != nil {
				tc.tune(env)
			}
			res := run(t, env)
			if res.Status != tc.status || res.Code != tc.code {
				t.Fatalf("got %s/%s (%s), want %s/%s", res.Status, res.Code, res.Summary, tc.status, tc.code)
			}
			if tc.owner != "" && res.Owner != tc.owner {
				t.Errorf("owner %q, want %q", res.Owner, tc.owner)
			}
			if res.Variant != tc.variant {
				t.Errorf("variant %q, want %q", res.Variant, tc.variant)
			}
			for k, v := range tc.params {
				if res.Params[k] != v {
					t.Errorf("param %s = %q, want %q (all: %v)", k, res.Params[k], v, res.Params)
				}
			}
			for _, k := range tc.evidence {
				if _, ok := res.Evidence[k]; !ok {
					t.Errorf("evidence lacks %q: %v", k, res.Evidence)
				}
			}
		})
	}
}

func TestChainEvidence(t *testing.T) {
	f := newFactory(t)
	s := startCRM(t, crm.Options{Cert: leaf(t, f, certs.Expired, "127.0.0.1")})
	res := run(t, envFor(t, s.URL(), f))
	chain, _ := res.Evidence["chain"].([]string)
	want := []string{"127.0.0.1", "LoginDoctor Test Issuing CA", "LoginDoctor Test Root CA"}
	if len(chain) != len(want) {
		t.Fatalf("chain %v, want %v", chain, want)
	}
	for i := range want {
		if chain[i] != want[i] {
			t.Fatalf("chain %v, want %v", chain, want)
		}
	}
	lf, ok := res.Evidence["leaf"].(tlscert.CertInfo)
	if !ok || lf.DaysLeft != -8 || lf.Issuer != "LoginDoctor Test Issuing CA" || len(lf.SANs) != 1 {
		t.Fatalf("leaf evidence %+v", res.Evidence["leaf"])
	}
	inters, _ := res.Evidence["intermediates"].([]tlscert.CertInfo)
	if len(inters) != 1 || inters[0].Subject != "LoginDoctor Test Issuing CA" {
		t.Fatalf("intermediates %+v", res.Evidence["intermediates"])
	}
	if res.Evidence["trusted_via"] != "configured roots" {
		t.Errorf("trusted_via %v", res.Evidence["trusted_via"])
	}
}

func TestHandshakeFailures(t *testing.T) {
	f := newFactory(t)
	silent := listen(t, func(c net.Conn) {}) // accepts, never speaks
	closer := listen(t, func(c net.Conn) { c.Close() })
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	for _, tc := range []struct {
		name, addr, code, variant string
	}{
		{"silent server", silent, tlscert.CodeHandshakeFailed, "timeout"},
		{"server closes", closer, tlscert.CodeHandshakeFailed, "closed"},
		{"nothing listening", deadAddr, netfail.NetRefused, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, envFor(t, "https://"+tc.addr+"/login", f))
			if res.Code != tc.code || res.Variant != tc.variant || res.Status != checks.StatusFail {
				t.Fatalf("got %s/%s variant %q (%s), want %s variant %q", res.Status, res.Code, res.Variant, res.Summary, tc.code, tc.variant)
			}
			if res.Params["host"] != "127.0.0.1" {
				t.Errorf("params %v", res.Params)
			}
		})
	}
}

// TestPlainHTTP: an http:// login page is TLS_PLAINTEXT, a warning for the
// administrator that does not block http.login.
func TestPlainHTTP(t *testing.T) {
	f := newFactory(t)
	s := startCRM(t, crm.Options{})
	res := run(t, envFor(t, s.URL(), f))
	if res.Status != checks.StatusWarn || res.Code != tlscert.CodePlaintext || res.Owner != checks.OwnerAdmin ||
		res.Params["host"] != "127.0.0.1" || res.Evidence["plaintext"] != true {
		t.Fatalf("got %+v", res)
	}
	if res.Blocks() {
		t.Fatal("TLS_PLAINTEXT blocks the checks after it")
	}
}

// listen serves each connection with fn on 127.0.0.1 and returns the address.
func listen(t *testing.T, fn func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			fn(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
