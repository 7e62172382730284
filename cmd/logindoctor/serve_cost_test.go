package main

import (
	"crypto/tls"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/crm"
)

// What one probe costs the login host, in TLS handshakes: with a module's
// default checks, tls.certificate and http.login make one each with a
// browser's hello (the post-quantum hybrid key share first), and
// clock.skew's Date request one with the classic key shares, which cost
// both ends a fraction of the hybrid's work; a module that lists
// net.quality adds its six round trips and its download, classic too, as
// every connection that only measures.
func TestProbeHandshakeBudget(t *testing.T) {
	var mu sync.Mutex
	hybrid, classic := 0, 0
	w := newBenchWorld(t, crm.Options{OnHello: func(h *tls.ClientHelloInfo) {
		mu.Lock()
		defer mu.Unlock()
		if slices.Contains(h.SupportedCurves, tls.X25519MLKEM768) {
			hybrid++
		} else {
			classic++
		}
	}})
	client := &http.Client{Timeout: 30 * time.Second}
	for _, tc := range []struct {
		module          string
		hybrid, classic int
	}{
		{"office", 2, 1},  // tls.certificate, http.login; the Date
		{"quality", 2, 8}, // and six round trips and the download
	} {
		benchProbe(t, client, startBenchServe(t, w, tc.module))
		mu.Lock()
		if hybrid != tc.hybrid || classic != tc.classic {
			t.Errorf("module %s: one probe made %d handshakes with the hybrid key share (want %d) and %d with the classic ones (want %d)", tc.module, hybrid, tc.hybrid, classic, tc.classic)
		}
		hybrid, classic = 0, 0
		mu.Unlock()
	}
}
