package account

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/idp"
)

// now is the fixture's and the check's clock.
var testNow = time.Date(2026, 11, 28, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

func startIDP(t *testing.T, opts idp.Options) *idp.Server {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	s, err := idp.Start(opts)
	if err != nil {
		t.Fatalf("idp.Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// wukong is the generic mapping of WukongCRM-style statuses.
func wukong(s *idp.Server) checks.GenericAccount {
	return checks.GenericAccount{
		URL:        "/generic/users/{user}",
		StatusPath: "data.status",
		States:     map[string]string{"0": "disabled", "1": "active", "2": "not_activated", "3": "locked"},
	}
}

func accountCfg(s *idp.Server, provider, user string) checks.AccountConfig {
	cfg := checks.AccountConfig{Provider: provider, BaseURL: s.URL(), User: user}
	switch provider {
	case "keycloak":
		cfg.Realm = s.Realm()
	case "generic":
		cfg.Generic = wukong(s)
	}
	return cfg
}

func runCheck(t *testing.T, cfg checks.AccountConfig, token string, timeout time.Duration) checks.Result {
	t.Helper()
	env := checks.NewEnv(checks.Target{Account: cfg})
	env.Now = func() time.Time { return testNow }
	env.Getenv = func(k string) string {
		if k == DefaultTokenEnv {
			return token
		}
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return New().Run(ctx, env, nil)
}

type want struct {
	code    string
	status  checks.Status
	owner   checks.Owner
	variant string
	params  map[string]string
}

func TestEveryProviderState(t *testing.T) {
	s := startIDP(t, idp.Options{})
	fail, warn, pass := checks.StatusFail, checks.StatusWarn, checks.StatusPass
	you, admin := checks.OwnerYou, checks.OwnerAdmin
	cases := []struct {
		provider, user string
		want           want
	}{
		{"okta", "active@example.com", want{code: checks.CodeOK, status: pass}},
		{"okta", "nomfa@example.com", want{code: CodeMFANotEnrolled, status: warn, owner: you}},
		{"okta", "locked@example.com", want{code: CodeLocked, status: fail, owner: admin, params: map[string]string{"since": "07:30", "admin": "Okta"}}},
		{"okta", "expired@example.com", want{code: CodeExpired, status: fail, owner: you, variant: "self_service"}},
		{"okta", "expired.noreset@example.com", want{code: CodeExpired, status: fail, owner: admin}},
		{"okta", "recovery@example.com", want{code: CodeMustChange, status: warn, owner: you}},
		{"okta", "provisioned@example.com", want{code: CodeMustChange, status: warn, owner: you, variant: "not_activated"}},
		{"okta", "staged@example.com", want{code: CodeMustChange, status: warn, owner: admin, variant: "staged"}},
		{"okta", "suspended@example.com", want{code: CodeDisabled, status: fail, owner: admin}},
		{"okta", "deprovisioned@example.com", want{code: CodeDisabled, status: fail, owner: admin}},
		{"okta", "nobody@example.com", want{code: CodeNotFound, status: fail, owner: admin}},

		{"entra", "enabled@example.com", want{code: checks.CodeOK, status: pass}},
		{"entra", "disabled@example.com", want{code: CodeDisabled, status: fail, owner: admin}},
		{"entra", "forcechange@example.com", want{code: CodeMustChange, status: warn, owner: you}},
		{"entra", "expired@example.com", want{code: CodeExpired, status: fail, owner: you, variant: "self_service"}},
		{"entra", "expiring@example.com", want{code: CodeExpiring, status: warn, owner: you, params: map[string]string{"days": "5"}}},
		{"entra", "neverexpires@example.com", want{code: checks.CodeOK, status: pass}},
		{"entra", "nodomain@other.test", want{code: checks.CodeOK, status: pass}},
		{"entra", "nobody@example.com", want{code: CodeNotFound, status: fail, owner: admin}},

		{"salesforce", "active@example.com", want{code: checks.CodeOK, status: pass}},
		{"salesforce", "inactive@example.com", want{code: CodeDisabled, status: fail, owner: admin}},
		{"salesforce", "frozen@example.com", want{code: CodeDisabled, status: fail, owner: admin}},
		{"salesforce", "pwlocked@example.com", want{code: CodeLocked, status: fail, owner: admin}},
		{"salesforce", "expired@example.com", want{code: CodeExpired, status: fail, owner: admin}},
		{"salesforce", "nobody@example.com", want{code: CodeNotFound, status: fail, owner: admin}},
		{"salesforce", `o'brien\' OR Username != '@example.com`, want{code: CodeNotFound, status: fail, owner: admin}},

		{"keycloak", "active", want{code: checks.CodeOK, status: pass}},
		{"keycloak", "disabled", want{code: CodeDisabled, status: fail, owner: admin}},
		{"keycloak", "locked", want{code: CodeLocked, status: fail, owner: admin, variant: "auto_unlock",
			params: map[string]string{"failures": "5", "since": "09:27", "unlock_at": "09:42", "unlock_in": "12", "last_ip": "10.1.2.3"}}},
		{"keycloak", "permlocked", want{code: CodeLocked, status: fail, owner: admin, params: map[string]string{"failures": "30", "unlock_at": ""}}},
		{"keycloak", "updatepw", want{code: CodeMustChange, status: warn, owner: you}},
		{"keycloak", "configtotp", want{code: CodeMFANotEnrolled, status: warn, owner: you}},
		{"keycloak", "expired", want{code: CodeExpired, status: fail, owner: admin}},
		{"keycloak", "expiring", want{code: CodeExpiring, status: warn, owner: you, params: map[string]string{"days": "10"}}},
		{"keycloak", "nobody", want{code: CodeNotFound, status: fail, owner: admin}},

		{"generic", "normal", want{code: checks.CodeOK, status: pass}},
		{"generic", "disabled", want{code: CodeDisabled, status: fail, owner: admin, params: map[string]string{"admin": "CRM"}}},
		{"generic", "inactive", want{code: CodeMustChange, status: warn, owner: you, variant: "not_activated"}},
		{"generic", "locked", want{code: CodeLocked, status: fail, owner: admin}},
		{"generic", "weird", want{code: CodeAPIUnreachable, status: warn, owner: checks.OwnerIT, variant: "unmapped"}},
		{"generic", "nobody", want{code: CodeNotFound, status: fail, owner: admin}},
	}
	for _, c := range cases {
		t.Run(c.provider+"/"+c.user, func(t *testing.T) {
			t.Parallel()
			res := runCheck(t, accountCfg(s, c.provider, c.user), s.Token(), 3*time.Second)
			assertResult(t, res, c.want)
			if res.Status != checks.StatusPass && res.Params["user"] != c.user {
				t.Errorf("Params[user] = %q, want %q", res.Params["user"], c.user)
			}
		})
	}
}

func assertResult(t *testing.T, res checks.Result, w want) {
	t.Helper()
	if res.Code != w.code || res.Status != w.status {
		t.Fatalf("got %s/%s (%s), want %s/%s", res.Status, res.Code, res.Summary, w.status, w.code)
	}
	if w.owner != "" && res.Owner != w.owner {
		t.Errorf("owner = %q, want %q", res.Owner, w.owner)
	}
	if res.Variant != w.variant {
		t.Errorf("variant = %q, want %q", res.Variant, w.variant)
	}
	for k, v := range w.params {
		got, ok := res.Params[k]
		if !ok || got != v {
			t.Errorf("Params[%s] = %q (set %v), want %q", k, got, ok, v)
		}
	}
}

func TestSeverities(t *testing.T) {
	s := startIDP(t, idp.Options{})
	cases := map[string]checks.Severity{
		"locked@example.com":    checks.SeverityCritical,
		"suspended@example.com": checks.SeverityCritical,
		"nobody@example.com":    checks.SeverityCritical,
		"expired@example.com":   checks.SeverityHigh,
		"nomfa@example.com":     checks.SeverityLow,
	}
	for user, sev := range cases {
		res := runCheck(t, accountCfg(s, "okta", user), s.Token(), 3*time.Second)
		if res.Severity != sev {
			t.Errorf("%s: severity %q, want %q (%s)", user, res.Severity, sev, res.Code)
		}
	}
}

func TestLockedSummaryNamesFacts(t *testing.T) {
	s := startIDP(t, idp.Options{})
	res := runCheck(t, accountCfg(s, "keycloak", "locked"), s.Token(), 3*time.Second)
	for _, want := range []string{"locked", "since 09:27", "after 5 failed", "09:42"} {
		if !strings.Contains(res.Summary, want) {
			t.Errorf("summary %q lacks %q", res.Summary, want)
		}
	}
	if res.Evidence["last_failure_ip"] != "10.1.2.3" {
		t.Errorf("evidence last_failure_ip = %v", res.Evidence["last_failure_ip"])
	}
}

func TestAPIFailures(t *testing.T) {
	providers := []string{"okta", "entra", "salesforce", "keycloak", "generic"}
	users := map[string]string{"okta": "active@example.com", "entra": "enabled@example.com",
		"salesforce": "active@example.com", "keycloak": "active", "generic": "normal"}
	cases := []struct {
		mode     idp.Mode
		token    string // "" = the right one
		code     string
		variants []string
	}{
		{idp.ModeNormal, "wrong-token-value", CodeAPIAuth, []string{""}},
		{idp.ModeForbidden, "", CodeAPIAuth, []string{""}},
		{idp.ModeEcho500, "", CodeAPIUnreachable, []string{"server_error"}},
		{idp.ModeGarbage, "", CodeAPIUnreachable, []string{"bad_response"}},
		{idp.ModeHuge, "", CodeAPIUnreachable, []string{"bad_response"}},
		{idp.ModeNested, "", CodeAPIUnreachable, []string{"bad_response"}},
		{idp.ModeWrongType, "", CodeAPIUnreachable, []string{"bad_response", "unmapped"}},
	}
	for _, c := range cases {
		s := startIDP(t, idp.Options{Mode: c.mode})
		for _, p := range providers {
			t.Run(string(c.mode)+"/"+p, func(t *testing.T) {
				t.Parallel()
				tok := c.token
				if tok == "" {
					tok = s.Token()
				}
				res := runCheck(t, accountCfg(s, p, users[p]), tok, 3*time.Second)
				if res.Code != c.code || res.Status != checks.StatusWarn || res.Owner != checks.OwnerIT {
					t.Fatalf("got %s/%s owner %s (%s), want warn/%s owner it", res.Status, res.Code, res.Owner, res.Summary, c.code)
				}
				if !slices.Contains(c.variants, res.Variant) {
					t.Errorf("variant %q, want one of %q", res.Variant, c.variants)
				}
				if c.code == CodeAPIAuth && (strings.Contains(strings.ToLower(res.Summary), "locked") || !strings.Contains(res.Summary, "diagnosis")) {
					t.Errorf("auth summary must blame the diagnosis, not the account: %q", res.Summary)
				}
			})
		}
	}
}

func TestHangingAPIWithinDeadline(t *testing.T) {
	s := startIDP(t, idp.Options{Mode: idp.ModeHang})
	for _, p := range []string{"okta", "entra", "salesforce", "keycloak", "generic"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			res := runCheck(t, accountCfg(s, p, "x"), s.Token(), 500*time.Millisecond)
			if took := time.Since(start); took > 500*time.Millisecond {
				t.Errorf("took %v, want within the 500ms check timeout", took)
			}
			if res.Code != CodeAPIUnreachable || res.Variant != "timeout" {
				t.Errorf("got %s variant %q (%s), want %s/timeout", res.Code, res.Variant, res.Summary, CodeAPIUnreachable)
			}
		})
	}
}

func TestRefusedConnection(t *testing.T) {
	s := startIDP(t, idp.Options{})
	cfg := accountCfg(s, "okta", "active@example.com")
	_ = s.Close() // nothing listens on the port any more
	res := runCheck(t, cfg, "tok-123456", 2*time.Second)
	if res.Code != CodeAPIUnreachable || res.Variant != "" {
		t.Fatalf("got %s variant %q (%s)", res.Code, res.Variant, res.Summary)
	}
}

func TestNotConfigured(t *testing.T) {
	cases := []struct {
		name    string
		cfg     checks.AccountConfig
		missing string
	}{
		{"empty", checks.AccountConfig{}, "account.provider, account.base_url, account.user"},
		{"no user", checks.AccountConfig{Provider: "okta", BaseURL: "https://acme.okta.com"}, "account.user"},
		{"keycloak realm", checks.AccountConfig{Provider: "keycloak", BaseURL: "https://sso", User: "u"}, "account.realm"},
		{"generic", checks.AccountConfig{Provider: "generic", User: "u", Generic: checks.GenericAccount{URL: "https://crm/u/{user}"}},
			"account.generic.status_path, account.generic.states"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runCheck(t, c.cfg, "tok-123456", time.Second)
			if res.Status != checks.StatusSkip || res.Code != checks.CodeNotConfigured {
				t.Fatalf("got %s/%s", res.Status, res.Code)
			}
			if res.Params["setting"] != c.missing {
				t.Errorf("setting = %q, want %q", res.Params["setting"], c.missing)
			}
		})
	}
}

func TestMissingTokenNamesVariable(t *testing.T) {
	s := startIDP(t, idp.Options{})
	cfg := accountCfg(s, "okta", "active@example.com")
	cfg.TokenEnv = "ACME_OKTA_TOKEN"
	res := runCheck(t, cfg, "", time.Second)
	if res.Code != checks.CodeNotConfigured || res.Params["setting"] != "ACME_OKTA_TOKEN" || !strings.Contains(res.Summary, "ACME_OKTA_TOKEN") {
		t.Fatalf("got %s %q params %v", res.Code, res.Summary, res.Params)
	}
}

func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	cfg := checks.AccountConfig{Provider: "okta", BaseURL: "http://okta.example.com", User: "u"}
	res := runCheck(t, cfg, "tok-123456", time.Second)
	if res.Status != checks.StatusError || !strings.Contains(res.Summary, "https") {
		t.Fatalf("got %s %q, want an error refusing to send the token over http", res.Status, res.Summary)
	}
}

// TestTokenNeverLeaks plants a canary token and runs every provider against
// every fault, including a 500 that echoes the Authorization header.
func TestTokenNeverLeaks(t *testing.T) {
	const canary = "CANARY-TOKEN-5d1e0c7a9b"
	users := map[string][]string{
		"okta":       {"active@example.com", "locked@example.com", "nobody@example.com"},
		"entra":      {"expiring@example.com", "nobody@example.com"},
		"salesforce": {"pwlocked@example.com", "nobody@example.com"},
		"keycloak":   {"locked", "nobody"},
		"generic":    {"weird", "nobody"},
	}
	modes := append([]idp.Mode{idp.ModeNormal}, idp.Modes()...)
	for _, m := range modes {
		if m == idp.ModeHang {
			continue // covered by TestHangingAPIWithinDeadline
		}
		for _, serverToken := range []string{canary, "another-token"} {
			t.Run(string(m)+"/"+serverToken[:7], func(t *testing.T) {
				t.Parallel()
				leakRun(t, m, serverToken, canary, users)
			})
		}
	}
}

// leakRun runs every provider's users against one server and scans each
// marshalled Result for the canary.
func leakRun(t *testing.T, m idp.Mode, serverToken, canary string, users map[string][]string) {
	s := startIDP(t, idp.Options{Mode: m, Token: serverToken, GenericHeader: "Admin-Token"})
	for p, us := range users {
		for _, u := range us {
			cfg := accountCfg(s, p, u)
			if p == "generic" && serverToken == canary {
				cfg.Generic.AuthHeader = "Admin-Token"
			}
			res := runCheck(t, cfg, canary, 2*time.Second)
			if m == idp.ModeNormal && serverToken == canary && res.Code == CodeAPIAuth {
				t.Errorf("%s/%s: the canary token was not sent as the provider expects: %s", p, u, res.Summary)
			}
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), canary) || strings.Contains(string(b), "CANARY") {
				t.Errorf("%s/%s/%s: token leaked: %s", m, p, u, b)
			}
		}
	}
}
