//go:build linux

package account

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/ldap/realdir"
)

// directories holds the real servers, started once per test binary on
// first use and stopped by TestMain.
type directories struct {
	sambaOnce, slapdOnce sync.Once
	samba                *realdir.Samba
	slapd                *realdir.Slapd
	sambaErr, slapdErr   error
	started              time.Time
}

// realDirs is the test binary's one set of real directory servers.
var realDirs = &directories{}

func (d *directories) close() {
	if d.samba != nil {
		_ = d.samba.Close()
	}
	if d.slapd != nil {
		_ = d.slapd.Close()
	}
}

// unavailable skips outside CI when a server cannot run here (not root,
// packages missing), and fails in CI, where `make test` installs them.
func unavailable(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, realdir.ErrUnavailable) && os.Getenv("CI") != "true" {
		t.Skipf("%v (make test installs the Debian packages as root)", err)
	}
	t.Fatalf("directory server: %v", err)
}

// sambaSecrets are the test passwords of the Samba users.
const (
	sambaUserPass = "Us3r-Passw0rd!"
	sambaSvcPass  = "Svc-Re4der!pw"
)

func sambaDir(t *testing.T) *realdir.Samba {
	t.Helper()
	realDirs.sambaOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		realDirs.samba, realDirs.sambaErr = realdir.StartSamba(ctx)
		if realDirs.sambaErr == nil {
			realDirs.sambaErr = sambaUsers(realDirs.samba)
		}
	})
	if realDirs.sambaErr != nil {
		unavailable(t, realDirs.sambaErr)
	}
	return realDirs.samba
}

// sambaUsers makes one user per state, the way an administrator would.
func sambaUsers(s *realdir.Samba) error {
	now := time.Now()
	steps := []func() error{
		func() error { return s.AddUser("svc.reader", sambaSvcPass, nil) },
		func() error { return s.AddUser("active.user", sambaUserPass, nil) },
		func() error {
			return s.AddUser("zhang.san", sambaUserPass, map[string][]string{"mail": {"san.zhang@corp.example"}, "employeeID": {"10042"}})
		},
		func() error { return s.AddUser("disabled.user", sambaUserPass, nil) },
		func() error {
			return s.Modify(realdir.UserDN("disabled.user"), map[string][]string{"userAccountControl": {"514"}})
		},
		func() error {
			return s.AddUser("expired.acct", sambaUserPass, map[string][]string{"accountExpires": {realdir.FileTime(now.Add(-48 * time.Hour))}})
		},
		func() error { return s.AddUser("must.change", sambaUserPass, nil) },
		func() error { return s.Modify(realdir.UserDN("must.change"), map[string][]string{"pwdLastSet": {"0"}}) },
		func() error { return s.AddUser("expiring.user", sambaUserPass, nil) },
		func() error { return sambaPSO(s, "expiring.user", 10*24*time.Hour) },
		func() error { return s.AddUser("locked.user", sambaUserPass, nil) },
		func() error {
			return s.Modify(realdir.SambaBaseDN, map[string][]string{"lockoutThreshold": {"3"},
				"lockoutDuration": {realdir.Interval(30 * time.Minute)}, "lockOutObservationWindow": {realdir.Interval(30 * time.Minute)}})
		},
	}
	for _, f := range steps {
		if err := f(); err != nil {
			return err
		}
	}
	realDirs.started = time.Now()
	if err := s.FailBinds("locked.user", 3); err == nil {
		return errors.New("the third wrong password did not fail")
	}
	return nil
}

// sambaPSO gives user a fine-grained password policy whose passwords last
// maxAge (what `samba-tool domain passwordsettings pso create` writes).
func sambaPSO(s *realdir.Samba, user string, maxAge time.Duration) error {
	return s.Add("CN=short-lived,CN=Password Settings Container,CN=System,"+realdir.SambaBaseDN, map[string][]string{
		"objectClass":                              {"msDS-PasswordSettings"},
		"msDS-PasswordSettingsPrecedence":          {"1"},
		"msDS-PasswordReversibleEncryptionEnabled": {"FALSE"},
		"msDS-PasswordHistoryLength":               {"0"},
		"msDS-PasswordComplexityEnabled":           {"FALSE"},
		"msDS-MinimumPasswordLength":               {"1"},
		"msDS-MinimumPasswordAge":                  {"0"},
		"msDS-MaximumPasswordAge":                  {realdir.Interval(maxAge)},
		"msDS-LockoutThreshold":                    {"0"},
		"msDS-LockoutObservationWindow":            {realdir.Interval(30 * time.Minute)},
		"msDS-LockoutDuration":                     {realdir.Interval(30 * time.Minute)},
		"msDS-PSOAppliesTo":                        {realdir.UserDN(user)},
	})
}

func slapdDir(t *testing.T) *realdir.Slapd {
	t.Helper()
	realDirs.slapdOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		now := time.Now()
		ago := func(d time.Duration) string { return realdir.GenTime(now.Add(-d)) }
		day := 24 * time.Hour
		users := []realdir.SlapdUser{
			{UID: "active", Extra: []string{"pwdChangedTime: " + ago(10*day)}},
			{UID: "locked", Extra: []string{"pwdAccountLockedTime: " + ago(5*time.Minute),
				"pwdFailureTime: " + ago(6*time.Minute), "pwdFailureTime: " + ago(5*time.Minute+30*time.Second), "pwdFailureTime: " + ago(5*time.Minute)}},
			{UID: "permlocked", Extra: []string{"pwdAccountLockedTime: 000001010000Z"}},
			{UID: "mustchange", Extra: []string{"pwdReset: TRUE"}},
			{UID: "expiring", Extra: []string{"pwdChangedTime: " + ago(85*day+time.Hour)}},
			{UID: "expired", Extra: []string{"pwdChangedTime: " + ago(100*day), "pwdGraceUseTime: " + ago(day)}},
			{UID: "zhang.san", Mail: "zhang.san@example.org", EmployeeNumber: "10042", Extra: []string{"pwdChangedTime: " + ago(day)}},
			{UID: "dup1", Mail: "shared@example.org"},
			{UID: "dup2", Mail: "shared@example.org"},
		}
		realDirs.slapd, realDirs.slapdErr = realdir.StartSlapd(ctx, users)
	})
	if realDirs.slapdErr != nil {
		unavailable(t, realDirs.slapdErr)
	}
	return realDirs.slapd
}

type ldapCase struct {
	name, url, user string
	now             time.Time
	want            want
}

func checkLDAPCase(t *testing.T, res checks.Result, c ldapCase) {
	t.Helper()
	w := c.want
	if res.Code != w.code || res.Status != w.status || (w.owner != "" && res.Owner != w.owner) || res.Variant != w.variant {
		t.Fatalf("got %s/%s owner %s variant %q (%s); want %s/%s owner %s variant %q",
			res.Status, res.Code, res.Owner, res.Variant, res.Summary, w.status, w.code, w.owner, w.variant)
	}
	for k, v := range w.params {
		if got, ok := res.Params[k]; !ok || got != v {
			t.Errorf("param %s = %q, want %q (summary %s)", k, got, v, res.Summary)
		}
	}
}

func TestActiveDirectoryStates(t *testing.T) {
	s := sambaDir(t)
	now := time.Now()
	local := func(d time.Duration) string { return clock(realDirs.started.Add(d), now) }
	fail, warn, pass := checks.StatusFail, checks.StatusWarn, checks.StatusPass
	cases := []ldapCase{
		{"active", s.URL(), "active.user", now, want{code: checks.CodeOK, status: pass}},
		{"active by UPN over StartTLS", s.StartTLSURL(), "active.user@example.test", now, want{code: checks.CodeOK, status: pass}},
		{"disabled", s.URL(), "disabled.user", now, want{code: CodeDisabled, status: fail, owner: checks.OwnerAdmin, params: map[string]string{"admin": "Active Directory"}}},
		{"account expired", s.URL(), "expired.acct", now, want{code: CodeDisabled, status: fail, variant: "expired",
			params: map[string]string{"expired_on": now.Add(-48 * time.Hour).Format("2006-01-02")}}},
		{"locked by three wrong passwords", s.URL(), "locked.user", now, want{code: CodeLocked, status: fail, variant: "auto_unlock",
			params: map[string]string{"failures": "3"}}},
		{"must change", s.URL(), "must.change", now, want{code: CodeMustChange, status: warn, owner: checks.OwnerYou}},
		{"expiring by its password policy", s.URL(), "expiring.user", now, want{code: CodeExpiring, status: warn, params: map[string]string{"days": "10"}}},
		{"expired password", s.URL(), "active.user", now.Add(50 * 24 * time.Hour), want{code: CodeExpired, status: fail,
			params: map[string]string{"expired_on": now.Add(42 * 24 * time.Hour).Format("2006-01-02")}}},
		{"employee ID typed", s.URL(), "10042", now, want{code: CodeNotFound, status: fail, owner: checks.OwnerYou, variant: "login_as",
			params: map[string]string{"login_as": "zhang.san"}}},
		{"nobody", s.URL(), "no.such.person", now, want{code: CodeNotFound, status: fail, owner: checks.OwnerAdmin, params: map[string]string{"login_as": ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := checks.AccountConfig{BaseURL: c.url, User: c.user, LDAP: checks.LDAPAccount{BindDN: realdir.UserDN("svc.reader"), BaseDN: realdir.SambaBaseDN}}
			res := runDirectory(t, cfg, sambaSvcPass, s.CA(), c.now)
			checkLDAPCase(t, res, c)
			if c.name == "locked by three wrong passwords" {
				// Samba's lockoutDuration is 30 min from the third failure.
				if got, lo, hi := res.Params["unlock_at"], local(29*time.Minute), local(31*time.Minute); got < lo || got > hi {
					t.Errorf("unlock_at = %q, want between %s and %s", got, lo, hi)
				}
			}
		})
	}
}

func TestOpenLDAPPPolicyStates(t *testing.T) {
	s := slapdDir(t)
	now := time.Now()
	fail, warn, pass := checks.StatusFail, checks.StatusWarn, checks.StatusPass
	cases := []ldapCase{
		{"active", s.URL(), "active", now, want{code: checks.CodeOK, status: pass}},
		{"active over StartTLS", s.StartTLSURL(), "active", now, want{code: checks.CodeOK, status: pass}},
		{"locked for 30 minutes", s.URL(), "locked", now, want{code: CodeLocked, status: fail, variant: "auto_unlock",
			params: map[string]string{"failures": "3", "unlock_at": clock(now.Add(25*time.Minute).Truncate(time.Second), now), "admin": "LDAP directory"}}},
		{"locked by an administrator", s.URL(), "permlocked", now, want{code: CodeLocked, status: fail, params: map[string]string{"unlock_at": ""}}},
		{"must change", s.URL(), "mustchange", now, want{code: CodeMustChange, status: warn}},
		{"expiring", s.URL(), "expiring", now, want{code: CodeExpiring, status: warn, params: map[string]string{"days": "5"}}},
		{"expired with grace logins", s.URL(), "expired", now, want{code: CodeExpired, status: fail, params: map[string]string{"grace_left": "2"}}},
		{"e-mail typed", s.URL(), "zhang.san@example.org", now, want{code: CodeNotFound, status: fail, variant: "login_as", params: map[string]string{"login_as": "zhang.san"}}},
		{"employee number typed", s.URL(), "10042", now, want{code: CodeNotFound, status: fail, variant: "login_as", params: map[string]string{"login_as": "zhang.san"}}},
		{"a shared e-mail names nobody", s.URL(), "shared@example.org", now, want{code: CodeNotFound, status: fail, owner: checks.OwnerAdmin, params: map[string]string{"login_as": ""}}},
		{"filter characters are data", s.URL(), "*)(uid=*", now, want{code: CodeNotFound, status: fail, params: map[string]string{"login_as": ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := checks.AccountConfig{BaseURL: c.url, User: c.user, LDAP: checks.LDAPAccount{BindDN: realdir.SlapdReaderDN, BaseDN: realdir.SlapdBaseDN}}
			checkLDAPCase(t, runDirectory(t, cfg, s.ReaderPassword, s.CA(), c.now), c)
		})
	}
}

// TestDirectoryRefusals: the directory's own problems are never the user's.
func TestDirectoryRefusals(t *testing.T) {
	type dir struct {
		url, bindDN, baseDN, secret string
		roots                       *x509.CertPool
	}
	var dirs []struct {
		name string
		d    dir
	}
	s := slapdDir(t)
	dirs = append(dirs, struct {
		name string
		d    dir
	}{"openldap", dir{s.URL(), realdir.SlapdReaderDN, realdir.SlapdBaseDN, s.ReaderPassword, s.CA()}})
	a := sambaDir(t)
	dirs = append(dirs, struct {
		name string
		d    dir
	}{"samba", dir{a.URL(), realdir.UserDN("svc.reader"), realdir.SambaBaseDN, sambaSvcPass, a.CA()}})
	for _, d := range dirs {
		t.Run(d.name+"/wrong service password", func(t *testing.T) {
			cfg := checks.AccountConfig{BaseURL: d.d.url, User: "active", LDAP: checks.LDAPAccount{BindDN: d.d.bindDN, BaseDN: d.d.baseDN}}
			res := runDirectory(t, cfg, "Wrong-Service-Pw-1", d.d.roots, time.Now())
			if res.Code != CodeAPIAuth || res.Variant != "directory" || !strings.Contains(res.Summary, "result 49") {
				t.Fatalf("got %s %q (%s)", res.Code, res.Variant, res.Summary)
			}
		})
		t.Run(d.name+"/untrusted certificate", func(t *testing.T) {
			cfg := checks.AccountConfig{BaseURL: d.d.url, User: "active", LDAP: checks.LDAPAccount{BindDN: d.d.bindDN, BaseDN: d.d.baseDN}}
			res := runDirectory(t, cfg, d.d.secret, x509.NewCertPool(), time.Now())
			if res.Code != CodeAPIUnreachable || !strings.Contains(res.Summary, "not trusted") {
				t.Fatalf("got %s (%s)", res.Code, res.Summary)
			}
		})
	}
}

// closeRealDirs stops what the tests started (TestMain calls it).
func closeRealDirs() { realDirs.close() }
