package main

import (
	"testing"
)

// TestEveryKeyHasAResolveStep keeps the two lists of config.go in step: a
// key that is declared (and so accepted in files and LOGINDOCTOR_* variables)
// but never resolved would be silently ignored, and a step without a
// declared key could never be set.
func TestEveryKeyHasAResolveStep(t *testing.T) {
	steps := newLoader(func(string) string { return "" }, nil).steps(&settings{})
	if len(steps) != len(configKeys) {
		t.Errorf("%d declared keys, %d resolve steps", len(configKeys), len(steps))
	}
	stepKeys := map[string]bool{}
	for _, st := range steps {
		if stepKeys[st.key] {
			t.Errorf("two resolve steps for %s", st.key)
		}
		stepKeys[st.key] = true
	}
	for _, k := range configKeys {
		if !stepKeys[k.key] {
			t.Errorf("config key %s is declared but has no resolve step", k.key)
		}
		delete(stepKeys, k.key)
	}
	for k := range stepKeys {
		t.Errorf("resolve step for %s, which is not a declared key", k)
	}
}
