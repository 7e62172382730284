package checks

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Resolver looks up the addresses of a host name. It is the run's one
// resolver seam (Env.Resolver): the checks, the PAC's DNS helpers and the
// dialer all resolve through it. *net.Resolver satisfies it; tests inject
// a fixtures/dnsserver resolver or a fake, so nothing leaves the machine.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// minAttempt is the least time one address of several gets when a dial
// shares its deadline between them (net.Dialer's own floor).
const minAttempt = 2 * time.Second

// DialWith connects to address (host:port) with d (its Control, timeouts
// and local address), resolving a host name through e.Resolver. A
// *net.Resolver is handed to d as is; any other resolver is asked here
// and its addresses (those of network's family) are tried in turn, each
// with a share of the remaining deadline, the way net.Dialer does.
func (e *Env) DialWith(ctx context.Context, d net.Dialer, network, address string) (net.Conn, error) {
	if nr, ok := e.Resolver.(*net.Resolver); ok {
		d.Resolver = nr
		return d.DialContext(ctx, network, address)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil || host == "" {
		return d.DialContext(ctx, network, address)
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return d.DialContext(ctx, network, address)
	}
	ips, err := e.Resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	ips = ofFamily(ips, network)
	if len(ips) == 0 {
		return nil, &net.OpError{Op: "dial", Net: network,
			Err: &net.DNSError{Err: "no suitable address found", Name: host, IsNotFound: true}}
	}
	return dialEach(ctx, d, network, ips, port)
}

// dialEach tries ips in order and returns the first connection, or the
// first error when none connects.
func dialEach(ctx context.Context, d net.Dialer, network string, ips []net.IPAddr, port string) (net.Conn, error) {
	var first error
	for i, ip := range ips {
		actx, cancel := attemptContext(ctx, len(ips)-i)
		c, err := d.DialContext(actx, network, net.JoinHostPort(ip.String(), port))
		cancel()
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// attemptContext is ctx for one of left remaining addresses: an equal
// share of the time left, at least minAttempt, never past ctx's deadline.
func attemptContext(ctx context.Context, left int) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || left <= 1 {
		return context.WithCancel(ctx)
	}
	share := max(time.Until(dl)/time.Duration(left), minAttempt)
	return context.WithTimeout(ctx, share)
}

// ofFamily keeps the addresses network can reach: IPv4 for "tcp4"/"udp4",
// IPv6 for "tcp6"/"udp6", all otherwise.
func ofFamily(ips []net.IPAddr, network string) []net.IPAddr {
	v4, v6 := strings.HasSuffix(network, "4"), strings.HasSuffix(network, "6")
	if !v4 && !v6 {
		return ips
	}
	var out []net.IPAddr
	for _, ip := range ips {
		if (ip.IP.To4() != nil) == v4 {
			out = append(out, ip)
		}
	}
	return out
}

// LookupNetIP is r's answer for host as netip addresses, IPv4-mapped IPv6
// addresses unmapped (zones dropped, as net.Resolver.LookupNetIP does).
func LookupNetIP(ctx context.Context, r Resolver, host string) ([]netip.Addr, error) {
	ips, err := r.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	addrs := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip.IP); ok {
			addrs = append(addrs, a.Unmap())
		}
	}
	return addrs, nil
}
