package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// load runs the loader like loadSettings does, without a command.
func load(t *testing.T, yaml string, env map[string]string, flags map[string]string) (*settings, error) {
	t.Helper()
	l := newLoader(func(k string) string { return env[k] }, environ(env))
	if yaml != "" {
		path := filepath.Join(t.TempDir(), "logindoctor.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := l.readFile(path); err != nil {
			return nil, err
		}
	}
	if err := l.bindEnv(); err != nil {
		return nil, err
	}
	for k, v := range flags {
		l.set(k, v)
	}
	return l.resolve()
}

func environ(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func TestConfigPrecedence(t *testing.T) {
	yaml := "url: https://file.example.com/login\ncheck_timeout: 7s\nclock:\n  max_skew: 10s\n"
	env := map[string]string{"LOGINDOCTOR_CHECK_TIMEOUT": "8s", "LOGINDOCTOR_CLOCK_MAX_SKEW": "45s"}
	s, err := load(t, yaml, env, map[string]string{"check_timeout": "9s"})
	if err != nil {
		t.Fatal(err)
	}
	if s.CheckTimeout != 9*time.Second {
		t.Errorf("check_timeout = %s, want the flag's 9s", s.CheckTimeout)
	}
	if s.Target.Clock.MaxSkew != 45*time.Second {
		t.Errorf("clock.max_skew = %s, want the env's 45s over the file's 10s", s.Target.Clock.MaxSkew)
	}
	if got := s.Target.URL.String(); got != "https://file.example.com/login" {
		t.Errorf("url = %s, want the file's", got)
	}
}

func TestConfigDefaults(t *testing.T) {
	s, err := load(t, "url: crm.example.com\n", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Target.URL.String(); got != "https://crm.example.com/" {
		t.Errorf("bare host became %s, want https://crm.example.com/", got)
	}
	if s.Timeout != 30*time.Second || s.CheckTimeout != 10*time.Second || s.Target.Clock.MaxSkew != 30*time.Second ||
		s.Target.TLS.WarnDays != 21 || s.Target.HTTP.SlowAfter != 3*time.Second ||
		s.Target.Browser.LoginFormSelector != "input[type=password]" || s.Target.Account.TokenEnv != defaultTokenEnv ||
		len(s.Target.Clock.NTPServers) != 1 || s.Lang != "auto" {
		t.Errorf("defaults differ from the README's: %+v", s)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        map[string]string
		want       string
	}{
		{"unknown key", "url: https://a.example\nbogus: 1\n", nil, `"bogus"`},
		{"unknown nested key", "url: https://a.example\nclock:\n  max_skw: 3s\n", nil, `"clock.max_skw"`},
		{"section given a value", "url: https://a.example\nclock: 5\n", nil, `"clock"`},
		{"bad duration", "url: https://a.example\ntimeout: soon\n", nil, `"timeout"`},
		{"duration without unit", "url: https://a.example\ncheck_timeout: 5\n", nil, `"check_timeout"`},
		{"negative duration", "url: https://a.example\nclock:\n  max_skew: -3s\n", nil, `"clock.max_skew"`},
		{"bad int", "url: https://a.example\ntls:\n  warn_days: many\n", nil, `"tls.warn_days"`},
		{"list expected", "url: https://a.example\nendpoints:\n  a: b\n", nil, `"endpoints"`},
		{"endpoint without port", "url: https://a.example\nendpoints: [sso.example.com]\n", nil, `"endpoints"`},
		{"url without host", "url: https://\n", nil, `"url"`},
		{"url bad scheme", "url: ftp://a.example\n", nil, `"url"`},
		{"bad lang", "url: https://a.example\nlang: fr\n", nil, `"lang"`},
		{"bad provider", "url: https://a.example\naccount:\n  provider: kerberos\n", nil, `"account.provider"`},
		{"ldap over https", "url: https://a.example\naccount:\n  provider: ldap\n  base_url: https://dc.example\n", nil, `"account.base_url"`},
		{"okta over ldaps", "url: https://a.example\naccount:\n  provider: okta\n  base_url: ldaps://dc.example\n", nil, `"account.base_url"`},
		{"unknown ldap key", "url: https://a.example\naccount:\n  ldap:\n    bind_pw: x\n", nil, `account.ldap.bind_pw`},
		{"bad cidr", "url: https://a.example\npolicy:\n  allowed_networks: [10.0.0.0/99]\n", nil, `"policy.allowed_networks"`},
		{"bad login hours", "url: https://a.example\npolicy:\n  login_hours: whenever\n", nil, `"policy.login_hours"`},
		{"bad proxy", "url: https://a.example\nproxy:\n  url: gopher://p:70\n", nil, `"proxy.url"`},
		{"keycloak without realm", "url: https://a.example\naccount:\n  provider: keycloak\n", nil, `"account.realm"`},
		{"missing ca file", "url: https://a.example\nca_file: /nonexistent/ca.pem\n", nil, `"ca_file"`},
		{"not yaml", "url: [unclosed\n", nil, "not valid YAML"},
		{"binary", "\x00\x01\x02", nil, "not text"},
		{"unknown env", "url: https://a.example\n", map[string]string{"LOGINDOCTOR_BOGUS": "1"}, "LOGINDOCTOR_BOGUS"},
		{"bad env value", "url: https://a.example\n", map[string]string{"LOGINDOCTOR_HTTP_SLOW_AFTER": "fast"}, `"http.slow_after"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.yaml, tc.env, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one naming %s", err, tc.want)
			}
			if exitCode(err) != exitUsage {
				t.Fatalf("exit code %d, want 2", exitCode(err))
			}
		})
	}
}

func TestConfigHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	if err := os.WriteFile(path, []byte("url: https://a.example\n# "+strings.Repeat("x", maxConfigBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	err := newLoader(os.Getenv, nil).readFile(path)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("huge file: %v", err)
	}
}

func TestConfigEnvLists(t *testing.T) {
	s, err := load(t, "", map[string]string{"LOGINDOCTOR_URL": "https://a.example", "LOGINDOCTOR_ENDPOINTS": "sso.example.com:443, api.example.com:8443", "LOGINDOCTOR_CLOCK_NTP_SERVERS": ""}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Target.Endpoints) != 2 || s.Target.Endpoints[1] != "api.example.com:8443" {
		t.Errorf("endpoints from env = %v", s.Target.Endpoints)
	}
	if len(s.Target.Clock.NTPServers) != 0 {
		t.Errorf("an empty LOGINDOCTOR_CLOCK_NTP_SERVERS should clear the list, got %v", s.Target.Clock.NTPServers)
	}
}

func TestConfigKeysOfLaterChecksAccepted(t *testing.T) {
	yaml := `url: https://crm.example.com/login
endpoints: [sso.example.com:443]
regions: [https://eu.crm.example.com/login]
dns: {reference_resolvers: ["127.0.0.1:5353"]}
proxy: {url: "http://proxy.example.com:3128", pac_url: "http://wpad.example.com/proxy.pac"}
clock: {ntp_servers: [time.example.com, "127.0.0.1:123"], max_skew: 30s}
tls: {warn_days: 14, expected_issuers: [DigiCert]}
http: {slow_after: 2s}
browser: {path: /usr/bin/chromium, login_form_selector: "#password", min_versions: {chrome: 120}, exclude: [ie]}
account: {provider: generic, base_url: "https://crm.example.com", user: zhangsan, token_env: CRM_TOKEN,
  generic: {url: "https://crm.example.com/api/users/{user}", status_path: data.status, states: {"0": disabled, "1": active}}}
policy: {login_hours: "Mon-Fri 08:00-20:00 Asia/Shanghai", allowed_networks: [203.0.113.0/24], egress_ip_url: "https://ip.example.com"}
`
	s, err := load(t, yaml, map[string]string{"CRM_TOKEN": "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Target.Account.Generic.States["0"] != "disabled" || s.Target.Browser.MinMajor["chrome"] != 120 {
		t.Errorf("nested keys not read: %+v", s.Target)
	}
}

// TestConfigLDAPAccount: the ldap provider's keys reach the Target, from
// the file and from LOGINDOCTOR_ACCOUNT_LDAP_* variables.
func TestConfigLDAPAccount(t *testing.T) {
	yaml := `url: https://crm.example.com/login
account:
  provider: ldap
  base_url: ldaps://dc1.corp.example.com:636
  user: zhang.san
  token_file: /etc/logindoctor/ldap.pw
  ldap: {bind_dn: "CN=svc-logindoctor,OU=Service,DC=corp,DC=example,DC=com", base_dn: "DC=corp,DC=example,DC=com"}
`
	s, err := load(t, yaml, map[string]string{"LOGINDOCTOR_ACCOUNT_LDAP_USER_FILTER": "(mail={user})"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := s.Target.Account
	if a.Provider != "ldap" || a.BaseURL != "ldaps://dc1.corp.example.com:636" || a.TokenFile != "/etc/logindoctor/ldap.pw" ||
		a.LDAP.BindDN != "CN=svc-logindoctor,OU=Service,DC=corp,DC=example,DC=com" || a.LDAP.BaseDN != "DC=corp,DC=example,DC=com" ||
		a.LDAP.UserFilter != "(mail={user})" {
		t.Errorf("account settings: %+v", a)
	}
}
