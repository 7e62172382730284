package builtin

import "testing"

func TestRegistryIsValidAndInGuideOrder(t *testing.T) {
	r, err := Registry()
	if err != nil {
		t.Fatalf("built-in registry is invalid: %v", err)
	}
	want := []string{"clock.skew", "device.browsers", "dns.resolve", "proxy.route", "net.reach", "net.quality",
		"tls.certificate", "http.login", "account.status", "browser.page", "policy.hours", "policy.network"}
	got := r.IDs()
	if len(got) != len(want) {
		t.Fatalf("registry has %v, want the %d built-in checks", got, len(want))
	}
	last := -1
	for i, c := range r.Checks() {
		if got[i] != want[i] {
			t.Errorf("check %d is %s, want %s", i, got[i], want[i])
		}
		if idx := c.Info().Stage.Index(); idx < last {
			t.Errorf("%s (stage %s) comes after a later stage", got[i], c.Info().Stage)
		} else {
			last = idx
		}
	}
}

func TestDependenciesMatchDesign(t *testing.T) {
	want := map[string][]string{
		"net.reach":       {"proxy.route", "dns.resolve"},
		"net.quality":     {"net.reach"},
		"tls.certificate": {"net.reach"},
		"http.login":      {"tls.certificate"},
		"browser.page":    {"http.login"},
	}
	r, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Checks() {
		in := c.Info()
		w := want[in.ID]
		if len(in.DependsOn) != len(w) {
			t.Errorf("%s depends on %v, want %v", in.ID, in.DependsOn, w)
			continue
		}
		for i := range w {
			if in.DependsOn[i] != w[i] {
				t.Errorf("%s depends on %v, want %v", in.ID, in.DependsOn, w)
			}
		}
	}
}
