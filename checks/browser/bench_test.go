package browser

import (
	"context"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
)

// BenchmarkBrowserPage measures the whole check on a loopback page:
// launch → load → probes → screenshot → close and cleanup.
func BenchmarkBrowserPage(b *testing.B) {
	needChrome(b)
	srv := startPages(b, loginpages.Options{})
	c := testCheck(b)
	var launch time.Duration
	for b.Loop() {
		r := runCheck(b, c, checks.Target{}, srv.URL(loginpages.Healthy), 10*time.Second)
		if r.Code != checks.CodeOK {
			b.Fatalf("%s: %s", r.Code, r.Summary)
		}
		ms, _ := r.Evidence["launch_ms"].(int64)
		launch += time.Duration(ms) * time.Millisecond
	}
	b.ReportMetric(float64(launch.Milliseconds())/float64(b.N), "launch-ms/op")
}

// BenchmarkPageCold is one browser.page run that launches its own Chrome
// (as without a pool): launch → page → close and cleanup.
func BenchmarkPageCold(b *testing.B) {
	needChrome(b)
	srv := startPages(b, loginpages.Options{})
	c := testCheck(b)
	for b.Loop() {
		if r := runCheck(b, c, checks.Target{}, srv.URL(loginpages.Healthy), 10*time.Second); r.Code != checks.CodeOK {
			b.Fatalf("%s: %s", r.Code, r.Summary)
		}
	}
}

// BenchmarkPageWarm is the same run on a warm pool: a fresh incognito
// context in a Chrome that is already up, disposed of afterwards.
func BenchmarkPageWarm(b *testing.B) {
	needChrome(b)
	srv := startPages(b, loginpages.Options{})
	p := NewPool(PoolOptions{Size: 1, TempDir: b.TempDir()})
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	if r := runPooled(b, p, srv.URL(loginpages.Healthy), 10*time.Second); r.Code != checks.CodeOK {
		b.Fatalf("%s: %s", r.Code, r.Summary)
	}
	b.ResetTimer()
	for b.Loop() {
		if r := runPooled(b, p, srv.URL(loginpages.Healthy), 10*time.Second); r.Code != checks.CodeOK {
			b.Fatalf("%s: %s", r.Code, r.Summary)
		}
	}
}
