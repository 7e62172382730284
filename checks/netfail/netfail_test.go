package netfail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
)

// connectErr wraps errno the way net.Dialer reports a failed connect.
func connectErr(errno syscall.Errno) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
}

// timeoutErr is a net.Error that says it timed out, as a library's own
// error type may.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func proxyAnswer(status int) error {
	return fmt.Errorf("dial: %w", &checks.ProxyError{Proxy: "p:3128", StatusCode: status, Status: fmt.Sprint(status)})
}

// TestDial pins every connect error to exactly one code and kind.
func TestDial(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	dial := func(d faultnet.Dialer) error {
		_, err := d.DialContext(ctx, "tcp", "127.0.0.1:9")
		return err
	}
	for _, tc := range []struct {
		name string
		err  error
		code string
		kind Kind
	}{
		{"ECONNREFUSED", connectErr(syscall.ECONNREFUSED), NetRefused, KindRefused},
		{"ECONNRESET", connectErr(syscall.ECONNRESET), NetRefused, KindReset},
		{"ECONNABORTED", connectErr(syscall.ECONNABORTED), NetRefused, KindReset},
		{"ETIMEDOUT", connectErr(syscall.ETIMEDOUT), NetTimeout, KindTimeout},
		{"EHOSTUNREACH", connectErr(syscall.EHOSTUNREACH), NetUnreachable, KindNoRoute},
		{"ENETUNREACH", connectErr(syscall.ENETUNREACH), NetUnreachable, KindNoRoute},
		{"EHOSTDOWN", connectErr(syscall.EHOSTDOWN), NetUnreachable, KindNoRoute},
		{"ENETDOWN", connectErr(syscall.ENETDOWN), NetUnreachable, KindNoRoute},
		{"EPERM (local firewall)", connectErr(syscall.EPERM), NetUnreachable, KindFirewall},
		{"EACCES (local firewall)", connectErr(syscall.EACCES), NetUnreachable, KindFirewall},
		{"context deadline", context.DeadlineExceeded, NetTimeout, KindTimeout},
		{"wrapped context deadline", fmt.Errorf("dial tcp: %w", context.DeadlineExceeded), NetTimeout, KindTimeout},
		{"connection deadline", os.ErrDeadlineExceeded, NetTimeout, KindTimeout},
		{"net.Error timeout", timeoutErr{}, NetTimeout, KindTimeout},
		{"anything else", errors.New("socks connect: general failure"), NetUnreachable, KindOther},
		{"faultnet refused", dial(faultnet.Refuse{}), NetRefused, KindRefused},
		{"faultnet reset", dial(faultnet.Reset{}), NetRefused, KindReset},
		{"faultnet unreachable", dial(faultnet.Unreachable{}), NetUnreachable, KindNoRoute},
		{"faultnet black hole", dial(faultnet.BlackHole{}), NetTimeout, KindTimeout},
		{"proxy itself down", fmt.Errorf("%w p:3128: %w", checks.ErrProxyDial, connectErr(syscall.ECONNREFUSED)), ProxyUnreachable, KindProxyDown},
		{"proxy itself silent", fmt.Errorf("%w p:3128: %w", checks.ErrProxyDial, context.DeadlineExceeded), ProxyUnreachable, KindProxyDown},
		{"proxy 407", proxyAnswer(407), ProxyAuthRequired, KindProxyStatus},
		{"proxy 401 (tinyproxy, wrong password)", proxyAnswer(401), ProxyAuthRequired, KindProxyStatus},
		{"proxy 403", proxyAnswer(403), ProxyDenied, KindProxyStatus},
		{"proxy 502", proxyAnswer(502), NetRefused, KindProxyStatus},
		{"proxy 504", proxyAnswer(504), NetTimeout, KindProxyStatus},
		{"nxdomain", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}}, DNSNXDomain, KindDNS},
		{"dns timeout", &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, DNSTimeout, KindDNS},
		{"servfail", &net.DNSError{Err: "server misbehaving", Name: "x"}, DNSServFail, KindDNS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Dial(tc.err)
			if f.Code != tc.code || f.Kind != tc.kind {
				t.Errorf("Dial(%v) = %s/%s, want %s/%s", tc.err, f.Code, f.Kind, tc.code, tc.kind)
			}
			if Code(tc.err) != f.Code {
				t.Errorf("Code = %s, Dial = %s", Code(tc.err), f.Code)
			}
			if f.Detail == "" {
				t.Error("no detail")
			}
		})
	}
}

// TestProxyStatus pins every CONNECT answer's meaning.
func TestProxyStatus(t *testing.T) {
	for status, want := range map[int]string{
		401: ProxyAuthRequired, 407: ProxyAuthRequired,
		403: ProxyDenied, 400: ProxyDenied, 404: ProxyDenied, 405: ProxyDenied, 302: ProxyDenied, 501: ProxyDenied,
		500: NetRefused, 502: NetRefused, 503: NetRefused, 599: NetRefused,
		504: NetTimeout,
	} {
		if got := ProxyStatus(status); got != want {
			t.Errorf("ProxyStatus(%d) = %s, want %s", status, got, want)
		}
	}
}

// TestLookup pins every failed name lookup to one DNS_* code.
func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"no error", nil, ""},
		{"not found", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, DNSNXDomain},
		{"not found wins over timeout", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true, IsTimeout: true}, DNSNXDomain},
		{"resolver timeout", &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, DNSTimeout},
		{"context deadline", fmt.Errorf("lookup x: %w", context.DeadlineExceeded), DNSTimeout},
		{"ETIMEDOUT", connectErr(syscall.ETIMEDOUT), DNSTimeout},
		{"server misbehaving", &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, DNSServFail},
		{"refused", &net.DNSError{Err: "connection refused", Name: "x"}, DNSServFail},
		{"anything else", errors.New("boom"), DNSServFail},
	} {
		if got := Lookup(tc.err); got != tc.want {
			t.Errorf("%s: Lookup(%v) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestHandshake pins every failed TLS handshake to its kind.
func TestHandshake(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want Kind
	}{
		{"timeout", fmt.Errorf("tls handshake: %w", context.DeadlineExceeded), KindTimeout},
		{"read deadline", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, KindTimeout},
		{"record header", fmt.Errorf("tls handshake: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake", RecordHeader: [5]byte{'H', 'T', 'T', 'P', '/'}}), KindNotTLS},
		{"remote alert over TCP", &net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}, KindAlert},
		{"alert error (QUIC)", tls.AlertError(40), KindAlert},
		{"EOF", fmt.Errorf("tls handshake: %w", io.EOF), KindClosed},
		{"unexpected EOF", io.ErrUnexpectedEOF, KindClosed},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, KindClosed},
		{"anything else", errors.New("tls: unsupported version"), KindOther},
	} {
		f := Handshake(tc.err)
		if f.Code != TLSHandshakeFailed || f.Kind != tc.want {
			t.Errorf("%s: Handshake(%v) = %s/%s, want %s/%s", tc.name, tc.err, f.Code, f.Kind, TLSHandshakeFailed, tc.want)
		}
	}
}

// TestHandshakeWithPlainServer: a real handshake against a server that
// answers in plain HTTP is not_tls, quoting the answer.
func TestHandshakeWithPlainServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
		_, _ = io.Copy(io.Discard, c)
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err = tls.Client(client, &tls.Config{ServerName: "crm.test", MinVersion: tls.VersionTLS12}).HandshakeContext(ctx)
	f := Handshake(err)
	if f.Kind != KindNotTLS || f.Detail != `the server answered with something that is not TLS ("HTTP/"…)` {
		t.Fatalf("Handshake(%v) = %+v", err, f)
	}
}

// TestWinsock pins the Winsock table on every system.
func TestWinsock(t *testing.T) {
	for n, want := range map[syscall.Errno]Kind{
		10061: KindRefused, 10054: KindReset, 10053: KindReset, 10060: KindTimeout,
		10065: KindNoRoute, 10051: KindNoRoute, 10064: KindNoRoute, 10050: KindNoRoute,
		10013: KindFirewall,
	} {
		if got, ok := winsockKind(n); !ok || got != want {
			t.Errorf("winsockKind(%d) = %s, %v; want %s", n, got, ok, want)
		}
	}
	if k, ok := winsockKind(10048); ok { // WSAEADDRINUSE: not a connect outcome
		t.Errorf("winsockKind(10048) = %s, want unknown", k)
	}
}

// TestTimeoutAndRefused: the predicates agree with Dial.
func TestTimeoutAndRefused(t *testing.T) {
	for _, err := range []error{connectErr(syscall.ETIMEDOUT), context.DeadlineExceeded, timeoutErr{}} {
		if !IsTimeout(err) {
			t.Errorf("IsTimeout(%v) = false", err)
		}
	}
	for _, err := range []error{connectErr(syscall.ECONNREFUSED), connectErr(syscall.EHOSTUNREACH), errors.New("x")} {
		if IsTimeout(err) {
			t.Errorf("IsTimeout(%v) = true", err)
		}
	}
	if !Refused(connectErr(syscall.ECONNREFUSED)) || !Refused(connectErr(syscall.ECONNRESET)) || Refused(context.DeadlineExceeded) {
		t.Error("Refused disagrees with Dial")
	}
}
