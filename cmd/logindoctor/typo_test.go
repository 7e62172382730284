package main

import "testing"

func TestNearCommand(t *testing.T) {
	cmds := []string{"check", "smoke", "demo", "list", "report", "version", "completion", "help"}
	for arg, want := range map[string]string{
		"lsit": "list", "lst": "list", "demp": "demo", "smokee": "smoke", "chek": "check", "verison": "version",
		"crm": "", "list": "", "crm.example.com": "", "intranet": "", "sso": "", "li": "", "dem.o": "",
	} {
		if got := nearCommand(arg, cmds); got != want {
			t.Errorf("nearCommand(%q) = %q, want %q", arg, got, want)
		}
	}
}

func TestAddressProblem(t *testing.T) {
	for raw, want := range map[string]string{
		"https//crm.example.com/login": "cli.url.scheme_typo",
		"htps://crm.example.com":       "cli.url.scheme_typo",
		"http:/crm":                    "cli.url.scheme_typo",
		"hhttps://crm":                 "cli.url.scheme_typo",
		"crm example com":              "cli.url.spaces",
		"ftp://crm.example.com":        "cli.url.scheme",
		"crm:99999":                    "cli.url.bad_port",
		"https://":                     "cli.url.no_host",
		"crm":                          "",
		"crm:8443/login":               "",
		"https://crm.example.com":      "",
		"http://10.0.0.5:8080/x":       "",
		"hr-portal/login":              "",
		"host:8080":                    "",
	} {
		if got, _ := addressProblem(raw); got != want {
			t.Errorf("addressProblem(%q) = %q, want %q", raw, got, want)
		}
	}
	if _, p := addressProblem("https//crm.example.com/login"); p["fix"] != "https://crm.example.com/login" {
		t.Errorf("fix = %v", p["fix"])
	}
}
