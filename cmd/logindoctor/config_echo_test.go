package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigErrorDoesNotEchoTheFile: `--config` pointed at a file that is
// not a profile (here: fake /etc/shadow lines and other YAML accidents that
// carry a secret) is exit 2, and neither stdout nor stderr repeats the
// secret, whether the parser sees keys, a scalar or broken YAML.
func TestConfigErrorDoesNotEchoTheFile(t *testing.T) {
	const secret = "SECRETHASH"
	files := map[string]string{
		"shadow lines":        "root:$6$SECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
		"shadow line as key":  "root:$6$SECRETHASH: 19000\n",
		"one scalar":          "SECRETHASH\n",
		"broken yaml":         "url: https://a.example\n  bad: [SECRETHASH\n",
		"unknown anchor":      "url: *SECRETHASH\n",
		"control characters":  "\"SECRETHASH\\u001b[2J\": 1\n",
		"long key":            strings.Repeat("a", 70) + "secrethash: 1\n",
		"list of secrets":     "- SECRETHASH\n",
		"tab after a key":     "url: https://a.example\nSECRETHASH:\tx\n\tother: y\n",
		"duplicate of a hash": "root: x\nroot: SECRETHASH\n",
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shadow")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, map[string]string{"LANG": "C"}, "--config", path, "https://127.0.0.1:1/")
			if code != exitUsage {
				t.Errorf("exit %d, want 2", code)
			}
			for _, s := range []string{out, errOut} {
				if strings.Contains(strings.ToLower(s), strings.ToLower(secret)) {
					t.Errorf("the output repeats the file's content (%d bytes of output)", len(s))
				}
			}
			if !strings.Contains(errOut, path) {
				t.Errorf("the error does not name the file: %q", strings.ReplaceAll(errOut, secret, "<secret>"))
			}
		})
	}
}

// TestConfigErrorStillNamesARealKey: a misspelt setting is still quoted.
func TestConfigErrorStillNamesARealKey(t *testing.T) {
	for _, k := range []string{"bogus", "clock.max_skw"} {
		if got := quoteKeyName(k); got != `"`+k+`"` {
			t.Errorf("quoteKeyName(%q) = %s", k, got)
		}
	}
}
