package pac

import (
	"net/netip"
	"strconv"
	"strings"
)

// parseLiteral reads an IP address literal the way Chrome's
// IPAddress::AssignFromIPLiteral does: with a ':' it must be an IPv6
// address (no brackets, no zone); otherwise an IPv4 address in any form a
// URL host may take (1 to 4 parts, each decimal, 0x-hex or 0-octal, the
// last filling the remaining bytes, one trailing dot allowed: "10.1",
// "0x7f.1", "010.1.1.1" are 10.0.0.1, 127.0.0.1 and 8.1.1.1). IPv6
// addresses stay 16 bytes even when IPv4-mapped.
func parseLiteral(s string) (netip.Addr, bool) {
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" || !a.Is6() {
			return netip.Addr{}, false
		}
		return a, true
	}
	return parseURLIPv4(s)
}

// parseURLIPv4 is the IPv4 part of parseLiteral.
func parseURLIPv4(s string) (netip.Addr, bool) {
	s = strings.TrimSuffix(s, ".")
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := parseIPv4Part(p)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			v = v<<8 | n
			continue
		}
		rest := uint(4 - i) // bytes the last part fills
		if n >= 1<<(8*rest) {
			return netip.Addr{}, false
		}
		v = v<<(8*rest) | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseIPv4Part reads one part: "0x1f" hex, "017" octal, "17" decimal.
func parseIPv4Part(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true
		}
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 32)
	return n, err == nil
}

// isASCII reports whether s has only ASCII characters; Chrome refuses
// anything else in the address helpers.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isPlainHostName is Chrome's: no dot, and not an IP literal (an IPv6
// address such as "::1" has no dot but is not a host name).
func isPlainHostName(host string) bool {
	if strings.Contains(host, ".") {
		return false
	}
	_, ip := parseLiteral(host)
	return !ip
}

// sortIPAddressList is Microsoft's sortIpAddressList as Chrome implements
// it: spaces and tabs removed, empty entries dropped, IPv6 addresses before
// IPv4, each family in numeric order (stable), every address kept as it
// was written. ok is false for an empty list or any entry that is not an
// address.
func sortIPAddressList(list string) (string, bool) {
	list = strings.NewReplacer(" ", "", "\t", "").Replace(list)
	type entry struct {
		text string
		addr netip.Addr
	}
	var entries []entry
	for _, s := range strings.Split(list, ";") {
		if s == "" {
			continue
		}
		a, ok := parseLiteral(s)
		if !ok {
			return "", false
		}
		entries = append(entries, entry{s, a})
	}
	if len(entries) == 0 {
		return "", false
	}
	sortStable(len(entries), func(i, j int) bool {
		a, b := entries[i].addr, entries[j].addr
		if a.Is6() != b.Is6() {
			return a.Is6()
		}
		return a.Less(b)
	}, func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.text
	}
	return strings.Join(out, ";"), true
}

// sortStable is an insertion sort: address lists are short.
func sortStable(n int, less func(i, j int) bool, swap func(i, j int)) {
	for i := 1; i < n; i++ {
		for j := i; j > 0 && less(j, j-1); j-- {
			swap(j, j-1)
		}
	}
}

// isInNetEx is Microsoft's isInNetEx as Chrome implements it: ip must be an
// address literal (names are not resolved) and prefix "address/bits"
// (spaces around either part allowed); an IPv4 address against an IPv6
// prefix (or the reverse) is compared as IPv4-mapped IPv6.
func isInNetEx(ip, prefix string) bool {
	addr, ok := parseLiteral(ip)
	if !ok {
		return false
	}
	parts := strings.Split(prefix, "/")
	if len(parts) != 2 {
		return false
	}
	base, ok := parseLiteral(strings.TrimSpace(parts[0]))
	if !ok {
		return false
	}
	bits, err := strconv.ParseUint(strings.TrimSpace(parts[1]), 10, 32)
	if err != nil || int(bits) > base.BitLen() {
		return false
	}
	if addr.Is4() != base.Is4() {
		if base.Is4() {
			bits += 96
		}
		addr, base = netip.AddrFrom16(addr.As16()), netip.AddrFrom16(base.As16())
	}
	p, err := base.Prefix(int(bits))
	return err == nil && p.Contains(addr)
}
