package tlscert

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/logindoctor/logindoctor/checks/netfail"
)

// Handshake is what one TLS handshake showed: the facts Classify judges.
type Handshake struct {
	// Host is the name the certificate must be valid for (the URL's host).
	Host string
	// Addr is the host:port connected to (for the evidence).
	Addr        string
	Version     uint16
	CipherSuite uint16
	// Certificates are the certificates the server presented, leaf first.
	Certificates []*x509.Certificate
	// ClientCertRequested says the server asked for a client certificate.
	ClientCertRequested bool
	// Fetched are intermediates downloaded from the leaf's AIA caIssuers
	// URL because the server did not send them (see CompleteChain).
	Fetched []*x509.Certificate
	// AIAURLs are the URLs they were fetched from; AIAError says why a
	// needed download failed ("" when none was needed or it worked).
	AIAURLs  []string
	AIAError string
	// trusted is the verification CompleteChain already did, for Classify.
	trusted *verified
}

// VersionName is the negotiated version as text ("TLS 1.3"), "" if none.
func (h Handshake) VersionName() string {
	if h.Version == 0 {
		return ""
	}
	return tls.VersionName(h.Version)
}

// Probe runs a TLS handshake over conn for host and returns what the server
// showed. It verifies nothing itself: Classify does, so that every failure
// can be named and the chain reported even when it is bad. It offers TLS 1.0
// and newer so that a server stuck on an old version is recognised rather
// than refused. On error the returned Handshake still says whether a client
// certificate was requested. conn is not closed.
func Probe(ctx context.Context, conn net.Conn, host string) (Handshake, error) {
	_, h, err := handshake(ctx, conn, host)
	return h, err
}

// handshake is Probe, also returning the TLS connection for a request.
func handshake(ctx context.Context, conn net.Conn, host string) (*tls.Conn, Handshake, error) {
	h := Handshake{Host: host, Addr: conn.RemoteAddr().String()}
	var requested atomic.Bool
	conf := &tls.Config{
		// Verification happens in Classify, against the run's roots and
		// clock, so that it can tell expired from untrusted from mismatched.
		InsecureSkipVerify: true, //nolint:gosec // see above
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       probeSuites(),
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			requested.Store(true)
			return &tls.Certificate{}, nil
		},
	}
	if net.ParseIP(host) == nil {
		conf.ServerName = host
	}
	tc := tls.Client(conn, conf)
	err := tc.HandshakeContext(ctx)
	h.ClientCertRequested = requested.Load()
	if err == nil && h.ClientCertRequested {
		err = awaitRefusal(tc)
	}
	if err != nil {
		return nil, h, fmt.Errorf("tls handshake with %s: %w", host, err)
	}
	st := tc.ConnectionState()
	h.Version = st.Version
	h.CipherSuite = st.CipherSuite
	h.Certificates = st.PeerCertificates
	return tc, h, nil
}

// clientCertWait is how long Probe listens for the refusal of a server
// that asked for a client certificate: with TLS 1.3 the client finishes its
// handshake before the server says no.
const clientCertWait = 300 * time.Millisecond

// awaitRefusal reads briefly after a handshake in which the server asked
// for a client certificate; a server that needs one sends an alert now,
// one that merely asked waits for the request (a read timeout: no error).
func awaitRefusal(tc *tls.Conn) error {
	if err := tc.SetReadDeadline(time.Now().Add(clientCertWait)); err != nil {
		return nil
	}
	defer tc.SetReadDeadline(time.Time{})
	var b [1]byte
	_, err := tc.Read(b[:])
	if netfail.IsRemoteAlert(err) || errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// probeSuites are every suite Go does not mark insecure, including the CBC
// suites that TLS 1.0/1.1 servers need.
func probeSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}
