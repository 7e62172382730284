package proxyroute

import (
	"net"
	"strings"
)

// parseScutil parses `scutil --proxy`: a top-level dictionary of
// "Key : value" lines, with ExceptionsList as a nested array. Nested
// dictionaries (__SCOPED__) are skipped.
func parseScutil(out string) SystemSettings {
	vals := map[string]string{}
	var exceptions []string
	depth, inExceptions := 0, false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch line {
		case "":
			continue
		case "}":
			depth--
			inExceptions = false
			continue
		}
		key, val, ok := strings.Cut(line, " : ")
		if !ok {
			if strings.HasSuffix(line, "{") {
				depth++
			}
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if strings.HasSuffix(val, "{") {
			depth++
			inExceptions = depth == 2 && key == "ExceptionsList"
			continue
		}
		switch {
		case inExceptions:
			exceptions = append(exceptions, val)
		case depth == 1:
			vals[key] = val
		}
	}
	s := SystemSettings{From: "macOS network settings", Proxies: map[string]string{}, Bypass: exceptions}
	on := func(k string) bool { return vals[k] == "1" }
	for scheme, prefix := range map[string]string{"http": "HTTP", "https": "HTTPS", "socks": "SOCKS"} {
		if on(prefix+"Enable") && vals[prefix+"Proxy"] != "" {
			port := vals[prefix+"Port"]
			if port == "" {
				port = map[string]string{"http": "80", "https": "443", "socks": "1080"}[scheme]
			}
			s.Proxies[scheme] = net.JoinHostPort(vals[prefix+"Proxy"], port)
		}
	}
	if on("ProxyAutoConfigEnable") {
		s.PACURL = vals["ProxyAutoConfigURLString"]
	}
	s.AutoDetect = on("ProxyAutoDiscoveryEnable")
	s.BypassLocal = on("ExcludeSimpleHostnames")
	return s
}
