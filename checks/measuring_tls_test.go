package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// A connection that only measures still reaches every server a browser
// reaches: one that accepts P-384 alone (a hardened configuration)
// answers it, and the hello offers no post-quantum hybrid.
func TestMeasuringTLSReachesWhatABrowserReaches(t *testing.T) {
	var mu sync.Mutex
	var offered []tls.CurveID
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.TLS = &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384}, GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		defer mu.Unlock()
		offered = h.SupportedCurves
		return nil, nil
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	env := NewEnv(Target{})
	env.RootCAs = x509.NewCertPool()
	env.RootCAs.AddCert(srv.Certificate())
	tr := env.Transport(Route{Source: SourceDirect}, env.MeasuringTLS())
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("a P-384-only server: %v", err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	for _, c := range offered {
		if c == tls.X25519MLKEM768 {
			t.Errorf("the measuring hello offers the hybrid: %v", offered)
		}
	}
}
