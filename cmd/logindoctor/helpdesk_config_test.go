package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/viper"
)

// TestHelpdeskConfig: helpdesk.upload_url is an https:// inbox (http://
// only on this machine), without credentials, query or fragment; it needs
// helpdesk.token_env, a variable's name, whose value is the token.
func TestHelpdeskConfig(t *testing.T) {
	for _, c := range []struct {
		yaml, want string
	}{
		{"helpdesk:\n  upload_url: https://helpdesk.example.com:9716\n  token_env: LD_UPLOAD\n", "https://helpdesk.example.com:9716/api/v1/reports"},
		{"helpdesk:\n  upload_url: https://helpdesk.example.com/ld/\n  token_env: LD_UPLOAD\n", "https://helpdesk.example.com/ld/api/v1/reports"},
		{"helpdesk:\n  upload_url: https://h.example.com/api/v1/reports\n  token_env: LD_UPLOAD\n", "https://h.example.com/api/v1/reports"},
		{"helpdesk:\n  upload_url: http://127.0.0.1:9716\n  token_env: LD_UPLOAD\n", "http://127.0.0.1:9716/api/v1/reports"},
		{"helpdesk:\n  upload_url: http://[::1]:9716\n  token_env: LD_UPLOAD\n", "http://[::1]:9716/api/v1/reports"},
		{"helpdesk:\n  upload_url: http://localhost:9716\n  token_env: LD_UPLOAD\n", "http://localhost:9716/api/v1/reports"},
		{"helpdesk:\n  token_env: LD_UPLOAD\n", ""},
	} {
		s, err := load(t, "url: crm.example.com\n"+c.yaml, map[string]string{"LD_UPLOAD": "secret-upload-token-1234"}, nil)
		if err != nil {
			t.Errorf("%q: %v", c.yaml, err)
			continue
		}
		if s.Helpdesk.UploadURL != c.want || s.Helpdesk.TokenEnv != "LD_UPLOAD" {
			t.Errorf("%q: upload_url %q token_env %q, want %q LD_UPLOAD", c.yaml, s.Helpdesk.UploadURL, s.Helpdesk.TokenEnv, c.want)
		}
	}
	for _, c := range []struct{ yaml, key, says string }{
		{"helpdesk:\n  upload_url: http://helpdesk.example.com\n  token_env: X\n", "helpdesk.upload_url", "https://"},
		{"helpdesk:\n  upload_url: http://10.0.0.5:9716\n  token_env: X\n", "helpdesk.upload_url", "https://"},
		{"helpdesk:\n  upload_url: ftp://helpdesk.example.com\n  token_env: X\n", "helpdesk.upload_url", "scheme"},
		{"helpdesk:\n  upload_url: https://u:pw@helpdesk.example.com\n  token_env: X\n", "helpdesk.upload_url", "password"},
		{"helpdesk:\n  upload_url: https://helpdesk.example.com/?token=abc\n  token_env: X\n", "helpdesk.upload_url", "query"},
		{"helpdesk:\n  upload_url: not a url\n  token_env: X\n", "helpdesk.upload_url", "web address"},
		{"helpdesk:\n  upload_url: https://helpdesk.example.com\n", "helpdesk.token_env", "environment variable"},
		{"helpdesk:\n  upload_url: https://helpdesk.example.com\n  token_env: 0123456789abcdef-token\n", "helpdesk.token_env", "not the token itself"},
		{"helpdesk:\n  upload_url: [a, b]\n  token_env: X\n", "helpdesk.upload_url", ""},
	} {
		_, err := load(t, "url: crm.example.com\n"+c.yaml, nil, nil)
		if err == nil || !strings.Contains(err.Error(), c.key) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%q: error %v, want one naming %s and saying %q", c.yaml, err, c.key, c.says)
		}
	}
}

// TestHelpdeskTokenEnvMayBeALogindoctorVariable: the variable helpdesk.token_env
// names is not an unknown LOGINDOCTOR_* variable, and the keys come from
// the environment too.
func TestHelpdeskTokenEnvMayBeALogindoctorVariable(t *testing.T) {
	env := map[string]string{
		"LOGINDOCTOR_HELPDESK_UPLOAD_URL": "https://helpdesk.example.com",
		"LOGINDOCTOR_HELPDESK_TOKEN_ENV":  "LOGINDOCTOR_UPLOAD_TOKEN",
		"LOGINDOCTOR_UPLOAD_TOKEN":        "secret-upload-token-1234",
	}
	s, err := load(t, "url: crm.example.com\n", env, nil)
	if err != nil {
		t.Fatal(err)
	}
	readHelpdeskToken(s, func(k string) string { return env[k] })
	if s.Helpdesk.UploadURL != "https://helpdesk.example.com/api/v1/reports" || s.Helpdesk.Token != env["LOGINDOCTOR_UPLOAD_TOKEN"] {
		t.Errorf("helpdesk settings from the environment: url %q, token read: %v", s.Helpdesk.UploadURL, s.Helpdesk.Token != "")
	}
}

// TestHelpdeskTokenIsRedacted: the redactor scrubs the upload token in the
// forms a server may echo it.
func TestHelpdeskTokenIsRedacted(t *testing.T) {
	const token = "upload-secret-TOKEN-0123456789"
	s := &settings{Helpdesk: helpdeskSettings{UploadURL: "https://h.example.com/api/v1/reports", TokenEnv: "X", Token: token}}
	red := newRedactor(s, func(string) string { return "" })
	out := string(red.scrub([]byte("got Bearer " + token + " / dXBsb2Fk " + "YmVhcmVy")))
	if strings.Contains(out, token) || strings.Contains(out, "TOKEN-0123") {
		t.Errorf("upload token not scrubbed") // never print the output: it may hold the token
	}
}

// TestREADMEConfigBlockHasEveryKey: the README's configuration block shows
// every declared key (and so the helpdesk.* keys a profile may set).
func TestREADMEConfigBlockHasEveryKey(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "\n## Configuration\n")
	if !ok {
		t.Fatal("README has no Configuration section")
	}
	_, block, ok := strings.Cut(after, "```yaml\n")
	if block, _, ok = strings.Cut(block, "```"); !ok {
		t.Fatal("README's Configuration section has no yaml block")
	}
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(strings.NewReader(block)); err != nil {
		t.Fatalf("README's config block is not YAML: %v", err)
	}
	for _, k := range configKeys {
		if !v.IsSet(k.key) {
			t.Errorf("README's config block does not show %s", k.key)
		}
	}
}
