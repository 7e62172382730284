package main

import (
	"sync"
	"testing"
)

// Concurrent probes of one module resolve its settings at once: viper must
// not rewrite the module's own keys (it lower-cases nested maps in place).
func TestModuleSettingsConcurrently(t *testing.T) {
	m := &module{Name: "office", keys: map[string]any{
		"check_timeout": "3s",
		"Clock":         map[string]any{"NTP_Servers": []any{"127.0.0.1:123"}},
	}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			s, err := m.settings("https://crm.example.com/login", `module "office"`)
			if err != nil {
				t.Error(err)
				return
			}
			if got := s.Target.Clock.NTPServers; len(got) != 1 || got[0] != "127.0.0.1:123" {
				t.Errorf("ntp servers %q", got)
			}
		})
	}
	wg.Wait()
	if _, ok := m.keys["Clock"].(map[string]any)["NTP_Servers"]; !ok {
		t.Errorf("the module's keys were rewritten: %v", m.keys)
	}
}
