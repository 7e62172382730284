//go:build windows

package dnsresolve

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// osNameservers lists the DNS servers of the network adapters that are up,
// as Windows itself uses them (GetAdaptersAddresses), as host:53.
func osNameservers() ([]string, error) {
	size := uint32(15000)
	var buf []byte
	var first *windows.IpAdapterAddresses
	for range 3 {
		buf = make([]byte, size)
		first = (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC,
			windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST|windows.GAA_FLAG_SKIP_FRIENDLY_NAME, 0, first, &size)
		if err == nil {
			break
		}
		if !errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			return nil, err
		}
		first = nil
	}
	if first == nil {
		return nil, errors.New("GetAdaptersAddresses: buffer kept growing")
	}
	seen := map[string]bool{}
	var out []string
	for a := first; a != nil; a = a.Next {
		if a.OperStatus != windows.IfOperStatusUp {
			continue
		}
		for d := a.FirstDnsServerAddress; d != nil; d = d.Next {
			ip, ok := sockaddrIP(d.Address)
			// fec0:0:0:ffff::1-3 are Windows's placeholder servers.
			if !ok || (ip.Is6() && ip.As16()[0] == 0xfe && ip.As16()[1] == 0xc0) {
				continue
			}
			hp := net.JoinHostPort(ip.String(), "53")
			if !seen[hp] {
				seen[hp] = true
				out = append(out, hp)
			}
		}
	}
	return out, nil
}

func sockaddrIP(sa windows.SocketAddress) (netip.Addr, bool) {
	s, err := sa.Sockaddr.Sockaddr()
	if err != nil {
		return netip.Addr{}, false
	}
	switch v := s.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrFrom4(v.Addr), true
	case *syscall.SockaddrInet6:
		return netip.AddrFrom16(v.Addr), true
	}
	return netip.Addr{}, false
}
