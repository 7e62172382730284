package main

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzConfigLoad feeds the profile loader arbitrary bytes, as `--config`
// would: it must never panic, every refusal must be a usage error (exit 2),
// and whatever it accepts must be usable settings.
func FuzzConfigLoad(f *testing.F) {
	for _, s := range []string{
		"", "# only a comment\n", "url: https://crm.example.com/login\n", "url: crm.example.com\n",
		"url: https://crm.example.com\ntimeout: 5s\ncheck_timeout: 1s\nclock: {ntp_servers: [127.0.0.1:123], max_skew: 10s}\n",
		`url: https://crm.example.com/login
endpoints: [sso.example.com:443]
regions: [https://eu.crm.example.com/login]
dns: {reference_resolvers: ["127.0.0.1:5353"]}
proxy: {url: "http://user:pw@proxy.example.com:3128", pac_url: "http://wpad.example.com/proxy.pac"}
tls: {warn_days: 14, expected_issuers: [DigiCert]}
http: {slow_after: 2s}
browser: {path: /usr/bin/chromium, login_form_selector: "#password", min_versions: {chrome: 120}, exclude: [ie]}
account: {provider: generic, base_url: "https://crm.example.com", user: zhangsan, token_env: CRM_TOKEN,
  generic: {url: "https://crm.example.com/api/users/{user}", status_path: data.status, states: {"0": disabled, "1": active}}}
policy: {login_hours: "Mon-Fri 08:00-20:00 Asia/Shanghai", allowed_networks: [203.0.113.0/24], egress_ip_url: "https://ip.example.com"}
`,
		"url: [a, b]\n", "url: {a: b}\n", "url: https:///x\n", "clock: 5\n", "timeout: [1s]\n", "tls: {warn_days: 2.5}\n",
		"account: {provider: keycloak}\n", "policy: {login_hours: whenever}\n", "endpoints: 443\n", "- a\n- b\n",
		"a: &a [x, x]\nb: [*a, *a]\n", "url: \"\\u0000\"\n", "\xef\xbb\xbfurl: https://a.example\n", "url: !!binary aGVsbG8=\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := os.CreateTemp(dir, "profile-*.yaml")
		if err != nil {
			t.Fatal(err)
		}
		path := file.Name()
		defer os.Remove(path)
		_, werr := file.Write(data)
		if cerr := file.Close(); werr != nil || cerr != nil {
			t.Fatal(werr, cerr)
		}
		l := newLoader(func(string) string { return "" }, nil)
		err = l.readFile(path)
		if err == nil {
			err = l.bindEnv()
		}
		var s *settings
		if err == nil {
			s, err = l.resolve()
		}
		if err != nil {
			if code := exitCode(err); code != exitUsage {
				t.Fatalf("refusal %q is exit %d, want 2", err, code)
			}
			return
		}
		if s.Timeout <= 0 || s.CheckTimeout <= 0 || s.Target.Clock.MaxSkew <= 0 || s.Target.HTTP.SlowAfter <= 0 || s.Target.TLS.WarnDays < 0 {
			t.Fatalf("accepted settings are not usable: %+v", s)
		}
		if u := s.Target.URL; u != nil && (u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http")) {
			t.Fatalf("accepted url %q", u)
		}
		if filepath.IsAbs(s.Target.CAFile) {
			if _, err := os.Stat(s.Target.CAFile); err != nil {
				t.Fatalf("accepted a ca_file that does not exist: %q", s.Target.CAFile)
			}
		}
	})
}
