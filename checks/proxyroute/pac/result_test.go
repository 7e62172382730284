package pac

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseResult(t *testing.T) {
	tests := []struct {
		in   string
		want []Proxy
		bad  string // substring of the error, "" when valid
	}{
		{in: "DIRECT", want: []Proxy{{Kind: "DIRECT"}}},
		{in: "  direct ", want: []Proxy{{Kind: "DIRECT"}}},
		{in: "PROXY proxy.corp:3128", want: []Proxy{{"PROXY", "proxy.corp:3128"}}},
		{in: "PROXY proxy.corp:3128; DIRECT", want: []Proxy{{"PROXY", "proxy.corp:3128"}, {Kind: "DIRECT"}}},
		{in: "PROXY a:1;PROXY b:2;", want: []Proxy{{"PROXY", "a:1"}, {"PROXY", "b:2"}}},
		{in: "HTTPS secure.corp:8443", want: []Proxy{{"HTTPS", "secure.corp:8443"}}},
		{in: "HTTP p:8080", want: []Proxy{{"HTTP", "p:8080"}}},
		{in: "SOCKS s:1080", want: []Proxy{{"SOCKS", "s:1080"}}},
		{in: "SOCKS4 s:1081; SOCKS5 s:1082", want: []Proxy{{"SOCKS4", "s:1081"}, {"SOCKS5", "s:1082"}}},
		{in: "PROXY proxy.corp", want: []Proxy{{"PROXY", "proxy.corp:80"}}},
		{in: "HTTPS proxy.corp", want: []Proxy{{"HTTPS", "proxy.corp:443"}}},
		{in: "SOCKS5 10.0.0.1", want: []Proxy{{"SOCKS5", "10.0.0.1:1080"}}},
		{in: "PROXY [2001:db8::1]:3128", want: []Proxy{{"PROXY", "[2001:db8::1]:3128"}}},
		{in: "PROXY [2001:db8::1]", want: []Proxy{{"PROXY", "[2001:db8::1]:80"}}},
		{in: "proxy p_1.corp:3128", want: []Proxy{{"PROXY", "p_1.corp:3128"}}},
		{in: "undefined", bad: "unknown keyword"},
		{in: "", bad: "no proxy entry"},
		{in: " ; ; ", bad: "no proxy entry"},
		{in: "PROXY", bad: "needs exactly one host:port"},
		{in: "PROXY a:1 b:2", bad: "needs exactly one host:port"},
		{in: "DIRECT a:1", bad: "DIRECT takes no address"},
		{in: "PROXY a:0", bad: "bad port"},
		{in: "PROXY a:65536", bad: "bad port"},
		{in: "PROXY a:http", bad: "bad port"},
		{in: "PROXY a:-1", bad: "bad port"},
		{in: "PROXY a:000080", bad: "bad port"},
		{in: "PROXY bad/host:80", bad: "bad host"},
		{in: "PROXY :80", bad: "bad host"},
		{in: "PROXY a..b:80", bad: "bad host"},
		{in: "PROXY [zz::1]:80", bad: "bad host"},
		{in: "PROXY user:pw@host:80", bad: "bad"},
		{in: "PROXY a:1; GARBAGE", bad: "unknown keyword"},
		{in: "[object Object]", bad: "unknown keyword"},
		{in: "PROXY " + strings.Repeat("a", 5000) + ":1", bad: "longer than 4096"},
		{in: strings.Repeat("DIRECT;", 33), bad: "more than 32 entries"},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 40)], func(t *testing.T) {
			got, err := ParseResult(tt.in)
			if tt.bad != "" {
				var re *ResultError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("ParseResult(%q) = %v, %v; want *ResultError containing %q", tt.in, got, err, tt.bad)
				}
				if len(err.Error()) > 600 {
					t.Errorf("error is %d bytes long; must be bounded", len(err.Error()))
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseResult(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestProxyURL(t *testing.T) {
	tests := []struct {
		p    Proxy
		want string
	}{
		{Proxy{Kind: "DIRECT"}, ""},
		{Proxy{"PROXY", "p:3128"}, "http://p:3128"},
		{Proxy{"HTTP", "p:3128"}, "http://p:3128"},
		{Proxy{"HTTPS", "p:443"}, "https://p:443"},
		{Proxy{"SOCKS", "s:1080"}, "socks5://s:1080"},
		{Proxy{"SOCKS5", "s:1080"}, "socks5://s:1080"},
		{Proxy{"SOCKS4", "s:1080"}, "socks4://s:1080"},
	}
	for _, tt := range tests {
		u := tt.p.URL()
		got := ""
		if u != nil {
			got = u.String()
		}
		if got != tt.want {
			t.Errorf("%v.URL() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func FuzzParseResult(f *testing.F) {
	for _, s := range []string{"DIRECT", "PROXY a:1; DIRECT", "HTTPS [::1]:443", "SOCKS5 s", "undefined", "", ";;", "PROXY a:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseResult(s)
		if err != nil {
			var re *ResultError
			if !errors.As(err, &re) {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if len(ps) == 0 || len(ps) > maxResultEntries {
			t.Fatalf("%d entries", len(ps))
		}
		// A valid result prints back to one that parses the same.
		parts := make([]string, len(ps))
		for i, p := range ps {
			parts[i] = p.String()
		}
		again, err := ParseResult(strings.Join(parts, "; "))
		if err != nil || !reflect.DeepEqual(again, ps) {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}
