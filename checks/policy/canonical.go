package policy

import (
	"fmt"
	"strings"
	"time"
)

// dayNames are the English short day names the canonical form uses (the
// report translates them: see report's schedule wording).
var dayNames = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// Canonical spells the windows out in one fixed form, whatever the spec's
// own spelling ("weekdays 8-20", "周一至周五 …"): "Mon-Fri 08:00-20:00
// Asia/Shanghai; Sat-Sun 10:00-12:00". Days are English short names and
// ranges run Monday first, so a report can translate them word by word.
func (h Hours) Canonical() string {
	parts := make([]string, 0, len(h.Windows))
	for _, w := range h.Windows {
		s := fmt.Sprintf("%s %s-%s", dayList(w.Days), clockText(w.Start), clockText(w.End))
		if w.Zone != "" {
			s += " " + w.Zone
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// dayList writes the days Monday first, runs of three or more as ranges
// ("Mon-Fri"), others by commas ("Mon,Wed").
func dayList(days [7]bool) string {
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	var out []string
	for i := 0; i < len(order); {
		if !days[order[i]] {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && days[order[j+1]] {
			j++
		}
		switch {
		case j-i >= 2:
			out = append(out, dayNames[order[i]]+"-"+dayNames[order[j]])
		default:
			for k := i; k <= j; k++ {
				out = append(out, dayNames[order[k]])
			}
		}
		i = j + 1
	}
	return strings.Join(out, ",")
}

// clockText writes minutes after midnight as HH:MM (1440 as 24:00).
func clockText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
