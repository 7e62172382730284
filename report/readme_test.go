package report

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEListsEveryReasonCode keeps the helpdesk's table of codes in the
// README in step with the public list.
func TestREADMEListsEveryReasonCode(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, row := range ReasonCodes() {
		for _, code := range row.Codes {
			if !strings.Contains(readme, "`"+code+"`") {
				t.Errorf("README.md does not list %s", code)
			}
		}
	}
}
