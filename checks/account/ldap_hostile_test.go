package account

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	ldapfix "github.com/logindoctor/logindoctor/fixtures/ldap"
)

const fakeServicePass = "fake-Service-pw-77"

// startFakeDirectory runs the in-process directory of the demo in mode m.
func startFakeDirectory(t *testing.T, m ldapfix.Mode, now time.Time) (*ldapfix.Server, *certs.Factory) {
	t.Helper()
	f, err := certs.NewFactory(now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := f.Leaf(certs.Valid, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	opts := ldapfix.LockedDomain(cert, fakeServicePass, now)
	opts.Mode = m
	s, err := ldapfix.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, f
}

func fakeCfg(url, user string) checks.AccountConfig {
	return checks.AccountConfig{BaseURL: url, User: user, LDAP: checks.LDAPAccount{BindDN: ldapfix.ServiceDN, BaseDN: ldapfix.DomainDN}}
}

// TestDemoDirectoryLocked is the demo's domain-account-locked scenario:
// the unlock time comes from the domain's lockoutDuration.
func TestDemoDirectoryLocked(t *testing.T) {
	now := time.Now()
	s, f := startFakeDirectory(t, ldapfix.Normal, now)
	res := runDirectory(t, fakeCfg(s.URL(), ldapfix.LockedUser), fakeServicePass, f.Root.Pool(), now)
	want := clock(now.Add(25*time.Minute), now)
	if res.Code != CodeLocked || res.Variant != "auto_unlock" || res.Params["unlock_at"] != want || res.Params["failures"] != "5" {
		t.Fatalf("got %s %q unlock_at %q failures %q (%s); want ACCOUNT_LOCKED auto_unlock at %s", res.Code, res.Variant, res.Params["unlock_at"], res.Params["failures"], res.Summary, want)
	}
	res = runDirectory(t, fakeCfg(s.URL(), "san.zhang@example.test"), fakeServicePass, f.Root.Pool(), now)
	if res.Code != CodeNotFound || res.Params["login_as"] != ldapfix.LockedUser {
		t.Fatalf("an e-mail typed as the login name: got %s login_as %q (%s)", res.Code, res.Params["login_as"], res.Summary)
	}
}

// TestHostileDirectoryStaysBounded: a directory that hangs after TLS, a
// listener that never speaks, one that floods 100 000 entries or sends a
// 5 MiB attribute, and a closed port all end as ACCOUNT_API_UNREACHABLE
// within the check's deadline.
func TestHostileDirectoryStaysBounded(t *testing.T) {
	now := time.Now()
	silent := silentListener(t)
	closed := closedPort(t)
	cases := []struct {
		name, url, variant, says string
		mode                     ldapfix.Mode
		deadline                 time.Duration
	}{
		{"hangs after TLS", "", "timeout", "in time", ldapfix.Hang, 3 * time.Second},
		{"accepts and never answers", "ldaps://" + silent, "timeout", "", ldapfix.Normal, 3 * time.Second},
		{"accepts and never answers StartTLS", "ldap://" + silent, "timeout", "", ldapfix.Normal, 3 * time.Second},
		// These end by their own bounds, not the deadline (kept long so
		// that a loaded machine cannot turn them into timeouts).
		{"floods entries", "", "bad_response", "more than one entry", ldapfix.Flood, 8 * time.Second},
		{"oversized attribute", "", "bad_response", "4 MiB", ldapfix.Huge, 8 * time.Second},
		{"closed port", "ldaps://" + closed, "", "refused", ldapfix.Normal, 3 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := c.url
			var roots *x509.CertPool
			if url == "" {
				s, f := startFakeDirectory(t, c.mode, now)
				url, roots = s.URL(), f.Root.Pool()
			}
			cfg := fakeCfg(url, ldapfix.LockedUser)
			cfg.Provider = "ldap"
			env := checks.NewEnv(checks.Target{Account: cfg})
			env.RootCAs = roots
			env.Getenv = func(string) string { return fakeServicePass }
			start := time.Now()
			res := runWithin(env, c.deadline)
			if d := time.Since(start); d > c.deadline {
				t.Errorf("took %v, beyond the check's %v", d, c.deadline)
			}
			if res.Code != CodeAPIUnreachable || res.Variant != c.variant || !strings.Contains(res.Summary, c.says) {
				t.Fatalf("got %s variant %q (%s); want ACCOUNT_API_UNREACHABLE %q saying %q", res.Code, res.Variant, res.Summary, c.variant, c.says)
			}
		})
	}
}

// silentListener accepts connections and never writes.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// runWithin runs the check under a deadline of d.
func runWithin(env *checks.Env, d time.Duration) checks.Result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return New().Run(ctx, env, nil)
}

// runDirectory runs account.status against a directory with its CA trusted.
func runDirectory(t *testing.T, cfg checks.AccountConfig, secret string, roots *x509.CertPool, now time.Time) checks.Result {
	t.Helper()
	cfg.Provider = "ldap"
	env := checks.NewEnv(checks.Target{Account: cfg})
	env.RootCAs = roots
	env.Now = func() time.Time { return now }
	env.Getenv = func(k string) string {
		if k == DefaultTokenEnv {
			return secret
		}
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	res := New().Run(ctx, env, nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the lookup took %v on loopback, want ≤ 2 s", d)
	}
	b, _ := json.Marshal(res)
	if secret != "" && strings.Contains(string(b), secret) {
		t.Errorf("the service account's password appears in the result")
	}
	return res
}
