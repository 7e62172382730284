package report

import (
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

func TestLocalizeSchedule(t *testing.T) {
	for _, tc := range []struct{ lang, in, want string }{
		{"zh", "Mon-Sun 07:49-15:49 UTC", "周一至周日 07:49-15:49 UTC"},
		{"zh", "Mon,Wed 09:00-18:00; Sat,Sun 10:00-12:00 Asia/Shanghai", "周一、周三 09:00-18:00; 周六、周日 10:00-12:00 Asia/Shanghai"},
		{"en", "Mon-Fri 08:00-20:00 Asia/Shanghai", "Mon-Fri 08:00-20:00 Asia/Shanghai"},
	} {
		if got := localizeSchedule(Messages(tc.lang), tc.in); got != tc.want {
			t.Errorf("%s %q → %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}

// TestLoginHoursInTheReadersLanguage: the fix for a login outside the
// allowed hours names the days in Chinese in a Chinese report.
func TestLoginHoursInTheReadersLanguage(t *testing.T) {
	res := checks.Finding(checks.StatusFail, "POLICY_OUTSIDE_HOURS", checks.SeverityHigh, checks.OwnerYou, "outside").
		WithParam("hours", "Mon-Sun 07:49-15:49 UTC").WithParam("now", "2026-12-01 16:00").
		WithParam("next_open", "2026-12-02 07:49").WithParam("zone", "UTC")
	res.Check, res.Stage = "policy.hours", checks.StagePolicy
	rep := Build([]checks.Result{res}, Options{Lang: "zh", ReportID: "LD-TEST22"})
	if len(rep.Fixes) != 1 || !strings.Contains(strings.Join(rep.Fixes[0].Steps, "\n"), "周一至周日 07:49-15:49 UTC") {
		t.Fatalf("fixes %+v: want the days in Chinese", rep.Fixes)
	}
}
