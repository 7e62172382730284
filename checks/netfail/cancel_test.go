package netfail

import (
	"context"
	"fmt"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

// A connect cut short by cancellation says nothing about the network.
func TestCancelledConnectIsNoNetworkAdvice(t *testing.T) {
	f := Dial(fmt.Errorf("dial tcp 10.1.2.3:443: %w", context.Canceled))
	if f.Code != checks.CodeCheckError || f.Kind != KindCancelled {
		t.Fatalf("cancelled connect = %s/%s, want CHECK_ERROR/cancelled", f.Code, f.Kind)
	}
}
