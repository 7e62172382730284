package dnsresolve

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// maxHostsFile bounds how much of a hosts file is read (real ones with
// ad-blocking lists reach a few MB).
const maxHostsFile = 16 << 20

// hostsTable maps lower-case names to the addresses a hosts file gives them.
type hostsTable map[string][]netip.Addr

// readHosts parses a hosts file in /etc/hosts format, which Windows's
// drivers\etc\hosts shares (CRLF line ends, a byte-order mark and tabs are
// accepted). A missing file is an empty table.
func readHosts(path string) (hostsTable, error) {
	if path == "" {
		return hostsTable{}, nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return hostsTable{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hosts file: %w", err)
	}
	defer f.Close()
	return parseHosts(io.LimitReader(f, maxHostsFile))
}

func parseHosts(r io.Reader) (hostsTable, error) {
	t := hostsTable{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	first := true
	for sc.Scan() {
		line := sc.Bytes()
		if first {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
			first = false
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(string(line))
		if len(f) < 2 {
			continue
		}
		addr, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		addr = addr.Unmap().WithZone("")
		for _, name := range f[1:] {
			key := normName(name)
			if !containsAddr(t[key], addr) {
				t[key] = append(t[key], addr)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return t, fmt.Errorf("hosts file: %w", err)
	}
	return t, nil
}

// normName lower-cases a host name and drops its final dot.
func normName(s string) string { return strings.TrimSuffix(strings.ToLower(s), ".") }

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}
