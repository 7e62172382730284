package account

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines behind (hanging
// API calls, servers not closed).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
