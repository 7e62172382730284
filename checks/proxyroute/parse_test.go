package proxyroute

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseWindows(t *testing.T) {
	one := uint32(1)
	dcs := func(flags byte) []byte { return []byte{0x46, 0, 0, 0, 5, 0, 0, 0, flags, 0, 0, 0} }
	tests := []struct {
		name string
		in   WindowsValues
		want SystemSettings
	}{
		{"nothing", WindowsValues{}, SystemSettings{}},
		{"one proxy", WindowsValues{ProxyEnable: 1, ProxyServer: "proxy.corp:8080"},
			SystemSettings{Proxies: map[string]string{"*": "proxy.corp:8080"}}},
		{"disabled proxy ignored", WindowsValues{ProxyEnable: 0, ProxyServer: "proxy.corp:8080"}, SystemSettings{}},
		{"per scheme", WindowsValues{ProxyEnable: 1, ProxyServer: "http=a:1;https=b:2;ftp=c:3;socks=d:4"},
			SystemSettings{Proxies: map[string]string{"http": "a:1", "https": "b:2", "ftp": "c:3", "socks": "d:4"}}},
		{"scheme prefix", WindowsValues{ProxyEnable: 1, ProxyServer: "http://proxy.corp:80/"},
			SystemSettings{Proxies: map[string]string{"*": "proxy.corp:80"}}},
		{"override with local", WindowsValues{ProxyEnable: 1, ProxyServer: "p:1", ProxyOverride: "*.corp.example; <local>;10.*"},
			SystemSettings{Proxies: map[string]string{"*": "p:1"}, Bypass: []string{"*.corp.example", "10.*"}, BypassLocal: true}},
		{"pac", WindowsValues{AutoConfigURL: " http://pac.corp/proxy.pac "}, SystemSettings{PACURL: "http://pac.corp/proxy.pac"}},
		{"autodetect dword", WindowsValues{AutoDetect: &one}, SystemSettings{AutoDetect: true}},
		{"autodetect connection flags", WindowsValues{DefaultConnectionSettings: dcs(0x09)}, SystemSettings{AutoDetect: true}},
		{"no autodetect in flags", WindowsValues{DefaultConnectionSettings: dcs(0x03)}, SystemSettings{}},
		{"short blob", WindowsValues{DefaultConnectionSettings: []byte{1, 2}}, SystemSettings{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseWindows(tt.in)
			tt.want.From = "Windows Internet Settings"
			if len(got.Proxies) == 0 {
				got.Proxies = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

const scutilSample = `<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
    2 : crm.example.com
  }
  ExcludeSimpleHostnames : 1
  FTPPassive : 1
  HTTPEnable : 1
  HTTPPort : 3128
  HTTPProxy : proxy.corp.example
  HTTPSEnable : 1
  HTTPSPort : 3129
  HTTPSProxy : proxy.corp.example
  ProxyAutoConfigEnable : 0
  ProxyAutoConfigURLString : http://pac.corp.example/proxy.pac
  ProxyAutoDiscoveryEnable : 0
  SOCKSEnable : 0
  __SCOPED__ : <dictionary> {
    en0 : <dictionary> {
      HTTPEnable : 0
      HTTPSProxy : other.example
    }
  }
}`

func TestParseScutil(t *testing.T) {
	got := parseScutil(scutilSample)
	want := SystemSettings{
		From:        "macOS network settings",
		Proxies:     map[string]string{"http": "proxy.corp.example:3128", "https": "proxy.corp.example:3129"},
		Bypass:      []string{"*.local", "169.254/16", "crm.example.com"},
		BypassLocal: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	pac := parseScutil("<dictionary> {\n  ProxyAutoConfigEnable : 1\n  ProxyAutoConfigURLString : http://pac/x.pac\n  ProxyAutoDiscoveryEnable : 1\n}")
	if pac.PACURL != "http://pac/x.pac" || !pac.AutoDetect || len(pac.Proxies) != 0 {
		t.Errorf("pac settings: %+v", pac)
	}
	if s := parseScutil("garbage\n}}}\n{{{"); s.PACURL != "" || len(s.Proxies) != 0 {
		t.Errorf("garbage gave %+v", s)
	}
}

func TestParseGsettings(t *testing.T) {
	manual := `org.gnome.system.proxy autoconfig-url ''
org.gnome.system.proxy ignore-hosts ['localhost', '127.0.0.0/8', '::1', '*.corp.example']
org.gnome.system.proxy mode 'manual'
org.gnome.system.proxy use-same-proxy true
org.gnome.system.proxy.ftp host ''
org.gnome.system.proxy.ftp port 0
org.gnome.system.proxy.http host 'proxy.corp.example'
org.gnome.system.proxy.http port 3128
org.gnome.system.proxy.https host 'secure.corp.example'
org.gnome.system.proxy.https port 3129
org.gnome.system.proxy.socks host ''
org.gnome.system.proxy.socks port 0
`
	tests := []struct {
		name, in string
		want     SystemSettings
	}{
		{"manual", manual, SystemSettings{
			Proxies: map[string]string{"http": "proxy.corp.example:3128", "https": "secure.corp.example:3129"},
			Bypass:  []string{"localhost", "127.0.0.0/8", "::1", "*.corp.example"}}},
		{"auto with url", "org.gnome.system.proxy mode 'auto'\norg.gnome.system.proxy autoconfig-url 'http://pac.corp/p.pac'\n",
			SystemSettings{Proxies: map[string]string{}, PACURL: "http://pac.corp/p.pac"}},
		{"auto without url is wpad", "org.gnome.system.proxy mode 'auto'\norg.gnome.system.proxy autoconfig-url ''\n",
			SystemSettings{Proxies: map[string]string{}, AutoDetect: true}},
		{"none", strings.Replace(manual, "'manual'", "'none'", 1), SystemSettings{Proxies: map[string]string{}}},
		{"empty", "", SystemSettings{Proxies: map[string]string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.From = "GNOME proxy settings"
			if tt.want.Proxies == nil {
				tt.want.Proxies = map[string]string{}
			}
			if got := parseGsettings(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestGVariant(t *testing.T) {
	if got := gvStrings(`@as []`); len(got) != 0 {
		t.Errorf("@as [] = %q", got)
	}
	if got := gvStrings(`['a', "it's", 'x\'y']`); !reflect.DeepEqual(got, []string{"a", "it's", "x'y"}) {
		t.Errorf("got %q", got)
	}
	if gvString("'unterminated") != "" || gvString("42") != "" {
		t.Error("bad literals must decode to empty")
	}
	if gvInt("uint32 8080") != 8080 || gvInt("99999") != 0 || gvInt("") != 0 {
		t.Error("gvInt")
	}
}

func TestBypassed(t *testing.T) {
	patterns := []string{"*.corp.example", ".intra.example", "exact.example", "10.0.0.0/8", "169.254/16", "https://*.svc.example:443", "[::1]", "192.168.*"}
	tests := []struct {
		host  string
		local bool
		want  bool
	}{
		{"crm.corp.example", false, true},
		{"corp.example", false, true},
		{"a.b.intra.example", false, true},
		{"intra.example", false, true},
		{"exact.example", false, true},
		{"sub.exact.example", false, false},
		{"10.1.2.3", false, true},
		{"11.1.2.3", false, false},
		{"169.254.3.4", false, true},
		{"x.svc.example", false, true},
		{"::1", false, true},
		{"192.168.1.9", false, true},
		{"crm.example.com", false, false},
		{"intranet", true, true},
		{"intranet", false, false},
		{"CRM.Corp.Example.", false, true},
	}
	for _, tt := range tests {
		if _, got := bypassed(tt.host, tt.local, patterns); got != tt.want {
			t.Errorf("bypassed(%q, %v) = %v, want %v", tt.host, tt.local, got, tt.want)
		}
	}
	if rule, ok := bypassed("intranet", false, []string{"<local>"}); !ok || rule != "<local>" {
		t.Errorf("<local> pattern: %q %v", rule, ok)
	}
}

func TestParseProxyURL(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "proxy.corp:3128", want: "http://proxy.corp:3128"},
		{in: "http://u:p@proxy.corp:3128/", want: "http://u:p@proxy.corp:3128"},
		{in: "HTTPS://proxy.corp", want: "https://proxy.corp"},
		{in: "socks5://s.corp", want: "socks5://s.corp:1080"},
		{in: "socks://s.corp:1081", want: "socks5://s.corp:1081"},
		{in: "ftp://x.corp:21", bad: true},
		{in: "http://", bad: true},
		{in: "http://u:CANARY-pw@host:99999x", bad: true},
		{in: "http://u:CANARY-pw@[::1", bad: true},
	}
	for _, tt := range tests {
		u, err := parseProxyURL("HTTPS_PROXY", tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("%q: no error", tt.in)
			} else if strings.Contains(err.Error(), "CANARY") || !strings.Contains(err.Error(), "HTTPS_PROXY") {
				t.Errorf("%q: error %q must name the setting and not quote it", tt.in, err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("%q: %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}

func TestEnvRoute(t *testing.T) {
	https, _ := url.Parse("https://crm.example.com/login")
	plain, _ := url.Parse("http://crm.example.com/login")
	local, _ := url.Parse("https://localhost:8443/")
	loopbackIP, _ := url.Parse("https://127.0.0.1:8443/login")
	tests := []struct {
		name   string
		vars   map[string]string
		u      *url.URL
		ok     bool
		proxy  string
		rule   string
		hasErr bool
	}{
		{"unset", nil, https, false, "", "", false},
		{"https", map[string]string{"HTTPS_PROXY": "p.corp:3128"}, https, true, "p.corp:3128", "HTTPS_PROXY", false},
		{"lower case", map[string]string{"https_proxy": "http://p.corp:3128"}, https, true, "p.corp:3128", "https_proxy", false},
		{"upper wins", map[string]string{"HTTPS_PROXY": "a:1", "https_proxy": "b:2"}, https, true, "a:1", "HTTPS_PROXY", false},
		{"only http set for https", map[string]string{"HTTP_PROXY": "p.corp:3128"}, https, false, "", "", false},
		{"http", map[string]string{"HTTP_PROXY": "p.corp:3128"}, plain, true, "p.corp:3128", "HTTP_PROXY", false},
		{"no_proxy domain", map[string]string{"HTTPS_PROXY": "p:1", "NO_PROXY": ".example.com"}, https, true, "", "NO_PROXY", false},
		{"no_proxy other", map[string]string{"HTTPS_PROXY": "p:1", "no_proxy": "other.com"}, https, true, "p:1", "HTTPS_PROXY", false},
		{"no_proxy star", map[string]string{"HTTPS_PROXY": "p:1", "NO_PROXY": "*"}, https, true, "", "NO_PROXY", false},
		{"localhost takes the proxy", map[string]string{"HTTPS_PROXY": "p:1"}, local, true, "p:1", "HTTPS_PROXY", false},
		{"localhost in no_proxy", map[string]string{"HTTPS_PROXY": "p:1", "NO_PROXY": "localhost,127.0.0.1"}, local, true, "", "NO_PROXY", false},
		{"loopback in no_proxy cidr", map[string]string{"HTTPS_PROXY": "p:1", "NO_PROXY": "127.0.0.0/8"}, loopbackIP, true, "", "NO_PROXY", false},
		{"loopback takes the proxy", map[string]string{"HTTPS_PROXY": "p:1", "NO_PROXY": "example.com"}, loopbackIP, true, "p:1", "HTTPS_PROXY", false},
		{"invalid", map[string]string{"HTTPS_PROXY": "gopher://x"}, https, true, "", "HTTPS_PROXY", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok, err := envRoute(func(k string) string { return tt.vars[k] }, tt.u)
			if ok != tt.ok || (err != nil) != tt.hasErr || r.ProxyHost() != tt.proxy || (ok && r.Rule != tt.rule) {
				t.Fatalf("got %+v ok=%v err=%v; want proxy %q rule %q ok=%v err=%v", r, ok, err, tt.proxy, tt.rule, tt.ok, tt.hasErr)
			}
		})
	}
}
