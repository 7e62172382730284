package tlscert_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
)

// TestClassifyExpiredIntermediate: a valid leaf under an expired
// intermediate is TLS_EXPIRED naming the intermediate.
func TestClassifyExpiredIntermediate(t *testing.T) {
	now := time.Now()
	root, err := certs.NewRoot("Old Root", now.AddDate(-11, 0, 0)) // valid until one year ago
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := certs.NewRoot("Fresh Root", now)
	if err != nil {
		t.Fatal(err)
	}
	inter, err := root.Intermediate("Old Issuing CA", now.AddDate(-11, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter.Leaf(certs.LeafSpec{Hosts: []string{"crm.test"}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 3, 0)})
	if err != nil {
		t.Fatal(err)
	}
	pool := root.Pool()
	pool.AddCert(fresh.Cert)
	res := tlscert.Classify(handshake(t, "crm.test", leaf), tlscert.Options{Now: now, Roots: pool})
	if res.Code != tlscert.CodeExpired || res.Params["cert"] != "Old Issuing CA" {
		t.Fatalf("got %s %v (%s)", res.Code, res.Params, res.Summary)
	}
}

func TestClassifyOrder(t *testing.T) {
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Expired and from an unknown CA: the time problem comes first, both are listed.
	c, err := f.Unknown.Leaf(certs.LeafSpec{Hosts: []string{"crm.test"}, NotBefore: f.Now.AddDate(-1, 0, 0), NotAfter: f.Now.AddDate(0, 0, -2)})
	if err != nil {
		t.Fatal(err)
	}
	res := tlscert.Classify(handshake(t, "crm.test", c), tlscert.Options{Now: f.Now, Roots: f.Root.Pool()})
	probs, _ := res.Evidence["problems"].([]string)
	if res.Code != tlscert.CodeExpired || len(probs) != 2 || probs[1] != tlscert.CodeUntrusted {
		t.Fatalf("got %s, problems %v", res.Code, probs)
	}
	// Self-signed.
	self := selfSigned(t, "crm.test", f.Now)
	res = tlscert.Classify(tlscert.Handshake{Host: "crm.test", Certificates: []*x509.Certificate{self}, Version: tls.VersionTLS13}, tlscert.Options{Now: f.Now, Roots: f.Root.Pool()})
	if res.Code != tlscert.CodeUntrusted || res.Variant != "self_signed" {
		t.Fatalf("self-signed: got %s/%s (%s)", res.Code, res.Variant, res.Summary)
	}
	// No certificate at all.
	res = tlscert.Classify(tlscert.Handshake{Host: "crm.test"}, tlscert.Options{Now: f.Now})
	if res.Code != tlscert.CodeHandshakeFailed {
		t.Fatalf("no certificate: got %s", res.Code)
	}
}

func selfSigned(t *testing.T, host string, now time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func handshake(t *testing.T, host string, c tls.Certificate) tlscert.Handshake {
	t.Helper()
	h := tlscert.Handshake{Host: host, Version: tls.VersionTLS13}
	for _, der := range c.Certificate {
		x, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		h.Certificates = append(h.Certificates, x)
	}
	return h
}

func TestLooksLikeInspection(t *testing.T) {
	for name, want := range map[string]bool{
		"CN=Zscaler Intermediate Root CA (zscaler.net)": true,
		"CN=FortiGate CA,O=Fortinet":                    true,
		"CN=ACME Corp SSL Inspection CA":                true,
		"CN=深信服 SSL 解密证书":                               true,
		"CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1": false,
		"CN=R11,O=Let's Encrypt":                        false,
		"CN=GlobalSign GCC R6 AlphaSSL CA 2023":         false,
	} {
		if got := tlscert.LooksLikeInspection(name); got != want {
			t.Errorf("LooksLikeInspection(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestNetFailureCodes: a failed connect carries the code of the layer that
// failed, the same one net.reach gives (netfail.Dial); a proxy's 502 on the
// way to an SSO host is the host's refusal seen through the proxy, not the
// proxy denying it.
func TestNetFailureCodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	dial := func(d faultnet.Dialer) error {
		_, err := d.DialContext(ctx, "tcp", "127.0.0.1:9")
		return err
	}
	proxied := checks.Route{Proxy: &url.URL{Scheme: "http", Host: "p:3128"}, Source: checks.SourceEnv}
	for _, tc := range []struct {
		name    string
		err     error
		want    string
		variant string
	}{
		{"refused", dial(faultnet.Refuse{}), netfail.NetRefused, ""},
		{"reset", dial(faultnet.Reset{}), netfail.NetRefused, ""},
		{"unreachable", dial(faultnet.Unreachable{}), netfail.NetUnreachable, ""},
		{"black hole", dial(faultnet.BlackHole{}), netfail.NetTimeout, ""},
		{"proxy 407", &checks.ProxyError{Proxy: "p:3128", StatusCode: 407}, netfail.ProxyAuthRequired, ""},
		{"proxy 403", fmt.Errorf("dial: %w", &checks.ProxyError{Proxy: "p:3128", StatusCode: 403}), netfail.ProxyDenied, ""},
		{"proxy 502", &checks.ProxyError{Proxy: "p:3128", StatusCode: 502, Status: "502 Bad Gateway"}, netfail.NetRefused, "proxy"},
		{"proxy 504", &checks.ProxyError{Proxy: "p:3128", StatusCode: 504, Status: "504 Gateway Timeout"}, netfail.NetTimeout, "proxy"},
		{"proxy down", fmt.Errorf("%w p:3128: %w", checks.ErrProxyDial, errors.New("refused")), netfail.ProxyUnreachable, ""},
		{"nxdomain", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, netfail.DNSNXDomain, ""},
		{"dns timeout", &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, netfail.DNSTimeout, ""},
		{"servfail", &net.DNSError{Err: "server misbehaving", Name: "x"}, netfail.DNSServFail, ""},
	} {
		route := checks.Route{Source: checks.SourceDirect}
		if tc.variant == "proxy" {
			route = proxied
		}
		res := tlscert.NetFailure(tc.err, route, "sso.test", "sso.test:443", time.Second)
		if res.Code != tc.want || res.Variant != tc.variant {
			t.Errorf("%s: NetFailure(%v) = %s/%s, want %s/%s", tc.name, tc.err, res.Code, res.Variant, tc.want, tc.variant)
		}
	}
}

// Classify reuses the verification CompleteChain made for the same roots
// and time, and only for those: a handshake completed under one trust
// store is judged afresh under another.
func TestClassifyReusesOnlyTheSameVerification(t *testing.T) {
	f, err := certs.NewFactory(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := f.Leaf(certs.Valid, "crm.test")
	if err != nil {
		t.Fatal(err)
	}
	trusting := tlscert.Options{Now: f.Now, Roots: f.Root.Pool()}
	h := tlscert.CompleteChain(context.Background(), checks.NewEnv(checks.Target{}), handshake(t, "crm.test", leaf), trusting)
	if res := tlscert.Classify(h, trusting); res.Code != checks.CodeOK {
		t.Fatalf("trusted roots: got %s (%s)", res.Code, res.Summary)
	}
	other := trusting
	other.Roots = f.Unknown.Pool()
	if res := tlscert.Classify(h, other); res.Code != tlscert.CodeUntrusted {
		t.Errorf("other roots after a trusted CompleteChain: got %s (%s), want %s", res.Code, res.Summary, tlscert.CodeUntrusted)
	}
	later := trusting
	later.Now = f.Now.AddDate(5, 0, 0)
	if res := tlscert.Classify(h, later); res.Code != tlscert.CodeExpired {
		t.Errorf("five years on: got %s (%s), want %s", res.Code, res.Summary, tlscert.CodeExpired)
	}
}
