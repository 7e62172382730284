package proxyroute

import (
	"encoding/binary"
	"strings"
)

// WindowsValues are the values under HKCU\Software\Microsoft\Windows\
// CurrentVersion\Internet Settings that decide the proxy.
type WindowsValues struct {
	ProxyEnable   uint32
	ProxyServer   string // "host:port" or "http=a:1;https=b:2;socks=c:3"
	ProxyOverride string // "*.corp;<local>;10.*"
	AutoConfigURL string
	// AutoDetect is the policy DWORD (nil when absent).
	AutoDetect *uint32
	// DefaultConnectionSettings is Connections\DefaultConnectionSettings,
	// whose flags at byte 8 hold the "Automatically detect settings" box.
	DefaultConnectionSettings []byte
}

// Flags of DefaultConnectionSettings.
const (
	winFlagProxy      = 0x02
	winFlagAutoConfig = 0x04
	winFlagAutoDetect = 0x08
)

// parseWindows turns the registry values into settings.
func parseWindows(v WindowsValues) SystemSettings {
	s := SystemSettings{From: "Windows Internet Settings", PACURL: strings.TrimSpace(v.AutoConfigURL)}
	if v.AutoDetect != nil {
		s.AutoDetect = *v.AutoDetect != 0
	}
	if b := v.DefaultConnectionSettings; len(b) >= 12 {
		flags := binary.LittleEndian.Uint32(b[8:12])
		s.AutoDetect = s.AutoDetect || flags&winFlagAutoDetect != 0
	}
	if v.ProxyEnable != 0 {
		s.Proxies = parseProxyServer(v.ProxyServer)
	}
	for _, p := range strings.Split(v.ProxyOverride, ";") {
		switch p = strings.TrimSpace(p); {
		case p == "":
		case strings.EqualFold(p, "<local>"):
			s.BypassLocal = true
		default:
			s.Bypass = append(s.Bypass, p)
		}
	}
	return s
}

// parseProxyServer parses ProxyServer: one "host:port" for every scheme, or
// "scheme=host:port" pairs separated by ';' (or spaces).
func parseProxyServer(v string) map[string]string {
	out := map[string]string{}
	v = strings.TrimSpace(v)
	if v == "" {
		return out
	}
	if !strings.Contains(v, "=") {
		out["*"] = stripScheme(v)
		return out
	}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ' ' }) {
		k, hp, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(hp) == "" {
			continue
		}
		out[strings.ToLower(strings.TrimSpace(k))] = stripScheme(strings.TrimSpace(hp))
	}
	return out
}

func stripScheme(hp string) string {
	if _, rest, ok := strings.Cut(hp, "://"); ok {
		return strings.TrimSuffix(rest, "/")
	}
	return hp
}
