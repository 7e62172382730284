package report

import (
	"regexp"
	"strings"
)

// scheduleDays finds the days of a canonical login-hours schedule
// (policy.hours writes "Mon-Fri 08:00-20:00 Asia/Shanghai; Sat,Sun …"): a
// day, or a range of two.
var scheduleDays = regexp.MustCompile(`\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))?\b`)

// localizeSchedule translates the day names and ranges of a canonical
// schedule into the reader's language ("Mon-Sun 07:49-15:49 UTC" →
// "周一至周日 07:49–15:49 UTC"); times and zones stay as they are.
func localizeSchedule(tr *Translator, s string) string {
	day := func(d string) string { return tr.T("weekday."+d, nil) }
	s = scheduleDays.ReplaceAllStringFunc(s, func(m string) string {
		from, to, isRange := strings.Cut(m, "-")
		if !isRange {
			return day(from)
		}
		return tr.T("weekday.range", map[string]any{"from": day(from), "to": day(to)})
	})
	return strings.ReplaceAll(s, ",", tr.T("weekday.separator", nil))
}
