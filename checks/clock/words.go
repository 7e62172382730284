package clock

import (
	"fmt"
	"strconv"
	"time"
)

// offsetParts splits |d| into at most two language-neutral parts for the
// messages: under 2 min seconds only ("90 s"), under 1 h minutes and
// seconds ("4 min 12 s"), under 2 days hours and minutes, else days and
// hours. Unused parts are "" so templates can leave them out.
type offsetParts struct {
	Days, Hours, Minutes, Seconds string
}

func splitOffset(d time.Duration) offsetParts {
	if d < 0 {
		d = -d
	}
	s := int64(d.Round(time.Second) / time.Second)
	var p offsetParts
	nz := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	switch {
	case s < 120:
		p.Seconds = strconv.FormatInt(s, 10)
	case s < 3600:
		p.Minutes, p.Seconds = nz(s/60), nz(s%60)
	case s < 48*3600:
		m := (s + 30) / 60
		p.Hours, p.Minutes = nz(m/60), nz(m%60)
	default:
		h := (s + 1800) / 3600
		p.Days, p.Hours = nz(h/24), nz(h%24)
	}
	return p
}

// words is the English form: "4 min 12 s", "90 s", "3 h 5 min", "2 days 4 h".
func (p offsetParts) words() string {
	out := ""
	add := func(v, unit string) {
		if v == "" {
			return
		}
		if out != "" {
			out += " "
		}
		out += v + " " + unit
	}
	days := "days"
	if p.Days == "1" {
		days = "day"
	}
	add(p.Days, days)
	add(p.Hours, "h")
	add(p.Minutes, "min")
	add(p.Seconds, "s")
	return out
}

// direction is "fast" when the local clock is ahead of true time.
func direction(skew time.Duration) string {
	if skew > 0 {
		return "fast"
	}
	return "slow"
}

// seconds is d in seconds with millisecond precision, for evidence.
func seconds(d time.Duration) float64 {
	return float64(d.Round(time.Millisecond)) / float64(time.Second)
}

// utcOffset formats a zone offset in seconds as "+08:00".
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d:%02d", sign, sec/3600, sec%3600/60)
}
