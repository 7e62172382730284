package proxyroute

import (
	"context"
	"errors"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/proxyroute/pac"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

func TestFindSystem(t *testing.T) {
	wpad := startPAC(t, proxy.PACConfig{Script: `function FindProxyForURL(u, h) { return "PROXY wpad-proxy.corp:8080"; }`})
	sysPAC := startPAC(t, proxy.PACConfig{Script: `function FindProxyForURL(u, h) { return u == "https://crm.example.test/" ? "PROXY pac-proxy.corp:3128" : "DIRECT"; }`})
	broken := startPAC(t, proxy.PACConfig{Script: `function FindProxyForURL(u, h) { return "BOGUS"; }`})
	tests := []struct {
		name     string
		sys      SystemSettings
		wpadURL  string
		vars     map[string]string
		proxy    string
		source   string
		rule     string
		wantErr  func(error) bool
		explicit checks.ProxyConfig
	}{
		{name: "manual https", sys: SystemSettings{From: "GNOME proxy settings", Proxies: map[string]string{"http": "h.corp:1", "https": "s.corp:2"}},
			proxy: "s.corp:2", source: checks.SourceSystem, rule: "GNOME proxy settings (https)"},
		{name: "manual one for all", sys: SystemSettings{From: "Windows Internet Settings", Proxies: map[string]string{"*": "all.corp:8080"}},
			proxy: "all.corp:8080", source: checks.SourceSystem, rule: "Windows Internet Settings (*)"},
		{name: "manual socks fallback", sys: SystemSettings{From: "macOS network settings", Proxies: map[string]string{"socks": "s.corp:1080"}},
			proxy: "s.corp:1080", source: checks.SourceSystem, rule: "macOS network settings (socks)"},
		{name: "manual http only: https goes direct", sys: SystemSettings{Proxies: map[string]string{"http": "h.corp:1"}},
			source: checks.SourceDirect},
		{name: "bypassed", sys: SystemSettings{From: "Windows Internet Settings", Proxies: map[string]string{"*": "p:1"}, Bypass: []string{"*.example.test"}},
			source: checks.SourceSystem, rule: "Windows Internet Settings: bypass *.example.test"},
		{name: "system PAC, path stripped for https", sys: SystemSettings{PACURL: sysPAC.URL()},
			proxy: "pac-proxy.corp:3128", source: checks.SourcePAC, rule: "PROXY pac-proxy.corp:3128"},
		{name: "WPAD found", sys: SystemSettings{AutoDetect: true, Proxies: map[string]string{"*": "manual:1"}}, wpadURL: wpad.URL(),
			proxy: "wpad-proxy.corp:8080", source: checks.SourcePAC, rule: "PROXY wpad-proxy.corp:8080"},
		{name: "WPAD absent: falls through to PAC", sys: SystemSettings{AutoDetect: true, PACURL: sysPAC.URL()},
			proxy: "pac-proxy.corp:3128", source: checks.SourcePAC},
		{name: "WPAD absent: falls through to manual", sys: SystemSettings{AutoDetect: true, Proxies: map[string]string{"*": "manual:1"}},
			proxy: "manual:1", source: checks.SourceSystem},
		{name: "WPAD broken is reported", sys: SystemSettings{AutoDetect: true}, wpadURL: broken.URL(),
			source: checks.SourcePAC, wantErr: func(err error) bool { var se *pac.ScriptError; return errors.As(err, &se) }},
		{name: "env before system", sys: SystemSettings{Proxies: map[string]string{"*": "manual:1"}}, vars: map[string]string{"HTTPS_PROXY": "env.corp:3128"},
			proxy: "env.corp:3128", source: checks.SourceEnv, rule: "HTTPS_PROXY"},
		{name: "NO_PROXY decides before system", sys: SystemSettings{Proxies: map[string]string{"*": "manual:1"}}, vars: map[string]string{"HTTPS_PROXY": "env.corp:3128", "NO_PROXY": "example.test"},
			source: checks.SourceEnv, rule: "NO_PROXY"},
		{name: "config before env", vars: map[string]string{"HTTPS_PROXY": "env.corp:3128"}, explicit: checks.ProxyConfig{URL: "cfg.corp:1"},
			proxy: "cfg.corp:1", source: checks.SourceConfig, rule: "proxy.url"},
		{name: "config PAC before env", vars: map[string]string{"HTTPS_PROXY": "env.corp:3128"}, explicit: checks.ProxyConfig{PACURL: sysPAC.URL()},
			proxy: "pac-proxy.corp:3128", source: checks.SourcePAC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFinder(tt.sys)
			if tt.wpadURL != "" {
				f.WPADURL = tt.wpadURL
			}
			env := testEnv(t, f, tt.vars, tt.explicit)
			r, err := f.Find(context.Background(), env, env.Target.URL)
			if tt.wantErr != nil {
				if !tt.wantErr(err) || r.Source != tt.source || !r.Direct() {
					t.Fatalf("Find = %+v, %v", r, err)
				}
				return
			}
			if err != nil || r.ProxyHost() != tt.proxy || r.Source != tt.source || (tt.rule != "" && r.Rule != tt.rule) {
				t.Fatalf("Find = %+v (%s), %v; want proxy %q source %s rule %q", r, r.String(), err, tt.proxy, tt.source, tt.rule)
			}
		})
	}
}

func TestUnreadableSystemSettingsMeanDirect(t *testing.T) {
	f := testFinder(SystemSettings{})
	f.System = SystemReaderFunc(func(context.Context, string) (SystemSettings, error) {
		return SystemSettings{}, errors.New("no registry")
	})
	env := testEnv(t, f, nil, checks.ProxyConfig{})
	if r, err := f.Find(context.Background(), env, env.Target.URL); err != nil || !r.Direct() {
		t.Fatalf("Find = %+v, %v", r, err)
	}
}

func TestOSReaderOtherOS(t *testing.T) {
	// Reading another system's settings never runs anything.
	if _, err := (OSReader{}).ReadProxySettings(context.Background(), "plan9"); !errors.Is(err, errNotThisOS) {
		t.Fatalf("err = %v", err)
	}
}

func TestPACArgURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@crm.example.test:8443/login?x=1#f": "https://crm.example.test:8443/",
		"http://crm.example.test/login?x=1#frag":        "http://crm.example.test/login?x=1",
		"HTTPS://CRM.Example.TEST/Login":                "https://crm.example.test/",
		"http://Crm.Example.TEST:8080/Login?X=1":        "http://crm.example.test:8080/Login?X=1",
	} {
		if got := pacArgURL(mustURL(t, in)); got != want {
			t.Errorf("pacArgURL(%s) = %s, want %s", in, got, want)
		}
	}
}
