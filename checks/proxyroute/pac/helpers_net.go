package pac

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// dnsHelpers backs the DNS helpers of one evaluation. Each lookup has its own
// short deadline under the evaluation's context: vm.Interrupt cannot stop a
// Go helper that blocks, so the helper must stop by itself. Answers are
// cached for the evaluation, so a script that resolves in a loop costs one
// lookup per name.
type dnsHelpers struct {
	ctx     context.Context
	res     checks.Resolver // nil: no name resolves
	timeout time.Duration
	myIPs   func(context.Context) []net.IP
	cache   map[string][]net.IP
}

func (d *dnsHelpers) lookup(host string) []net.IP {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}
	}
	if ips, ok := d.cache[host]; ok {
		return ips
	}
	var ips []net.IP
	if host != "" && d.res != nil && d.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(d.ctx, d.timeout)
		addrs, err := d.res.LookupIPAddr(ctx, host)
		cancel()
		if err == nil {
			for _, a := range addrs {
				ips = append(ips, a.IP)
			}
		}
	}
	d.cache[host] = ips
	return ips
}

func firstV4(ips []net.IP) net.IP {
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			return v4
		}
	}
	return nil
}

// dnsResolve returns the first IPv4 address of host, or "" (null in JS).
func (d *dnsHelpers) dnsResolve(host string) string {
	if ip := firstV4(d.lookup(host)); ip != nil {
		return ip.String()
	}
	return ""
}

func (d *dnsHelpers) myIPAddress() string {
	if ip := firstV4(d.myIPs(d.ctx)); ip != nil {
		return ip.String()
	}
	return "127.0.0.1"
}

// dnsResolveEx lists every address of host, ';'-separated ("" if none).
func (d *dnsHelpers) dnsResolveEx(host string) string { return joinIPs(d.lookup(host)) }

func (d *dnsHelpers) myIPAddressEx() string {
	ips := d.myIPs(d.ctx)
	if len(ips) == 0 {
		return "127.0.0.1"
	}
	return joinIPs(ips)
}

func joinIPs(ips []net.IP) string {
	s := make([]string, len(ips))
	for i, ip := range ips {
		s[i] = ip.String()
	}
	return strings.Join(s, ";")
}

// InterfaceIPs returns the addresses of the machine's up, non-loopback
// interfaces, IPv4 first: what myIpAddress reports. It sends nothing.
func InterfaceIPs(context.Context) []net.IP {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var v4, v6 []net.IP
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if !ok || n.IP.IsLinkLocalUnicast() || n.IP.IsLoopback() {
				continue
			}
			if n.IP.To4() != nil {
				v4 = append(v4, n.IP.To4())
			} else {
				v6 = append(v6, n.IP)
			}
		}
	}
	return append(v4, v6...)
}
