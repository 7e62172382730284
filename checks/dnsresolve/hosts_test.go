package dnsresolve

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
)

func TestParseHosts(t *testing.T) {
	tests := []struct {
		name, text, host string
		want             []string
	}{
		{"unix", "127.0.0.1 localhost\n10.0.0.5 crm.example.com crm # office\n", "crm", []string{"10.0.0.5"}},
		{"windows crlf bom tabs", "\ufeff# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\r\n\t10.0.0.5\tCRM.Example.com\r\n", "crm.example.com", []string{"10.0.0.5"}},
		{"both families, dedup", "10.0.0.5 crm.example.com\nfd00::5 crm.example.com.\n10.0.0.5 crm.example.com\n", "crm.example.com", []string{"10.0.0.5", "fd00::5"}},
		{"blocked by 0.0.0.0", "0.0.0.0 crm.example.com\n", "crm.example.com", []string{"0.0.0.0"}},
		{"commented out", "# 10.0.0.5 crm.example.com\n", "crm.example.com", nil},
		{"garbage lines", "not-an-ip crm.example.com\n10.0.0.5\n::ffff:10.0.0.6 crm.example.com\n", "crm.example.com", []string{"10.0.0.6"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := parseHosts(strings.NewReader(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			got := addrStrings(tab[tc.host])
			if len(got) == 0 {
				got = nil
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("%s: got %v, want %v", tc.host, got, tc.want)
			}
		})
	}
}

func TestReadHostsMissingFile(t *testing.T) {
	tab, err := readHosts(filepath.Join(t.TempDir(), "nope"))
	if err != nil || len(tab) != 0 {
		t.Fatalf("missing file: %v, %v", tab, err)
	}
}

func TestFactsForReach(t *testing.T) {
	s := setup{url: "https://crm.test/", endpoints: []string{"intra.test:8443"},
		zone: dnsserver.Zone{
			"crm.test":   dnsserver.Addrs("192.0.2.10", "2001:db8::10"),
			"intra.test": dnsserver.Addrs("10.1.2.3"),
		}}
	res := s.run(t)
	f, ok := res.Data.(Facts)
	if !ok {
		t.Fatalf("Data is %T", res.Data)
	}
	crm, ok := f.Lookup("CRM.test")
	if !ok || crm.Role != RoleLogin || !crm.HasA || !crm.HasAAAA || crm.Private || !crm.Resolved() || crm.Route != "direct" {
		t.Fatalf("crm facts: %+v", crm)
	}
	in, ok := f.Lookup("intra.test")
	if !ok || in.Role != RoleEndpoint || !in.Private || !in.Internal || in.HasAAAA || in.Addrs[0] != netip.MustParseAddr("10.1.2.3") {
		t.Fatalf("intra facts: %+v", in)
	}
	if f.Hosts[0].Host != "crm.test" {
		t.Fatalf("login host must come first: %+v", f.Hosts)
	}
}
