package account

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/idp"
)

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(good, []byte("file-secret-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(open, []byte("file-secret-2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(vals map[string]string) func(string) string {
		return func(k string) string { return vals[k] }
	}
	cases := []struct {
		name    string
		getenv  func(string) string
		cfg     checks.AccountConfig
		want    string
		wantErr bool
	}{
		{"default variable", env(map[string]string{DefaultTokenEnv: " env-secret "}), checks.AccountConfig{}, "env-secret", false},
		{"named variable wins over the file", env(map[string]string{"ACME": "acme"}), checks.AccountConfig{TokenEnv: "ACME", TokenFile: good}, "acme", false},
		{"file when the variable is empty", env(nil), checks.AccountConfig{TokenFile: good}, "file-secret-1", false},
		{"nothing set", env(nil), checks.AccountConfig{}, "", false},
		{"missing file", env(nil), checks.AccountConfig{TokenFile: filepath.Join(dir, "none")}, "", true},
		{"directory", env(nil), checks.AccountConfig{TokenFile: dir}, "", true},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct {
			name    string
			getenv  func(string) string
			cfg     checks.AccountConfig
			want    string
			wantErr bool
		}{"file others can read", env(nil), checks.AccountConfig{TokenFile: open}, "", true})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadSecret(c.getenv, c.cfg)
			if (err != nil) != c.wantErr || got != c.want {
				t.Fatalf("got %q, %v; want %q, error %v", got, err, c.want, c.wantErr)
			}
			if err != nil && (!errors.Is(err, ErrSecretFile) || strings.Contains(err.Error(), "file-secret")) {
				t.Errorf("error %q: not ErrSecretFile, or it quotes the file", err)
			}
		})
	}
}

// TestCheckReadsTokenFile proves the check itself takes the secret from
// account.token_file when no caller filled it in.
func TestCheckReadsTokenFile(t *testing.T) {
	s := startIDP(t, idp.Options{})
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(s.Token()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := accountCfg(s, "okta", "locked@example.com")
	cfg.TokenFile = path
	res := runCheck(t, cfg, "", 3*time.Second)
	if res.Code != CodeLocked {
		t.Fatalf("got %s (%s)", res.Code, res.Summary)
	}
}
