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

// What one probe of the default checks costs the login host, in TLS
// handshakes: tls.certificate and http.login each make one with a
// browser's hello (the post-quantum hybrid key share first); the ones that
// only measure — net.quality's six round trips and its download,
// clock.skew's Date — offer the classic key shares, which cost both ends
// a fraction of the hybrid's work.
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
	probe := startBenchServe(t, w, "office")
	benchProbe(t, &http.Client{Timeout: 30 * time.Second}, probe)
	mu.Lock()
	defer mu.Unlock()
	if hybrid != 2 || classic != 8 {
		t.Errorf("one probe made %d handshakes with the hybrid key share (want 2: tls.certificate, http.login) and %d with the classic ones (want 8: six round trips, the download, the Date)", hybrid, classic)
	}
}
