package tlscert_test

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net/http"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/fixtures/certs"
)

// serveTLS serves h over TLS with conf on 127.0.0.1 and returns the address.
func serveTLS(t *testing.T, conf *tls.Config, h http.Handler) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", conf)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String()
}

// loginPage answers every request with a small login page.
func loginPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `<form><input type="password"></form>`)
	})
}

// nginxLike answers like nginx with `ssl_verify_client on` when the client
// sent no certificate: 400 "No required SSL certificate was sent".
func nginxLike() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, "<html><head><title>400 No required SSL certificate was sent</title></head>"+
				"<body><center><h1>400 Bad Request</h1></center><center>No required SSL certificate was sent</center></body></html>")
			return
		}
		loginPage().ServeHTTP(w, r)
	})
}

// TestClientCertificate: a server that refuses the handshake without a
// client certificate (TLS 1.2: an alert during the handshake; TLS 1.3: an
// alert after it), or that completes it and answers HTTP 400 like nginx,
// is TLS_CLIENT_CERT_REQUIRED for IT; a server that asks but serves the
// page anyway passes, saying it asked.
func TestClientCertificate(t *testing.T) {
	f := newFactory(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, tc := range []struct {
			name    string
			auth    tls.ClientAuthType
			handler http.Handler
			code    string
		}{
			{"required", tls.RequireAndVerifyClientCert, loginPage(), tlscert.CodeClientCertRequired},
			{"required, any certificate", tls.RequireAnyClientCert, loginPage(), tlscert.CodeClientCertRequired},
			{"requested, refused over HTTP like nginx", tls.RequestClientCert, nginxLike(), tlscert.CodeClientCertRequired},
			{"optional", tls.VerifyClientCertIfGiven, loginPage(), checks.CodeOK},
		} {
			t.Run(tls.VersionName(v)+" "+tc.name, func(t *testing.T) {
				addr := serveTLS(t, &tls.Config{
					Certificates: []tls.Certificate{*leaf(t, f, certs.Valid, "127.0.0.1")},
					ClientAuth:   tc.auth, ClientCAs: f.Root.Pool(), MaxVersion: v,
				}, tc.handler)
				res := run(t, envFor(t, "https://"+addr+"/login", f))
				if res.Code != tc.code {
					t.Fatalf("got %s/%s (%s), want %s", res.Status, res.Code, res.Summary, tc.code)
				}
				if res.Evidence["client_certificate_requested"] != true {
					t.Errorf("evidence does not say a client certificate was requested: %v", res.Evidence)
				}
				if tc.code == checks.CodeOK {
					return
				}
				if res.Status != checks.StatusFail || res.Owner != checks.OwnerIT || res.Params["host"] != "127.0.0.1" {
					t.Errorf("got %s owner %s params %v", res.Status, res.Owner, res.Params)
				}
			})
		}
	}
}

// TestNoClientCertificateRequested: a plain server never gets the
// evidence that it asked for a client certificate.
func TestNoClientCertificateRequested(t *testing.T) {
	f := newFactory(t)
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{*leaf(t, f, certs.Valid, "127.0.0.1")}}, loginPage())
	res := run(t, envFor(t, "https://"+addr+"/", f))
	if res.Code != checks.CodeOK {
		t.Fatalf("got %s (%s)", res.Code, res.Summary)
	}
	if _, ok := res.Evidence["client_certificate_requested"]; ok {
		t.Fatalf("evidence says a client certificate was requested: %v", res.Evidence)
	}
}
