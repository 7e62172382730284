package dnsresolve

// This is the only file that knows the DNS library (github.com/miekg/dns
// v1, in maintenance): moving to another one means rewriting this file.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/logindoctor/logindoctor/checks"
)

// qtype is the kind of address record asked for.
type qtype int

const (
	qA qtype = iota
	qAAAA
)

func (q qtype) String() string {
	if q == qAAAA {
		return "AAAA"
	}
	return "A"
}

// answer is one server's reply to one question, in our own terms.
type answer struct {
	Rcode     string       // "NOERROR", "NXDOMAIN", …; "" when no reply was read
	Addrs     []netip.Addr // the A or AAAA records
	Err       error        // transport failure (timeout, refused, …) or malformed reply
	Malformed bool         // a reply came back but was not a DNS message
	TCP       bool         // the UDP reply was truncated and TCP was used
	RTT       time.Duration
}

// exchanger asks one DNS server one question.
type exchanger interface {
	Exchange(ctx context.Context, host string, q qtype, server string) answer
}

// maxQueryWait caps one query even when the check's deadline is far away.
const maxQueryWait = 5 * time.Second

// libExchanger asks with miekg/dns over connections from a checks.Dialer,
// so that a test's faulty network applies to DNS too.
type libExchanger struct {
	dialer checks.Dialer
}

// Exchange asks over UDP and retries over TCP when the reply is truncated.
func (x libExchanger) Exchange(ctx context.Context, host string, q qtype, server string) answer {
	m := new(dns.Msg)
	t := dns.TypeA
	if q == qAAAA {
		t = dns.TypeAAAA
	}
	m.SetQuestion(dns.Fqdn(host), t)
	m.RecursionDesired = true
	r, a := x.exchangeOver(ctx, "udp", m, server)
	if a.Err == nil && r.Truncated {
		r, a = x.exchangeOver(ctx, "tcp", m, server)
		a.TCP = true
	}
	if a.Err != nil {
		return a
	}
	a.Rcode = dns.RcodeToString[r.Rcode]
	if a.Rcode == "" {
		a.Rcode = fmt.Sprintf("RCODE%d", r.Rcode)
	}
	names := answerNames(m.Question[0].Name, r.Answer)
	for _, rr := range r.Answer {
		if !names[strings.ToLower(rr.Header().Name)] {
			continue // an answer about another name is not an answer
		}
		switch v := rr.(type) {
		case *dns.A:
			if ip, ok := netip.AddrFromSlice(v.A); ok && q == qA {
				a.Addrs = append(a.Addrs, ip.Unmap())
			}
		case *dns.AAAA:
			if ip, ok := netip.AddrFromSlice(v.AAAA); ok && q == qAAAA {
				a.Addrs = append(a.Addrs, ip)
			}
		}
	}
	return a
}

// answerNames is the asked name and the names its CNAME chain in answer
// leads to (lower case, fully qualified).
func answerNames(asked string, answer []dns.RR) map[string]bool {
	names := map[string]bool{strings.ToLower(asked): true}
	for range answer { // each pass follows at least one more link, or stops
		grew := false
		for _, rr := range answer {
			if c, ok := rr.(*dns.CNAME); ok && names[strings.ToLower(c.Hdr.Name)] && !names[strings.ToLower(c.Target)] {
				names[strings.ToLower(c.Target)] = true
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	return names
}

func (x libExchanger) exchangeOver(ctx context.Context, network string, m *dns.Msg, server string) (*dns.Msg, answer) {
	conn, err := x.dialer.DialContext(ctx, network, server)
	if err != nil {
		return nil, answer{Err: fmt.Errorf("dns %s %s: %w", network, server, err)}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	wait := maxQueryWait
	if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
		wait = max(time.Until(d), time.Millisecond)
	}
	c := &dns.Client{Net: network, Timeout: wait, UDPSize: dns.MinMsgSize}
	r, rtt, err := c.ExchangeWithConnContext(ctx, m, &dns.Conn{Conn: conn})
	if err != nil {
		var libErr *dns.Error
		malformed := r != nil || errors.As(err, &libErr)
		if ctx.Err() != nil && !malformed {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, answer{Err: fmt.Errorf("dns %s %s: %w", network, server, err), Malformed: malformed, RTT: rtt}
	}
	return r, answer{RTT: rtt}
}

// systemNameservers reads the nameservers (host:port) of a resolv.conf
// file. A "nameserver" line may carry a port ("127.0.0.1:5353"), which
// tests and the demo use to point at a fixture server.
func systemNameservers(path string) ([]string, error) {
	cfg, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var out []string
	for _, s := range cfg.Servers {
		if ap, err := netip.ParseAddrPort(s); err == nil {
			out = append(out, ap.String())
			continue
		}
		out = append(out, net.JoinHostPort(s, cfg.Port))
	}
	return out, nil
}
