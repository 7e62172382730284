package proxyroute

import (
	"reflect"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

// TestAuthSchemes: PROXY_AUTH_REQUIRED names the schemes the proxy offers;
// a proxy that offers only Negotiate and NTLM signs in Windows accounts,
// so the fix is the windows_sso variant (a domain PC or IT), even when a
// password was set for it.
func TestAuthSchemes(t *testing.T) {
	crm := startCRM(t)
	tests := []struct {
		name    string
		cfg     proxy.Config
		withPW  bool
		variant string
		owner   checks.Owner
		schemes []string
	}{
		{"Negotiate and NTLM", proxy.Config{AuthSchemes: []string{"Negotiate", "NTLM"}}, false, VariantWindowsSSO, checks.OwnerIT, []string{"Negotiate", "NTLM"}},
		{"NTLM refuses a password too", proxy.Config{AuthSchemes: []string{"NTLM"}}, true, VariantWindowsSSO, checks.OwnerIT, []string{"NTLM"}},
		{"Basic beside Negotiate takes a password", proxy.Config{User: "alice", Password: "pw", AuthSchemes: []string{"Negotiate", `basic realm="corp"`}}, false,
			VariantCredentialsMissing, checks.OwnerYou, []string{"Negotiate", "Basic"}},
		{"Basic only", proxy.Config{User: "alice", Password: "pw"}, false, VariantCredentialsMissing, checks.OwnerYou, []string{"Basic"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := startProxy(t, tc.cfg, crm)
			u := p.URL()
			if tc.withPW {
				u = p.URLWithAuth("alice", canary)
			}
			r := run(t, testEnv(t, testFinder(SystemSettings{}), map[string]string{"HTTPS_PROXY": u.String()}, checks.ProxyConfig{}))
			if r.Code != CodeAuthRequired || r.Variant != tc.variant || r.Owner != tc.owner {
				t.Fatalf("got %s variant %q owner %s: %s", r.Code, r.Variant, r.Owner, r.Summary)
			}
			if got := r.Evidence["auth_schemes"]; !reflect.DeepEqual(got, tc.schemes) {
				t.Errorf("auth_schemes = %v, want %v", got, tc.schemes)
			}
			if want := strings.Join(tc.schemes, ", "); r.Params["schemes"] != want {
				t.Errorf("schemes param = %q, want %q", r.Params["schemes"], want)
			}
			if (r.Params["windows"] == "yes") != (tc.variant == VariantWindowsSSO) {
				t.Errorf("windows param = %q for variant %q", r.Params["windows"], r.Variant)
			}
			if r.Params["env_var"] != "HTTPS_PROXY" {
				t.Errorf("env_var = %q", r.Params["env_var"])
			}
		})
	}
}

// TestProfileProxyCredentialsComeFromTheEnvironment: a proxy.url from the
// profile gets its password through LOGINDOCTOR_PROXY_URL, never the file.
func TestProfileProxyCredentialsComeFromTheEnvironment(t *testing.T) {
	p := startProxy(t, proxy.Config{User: "alice", Password: "pw"}, startCRM(t))
	r := run(t, testEnv(t, testFinder(SystemSettings{}), nil, checks.ProxyConfig{URL: p.URL().String()}))
	if r.Variant != VariantCredentialsMissing || r.Params["env_var"] != "LOGINDOCTOR_PROXY_URL" {
		t.Errorf("variant %q env_var %q", r.Variant, r.Params["env_var"])
	}
}
