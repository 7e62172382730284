package report

import (
	"encoding/xml"
	"testing"
)

// A check the exit decision counts as failed — here a warning under
// --strict — is a <failure> in JUnit, so the CI's test view agrees with
// the exit code; without the option it stays a passing case with output.
func TestJUnitFailingMarksWarningsAsFailures(t *testing.T) {
	rep := sampleReport(t, "en")
	var warned string
	for _, e := range rep.Results {
		if e.Status == "warn" {
			warned = e.Check
			break
		}
	}
	if warned == "" {
		t.Fatal("the sample report has no warning")
	}
	for _, failing := range []bool{false, true} {
		opts := RenderOptions{}
		if failing {
			opts.Failing = []string{warned}
		}
		var doc junitSuites
		if err := xml.Unmarshal(render(t, rep, "junit", opts), &doc); err != nil {
			t.Fatal(err)
		}
		for _, c := range doc.Suites[0].Cases {
			if c.Name == warned && (c.Failure != nil) != failing {
				t.Errorf("failing=%v: warned check %s has failure %+v", failing, warned, c.Failure)
			}
		}
	}
}
