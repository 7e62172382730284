package checks

import (
	"strings"
	"testing"
)

func TestNewRegistryRejects(t *testing.T) {
	tests := []struct {
		name   string
		checks []Check
		want   string
	}{
		{"empty id", []Check{fake("", nil, passing)}, "empty ID"},
		{"duplicate", []Check{fake("a", nil, passing), fake("a", nil, passing)}, `duplicate check ID "a"`},
		{"unknown dep", []Check{fake("a", []string{"nope"}, passing)}, `unknown check "nope"`},
		{"self cycle", []Check{fake("a", []string{"a"}, passing)}, "cycle: a → a"},
		{"cycle", []Check{fake("a", []string{"c"}, passing), fake("b", []string{"a"}, passing), fake("c", []string{"b"}, passing)}, "cycle"},
		{"bad stage", []Check{&fakeCheck{info: Info{ID: "x", Stage: "moon"}}}, `unknown stage "moon"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRegistry(tc.checks...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewRegistry error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	r, err := NewRegistry(fake("dns.resolve", nil, passing), fake("net.reach", []string{"dns.resolve"}, passing), fake("tls.certificate", []string{"net.reach"}, passing))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		only, skip []string
		want       string
		err        string
	}{
		{nil, nil, "dns.resolve,net.reach,tls.certificate", ""},
		{[]string{"tls.certificate"}, nil, "tls.certificate", ""},
		{[]string{"net.*", "dns.resolve"}, nil, "dns.resolve,net.reach", ""},
		{nil, []string{"net.reach"}, "dns.resolve,tls.certificate", ""},
		{[]string{"network"}, []string{"dns.*"}, "net.reach,tls.certificate", ""},
		{[]string{"bogus"}, nil, "", `--only: unknown check "bogus"`},
		{nil, []string{"bogus"}, "", `--skip: unknown check "bogus"`},
	}
	for _, tc := range tests {
		got, err := r.Select(tc.only, tc.skip)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Select(%v,%v) err = %v, want %q", tc.only, tc.skip, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tc.want {
			t.Errorf("Select(%v,%v) = %v, %v; want %s", tc.only, tc.skip, got, err, tc.want)
		}
	}
}
