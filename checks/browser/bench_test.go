package browser

import (
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
