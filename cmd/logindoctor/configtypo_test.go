package main

import (
	"strings"
	"testing"
)

func TestUnknownConfigKeySuggestsTheKnownOne(t *testing.T) {
	for key, want := range map[string]string{
		"tls:\n  warn_day: 3\n":       "did you mean tls.warn_days?",
		"clock:\n  max_skw: 30s\n":    "did you mean clock.max_skew?",
		"tls:\n  something_else: 3\n": "known keys",
		"check_timout: 5s\n":          "did you mean check_timeout?",
	} {
		cfg := writeConfig(t, []byte(key))
		code, _, errOut := runCLI(t, map[string]string{}, "https://127.0.0.1:1/", "--config", cfg)
		if code != exitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%q: exit %d, want 2 and %q:\n%s", key, code, want, errOut)
		}
	}
}
