package proxyroute

import (
	"net"
	"strconv"
	"strings"
)

// parseGsettings parses `gsettings list-recursively org.gnome.system.proxy`:
// one "schema key value" line per key, values in GVariant text form
// ('manual', 8080, ['localhost', '127.0.0.0/8'], @as []).
func parseGsettings(out string) SystemSettings {
	vals := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		schema, rest, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		key, val, ok := strings.Cut(rest, " ")
		if !ok {
			continue
		}
		vals[strings.TrimPrefix(schema, "org.gnome.system.proxy")+"/"+key] = strings.TrimSpace(val)
	}
	s := SystemSettings{From: "GNOME proxy settings", Proxies: map[string]string{}}
	switch gvString(vals["/mode"]) {
	case "auto":
		s.PACURL = gvString(vals["/autoconfig-url"])
		s.AutoDetect = s.PACURL == "" // GNOME's "automatic" without a URL means WPAD
	case "manual":
		for _, scheme := range []string{"http", "https", "socks"} {
			host := gvString(vals["."+scheme+"/host"])
			port := gvInt(vals["."+scheme+"/port"])
			if host != "" && port > 0 {
				s.Proxies[scheme] = net.JoinHostPort(host, strconv.Itoa(port))
			}
		}
		s.Bypass = gvStrings(vals["/ignore-hosts"])
	}
	return s
}

// gvString decodes a GVariant string literal ('x' or "x", with escapes).
func gvString(v string) string {
	v = strings.TrimSpace(v)
	if len(v) < 2 || (v[0] != '\'' && v[0] != '"') || v[len(v)-1] != v[0] {
		return ""
	}
	q := v[0]
	var b strings.Builder
	for i := 1; i < len(v)-1; i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v)-1 {
			i++
			c = v[i]
		} else if c == q {
			return b.String()
		}
		b.WriteByte(c)
	}
	return b.String()
}

// gvInt decodes "8080" or "uint32 8080"; 0 if invalid.
func gvInt(v string) int {
	f := strings.Fields(v)
	if len(f) == 0 {
		return 0
	}
	n, err := strconv.Atoi(f[len(f)-1])
	if err != nil || n < 0 || n > 65535 {
		return 0
	}
	return n
}

// gvStrings decodes a GVariant string array: ['a', "b"] or @as [].
func gvStrings(v string) []string {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "@as"))
	if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") {
		return nil
	}
	v = v[1 : len(v)-1]
	var out []string
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\'' && c != '"' {
			continue
		}
		j := i + 1
		for j < len(v) && v[j] != c {
			if v[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(v) {
			break
		}
		out = append(out, gvString(v[i:j+1]))
		i = j
	}
	return out
}
