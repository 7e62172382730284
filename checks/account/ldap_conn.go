package account

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// maxDirectoryRead bounds everything one lookup reads from the directory:
// a server that streams entries or oversized attributes ends the lookup.
const maxDirectoryRead = 4 << 20

// startTLSOID is the StartTLS extended operation (RFC 4511 4.14).
const startTLSOID = "1.3.6.1.4.1.1466.20037"

// ErrDirectoryTooLarge is a directory answer beyond maxDirectoryRead.
var ErrDirectoryTooLarge = errors.New("the directory sent more than 4 MiB")

// openDirectory connects to u through the run's dialer (and resolver),
// under ctx's deadline, and secures the connection: TLS from the start for
// ldaps://, StartTLS (required) for ldap://. The certificate is verified
// against the run's trusted roots (system roots plus ca_file).
func openDirectory(ctx context.Context, env *checks.Env, u *url.URL) (*dirConn, error) {
	raw, err := env.Dialer.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		f := netfail.Dial(err)
		return nil, fmt.Errorf("%w: connect to %s: %s", reachErr(ctx, err), u.Host, f.Detail)
	}
	dl, _ := ctx.Deadline()
	if !dl.IsZero() {
		_ = raw.SetDeadline(dl)
	}
	bc := &budgetConn{Conn: raw, left: maxDirectoryRead}
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	conn, err := secure(ctx, env, u, bc)
	if err != nil {
		stop()
		_ = raw.Close()
		if bc.exceeded.Load() {
			return nil, fmt.Errorf("%w: %w", ErrBadResponse, ErrDirectoryTooLarge)
		}
		return nil, err
	}
	lc := ldap.NewConn(conn, true)
	lc.Start()
	return &dirConn{Conn: lc, budget: bc, stop: stop, deadline: dl}, nil
}

// dirConn is an open, secured directory connection.
type dirConn struct {
	*ldap.Conn
	budget   *budgetConn
	stop     func() bool
	deadline time.Time // the connection's; zero: none
}

// timedOut: the context ended or the connection's deadline has come
// (go-ldap keeps only the text of the read error).
func (c *dirConn) timedOut(ctx context.Context, err error) bool {
	return ctx.Err() != nil || netfail.IsTimeout(err) || isLDAPTimeout(err) ||
		(!c.deadline.IsZero() && !time.Now().Before(c.deadline.Add(-20*time.Millisecond)))
}

// Close ends the connection at once (no unbind handshake to wait for).
func (c *dirConn) Close() {
	c.stop()
	_ = c.budget.Conn.Close()
	_ = c.Conn.Close()
}

// fail turns an error of a bind or search into one of the Err… sentinels,
// with the LDAP result's short reason.
func (c *dirConn) fail(ctx context.Context, what string, err error) error {
	if c.budget.exceeded.Load() {
		return fmt.Errorf("%w: %s: %w", ErrBadResponse, what, ErrDirectoryTooLarge)
	}
	var le *ldap.Error
	if errors.As(err, &le) && le.ResultCode == ldap.ErrorNetwork || !errors.As(err, &le) {
		if c.timedOut(ctx, err) {
			return fmt.Errorf("%w: %s: no answer in time", ErrAPITimeout, what)
		}
		return fmt.Errorf("%w: %s: %s", ErrAPIUnreachable, what, ldapReason(err))
	}
	return fmt.Errorf("%w: %s: %s", ErrBadResponse, what, ldapReason(err))
}

func isLDAPTimeout(err error) bool {
	var le *ldap.Error
	return errors.As(err, &le) && (le.ResultCode == ldap.ErrorNetwork && le.Err != nil && netfail.IsTimeout(le.Err) || le.ResultCode == ldap.LDAPResultTimeLimitExceeded)
}

// secure runs the TLS handshake, after StartTLS for ldap://.
func secure(ctx context.Context, env *checks.Env, u *url.URL, c net.Conn) (net.Conn, error) {
	if u.Scheme == "ldap" {
		if err := startTLS(ctx, c); err != nil {
			return nil, err
		}
	}
	tc := tls.Client(c, &tls.Config{ServerName: u.Hostname(), RootCAs: env.RootCAs, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, tlsErr(ctx, err)
	}
	return tc, nil
}

// startTLS asks for TLS on a plain connection before go-ldap takes it over
// (so that the handshake's typed errors survive).
func startTLS(ctx context.Context, c net.Conn) error {
	req := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Request")
	req.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(1), "MessageID"))
	ext := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedRequest, nil, "Start TLS")
	ext.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, startTLSOID, "OID"))
	req.AppendChild(ext)
	if _, err := c.Write(req.Bytes()); err != nil {
		return fmt.Errorf("%w: StartTLS: %w", reachErr(ctx, err), err)
	}
	resp, err := ber.ReadPacket(c)
	if err != nil {
		if reachErr(ctx, err) == ErrAPITimeout {
			return fmt.Errorf("%w: no answer to StartTLS", ErrAPITimeout)
		}
		return fmt.Errorf("%w: StartTLS: the server did not answer as an LDAP directory (%w)", ErrAPIUnreachable, err)
	}
	if err := ldap.GetLDAPError(resp); err != nil {
		return fmt.Errorf("%w: the directory refused StartTLS (%s); use ldaps:// or enable TLS on the directory", ErrAPIUnreachable, ldapReason(err))
	}
	return nil
}

// tlsErr says why the handshake failed, naming an untrusted or
// mismatched certificate.
func tlsErr(ctx context.Context, err error) error {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("%w: TLS: the directory's certificate is not trusted (issuer %q): add its CA to ca_file", ErrAPIUnreachable, truncate(unknown.Cert.Issuer.CommonName, 60))
	case errors.As(err, &host):
		return fmt.Errorf("%w: TLS: the directory's certificate is not valid for %s", ErrAPIUnreachable, truncate(host.Host, 60))
	case errors.As(err, &invalid):
		return fmt.Errorf("%w: TLS: the directory's certificate is invalid: %s", ErrAPIUnreachable, invalid.Error())
	}
	f := netfail.Handshake(err)
	return fmt.Errorf("%w: TLS: %s", reachErr(ctx, err), f.Detail)
}

// reachErr is ErrAPITimeout for a deadline, else ErrAPIUnreachable.
func reachErr(ctx context.Context, err error) error {
	if ctx.Err() != nil || netfail.IsTimeout(err) {
		return ErrAPITimeout
	}
	return ErrAPIUnreachable
}

// budgetConn fails reads once the directory has sent maxDirectoryRead bytes.
type budgetConn struct {
	net.Conn
	left     int64
	exceeded atomic.Bool
}

func (c *budgetConn) Read(p []byte) (int, error) {
	left := atomic.LoadInt64(&c.left)
	if left <= 0 {
		c.exceeded.Store(true)
		_ = c.Conn.SetDeadline(time.Now())
		return 0, ErrDirectoryTooLarge
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := c.Conn.Read(p)
	atomic.AddInt64(&c.left, -int64(n))
	return n, err
}

// ldapReason is the short reason of an LDAP error: result code name and,
// for AD, the diagnostic's "data 52e"-style sub-code.
func ldapReason(err error) string {
	var le *ldap.Error
	if !errors.As(err, &le) {
		return truncate(err.Error(), 120)
	}
	name := ldap.LDAPResultCodeMap[le.ResultCode]
	if name == "" {
		name = "code " + fmt.Sprint(le.ResultCode)
	}
	s := fmt.Sprintf("LDAP result %d %s", le.ResultCode, name)
	if sub := adSubCode(le.Err); sub != "" {
		s += ", AD data " + sub
	}
	return s
}
