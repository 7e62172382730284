package netfail

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// Handshake classifies a failed TLS handshake: always TLS_HANDSHAKE_FAILED,
// with the kind saying how (timeout, not_tls, alert, closed or other) and
// a detail that quotes the start of a non-TLS answer.
func Handshake(err error) Failure {
	var rh tls.RecordHeaderError
	switch {
	case IsTimeout(err):
		return Failure{TLSHandshakeFailed, KindTimeout, "no TLS answer before the deadline"}
	case errors.As(err, &rh):
		return Failure{TLSHandshakeFailed, KindNotTLS,
			fmt.Sprintf("the server answered with something that is not TLS (%q…)", Printable(rh.RecordHeader[:]))}
	case IsRemoteAlert(err):
		return Failure{TLSHandshakeFailed, KindAlert, "the server refused the handshake: " + err.Error()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), Refused(err):
		return Failure{TLSHandshakeFailed, KindClosed, "the server closed the connection during the handshake"}
	}
	return Failure{TLSHandshakeFailed, KindOther, err.Error()}
}

// IsRemoteAlert reports whether err is a TLS alert the server sent. Over
// TCP, crypto/tls reports those as a *net.OpError "remote error" around an
// unexported alert type (tls.AlertError is only used with QUIC).
func IsRemoteAlert(err error) bool {
	var op *net.OpError
	var alert tls.AlertError
	return (errors.As(err, &op) && op.Op == "remote error") || errors.As(err, &alert)
}

// Printable keeps the printable ASCII of b, for quoting a non-TLS answer.
func Printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			sb.WriteByte('.')
		}
	}
	return sb.String()
}
