package clock

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
)

// certDateServer is a loopback HTTPS server presenting cert whose Date
// header is skew ahead of true time.
func certDateServer(t *testing.T, cert tls.Certificate, skew time.Duration) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// factoryLeaf signs a leaf for 127.0.0.1 by the factory's intermediate,
// valid from notBefore to notAfter.
func factoryLeaf(t *testing.T, f *certs.Factory, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	leaf, err := f.Inter.Leaf(certs.LeafSpec{Hosts: []string{"127.0.0.1"}, NotBefore: notBefore, NotAfter: notAfter})
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

// TestDateTrust: the Date header decides only when the certificate of the
// server that sent it is trusted by the run (at the local time, or at the
// server's own time when only the validity window is in the way).
func TestDateTrust(t *testing.T) {
	now := time.Now()
	f, err := certs.NewFactory(now)
	if err != nil {
		t.Fatal(err)
	}
	const fast = 36 * time.Hour
	tests := []struct {
		name    string
		cert    tls.Certificate
		trusted bool
		local   time.Duration // how far the local clock is ahead of true time
		server  time.Duration // how far the server's Date is ahead of true time
		code    string
		trust   string // the Date source's trust, or "" when it must be ignored
	}{
		{"untrusted certificate, Date 36 h ahead", factoryLeaf(t, f, now.Add(-time.Hour), now.AddDate(0, 6, 0)),
			false, 0, fast, CodeUnverified, ""},
		{"trusted certificate, Date 36 h ahead", factoryLeaf(t, f, now.Add(-time.Hour), now.AddDate(0, 6, 0)),
			true, 0, fast, CodeSkew, "certificate verified"},
		{"looks expired only because the clock is 36 h fast", factoryLeaf(t, f, now.AddDate(0, -1, 0), now.Add(time.Hour)),
			true, fast, 0, CodeSkew, "certificate verified at the server's time"},
		{"looks not yet valid only because the clock is 3 days slow", factoryLeaf(t, f, now.Add(-24*time.Hour), now.AddDate(0, 6, 0)),
			true, -72 * time.Hour, 0, CodeSkew, "certificate verified at the server's time"},
		{"expired at the server's time too", factoryLeaf(t, f, now.AddDate(0, -1, 0), now.Add(-time.Hour)),
			true, fast, fast, CodeUnverified, ""},
		{"trusted, but for another host", mustLeaf(t, f, certs.WrongHost),
			true, 0, fast, CodeUnverified, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			crm := certDateServer(t, tc.cert, tc.server)
			env := newEnv(crm.URL)
			env.Now = func() time.Time { return time.Now().Add(tc.local) }
			if tc.trusted {
				env.RootCAs = f.Root.Pool()
			}
			r, _ := run(t, env, 2*time.Second)
			if r.Code != tc.code {
				t.Fatalf("got %s (%s), want %s", r.Code, r.Summary, tc.code)
			}
			src := r.Evidence["sources"].([]map[string]any)[0]
			if tc.trust == "" {
				reason, _ := src["reason"].(string)
				if src["state"] != StateUntrusted || !strings.Contains(reason, "Date header ignored") || !strings.Contains(reason, "not trusted") {
					t.Fatalf("source %v: want the Date ignored because the certificate is not trusted", src)
				}
				return
			}
			trust, _ := src["trust"].(string)
			if src["state"] != StateOK || !strings.HasPrefix(trust, tc.trust) {
				t.Fatalf("source %v: want trust %q", src, tc.trust)
			}
			if got, want := r.Evidence["skew_s"].(float64), (tc.local - tc.server).Seconds(); got < want-2 || got > want+2 {
				t.Errorf("skew_s %v, want about %v", got, (tc.local - tc.server).Seconds())
			}
			if want := crm.URL + " (" + tc.trust; !strings.HasPrefix(r.Evidence["source"].(string), want) {
				t.Errorf("source evidence %q, want %q…", r.Evidence["source"], want)
			}
		})
	}
}

func mustLeaf(t *testing.T, f *certs.Factory, k certs.Kind) tls.Certificate {
	t.Helper()
	leaf, err := f.Leaf(k, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

// TestUntrustedDateDoesNotOutvoteNTP: with an NTP server saying the clock
// is right, a Date header from an untrusted server 36 h ahead is neither
// the verdict nor a disagreement.
func TestUntrustedDateDoesNotOutvoteNTP(t *testing.T) {
	crm := dateServer(t, true, 36*time.Hour, false)
	ntp := ntpAt(t, ntpserver.Options{})
	r, _ := run(t, newEnv(crm.URL, ntp), 2*time.Second)
	if r.Code != checks.CodeOK {
		t.Fatalf("got %s (%s), want OK", r.Code, r.Summary)
	}
	if _, ok := r.Evidence["disagreement"]; ok {
		t.Errorf("an ignored Date is reported as disagreeing: %s", r.Summary)
	}
	if r.Evidence["source"] != "ntp "+ntp {
		t.Errorf("source %q, want %q", r.Evidence["source"], "ntp "+ntp)
	}
}
