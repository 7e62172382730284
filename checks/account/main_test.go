package account

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain stops the real directory servers the tests started, then fails
// the package if a test left goroutines behind (hanging API calls,
// servers not closed).
func TestMain(m *testing.M) {
	code := m.Run()
	closeRealDirs()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
