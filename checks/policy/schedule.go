package policy

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Hours is a parsed policy.login_hours: weekly windows in which logging in
// is allowed. A window's end at or before its start runs past midnight
// ("22:00-06:00" on Fri is Fri 22:00 to Sat 06:00).
type Hours struct {
	Windows []Window
	spec    string
}

// Window is one weekly login window.
type Window struct {
	Days       [7]bool // by time.Weekday
	Start, End int     // minutes after midnight; End is 1..1440
	// Zone is the time zone as written ("" = this computer's); Loc is
	// the loaded zone (nil = local).
	Zone string
	Loc  *time.Location
}

// String is the spec the Hours were parsed from.
func (h Hours) String() string { return h.spec }

const minutesPerDay = 24 * 60

// Most windows a spec may hold; more is surely a mistake.
const maxWindows = 64

var (
	dashes   = regexp.MustCompile(`\s*[-–—~至到]\s*`)
	commas   = regexp.MustCompile(`\s*[,，、]\s*`)
	offsetTZ = regexp.MustCompile(`^(?i)(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$`)
)

// ParseHours parses a login-hours spec: windows separated by ';', each
// "[DAYS] HH:MM-HH:MM [ZONE]". DAYS is a comma list of days or day ranges
// (Mon-Fri, Sat-Sun, Mon,Wed; also weekdays, weekends, full names and 周一…周日);
// no DAYS means every day. ZONE is an IANA name (Asia/Shanghai), UTC,
// or an offset (UTC+8, +08:00); a zone named on one window applies to the
// windows that name none, and without any the computer's own zone is used.
// Examples: "Mon-Fri 08:00-20:00 Asia/Shanghai", "Mon,Wed 09:00-18:00",
// "Sat-Sun 10:00-12:00 UTC", "Mon-Fri 08:00-12:00; Mon-Fri 13:00-18:00",
// "Fri 22:00-06:00".
func ParseHours(spec string) (Hours, error) {
	h := Hours{spec: strings.TrimSpace(spec)}
	if h.spec == "" {
		return Hours{}, errors.New("empty login hours")
	}
	parts := strings.FieldsFunc(h.spec, func(r rune) bool { return r == ';' || r == '；' || r == '\n' })
	if len(parts) > maxWindows {
		return Hours{}, fmt.Errorf("more than %d windows", maxWindows)
	}
	for i, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		w, err := parseWindow(p)
		if err != nil {
			return Hours{}, fmt.Errorf("window %d %q: %w", i+1, clip(strings.TrimSpace(p)), err)
		}
		h.Windows = append(h.Windows, w)
	}
	if len(h.Windows) == 0 {
		return Hours{}, errors.New("no window (e.g. \"Mon-Fri 08:00-20:00 Asia/Shanghai\")")
	}
	return h, inheritZone(h.Windows)
}

// inheritZone gives windows without a zone the one zone named elsewhere.
func inheritZone(ws []Window) error {
	var named *Window
	for i := range ws {
		if ws[i].Zone == "" {
			continue
		}
		if named != nil && named.Loc.String() != ws[i].Loc.String() {
			for _, w := range ws {
				if w.Zone == "" {
					return fmt.Errorf("windows name different time zones (%s, %s): name the zone on every window", named.Zone, ws[i].Zone)
				}
			}
		}
		if named == nil {
			named = &ws[i]
		}
	}
	for i := range ws {
		if ws[i].Zone == "" && named != nil {
			ws[i].Zone, ws[i].Loc = named.Zone, named.Loc
		}
	}
	return nil
}

func parseWindow(s string) (Window, error) {
	s = commas.ReplaceAllString(dashes.ReplaceAllString(strings.TrimSpace(s), "-"), ",")
	fields := strings.Fields(s)
	var w Window
	if len(fields) > 0 && !strings.Contains(fields[0], ":") {
		days, err := parseDays(fields[0])
		if err != nil {
			return Window{}, err
		}
		w.Days = days
		fields = fields[1:]
	} else {
		w.Days = [7]bool{true, true, true, true, true, true, true}
	}
	if len(fields) == 0 {
		return Window{}, errors.New("no time range (e.g. 08:00-20:00)")
	}
	var err error
	if w.Start, w.End, err = parseRange(fields[0]); err != nil {
		return Window{}, err
	}
	switch len(fields) {
	case 1:
	case 2:
		if w.Loc, err = loadZone(fields[1]); err != nil {
			return Window{}, err
		}
		w.Zone = fields[1]
	default:
		return Window{}, fmt.Errorf("unexpected %q after the time zone", clip(strings.Join(fields[2:], " ")))
	}
	return w, nil
}

func parseDays(s string) ([7]bool, error) {
	var days [7]bool
	for _, item := range strings.Split(s, ",") {
		switch strings.ToLower(item) {
		case "weekdays", "workdays", "工作日":
			for d := time.Monday; d <= time.Friday; d++ {
				days[d] = true
			}
			continue
		case "weekends", "weekend", "周末":
			days[time.Saturday], days[time.Sunday] = true, true
			continue
		case "daily", "everyday", "每天":
			return [7]bool{true, true, true, true, true, true, true}, nil
		}
		from, to, isRange := strings.Cut(item, "-")
		a, err := parseDay(from)
		if err != nil {
			return days, err
		}
		b := a
		if isRange {
			if b, err = parseDay(to); err != nil {
				return days, err
			}
		}
		for d := a; ; d = (d + 1) % 7 { // a range may wrap: Fri-Mon
			days[d] = true
			if d == b {
				break
			}
		}
	}
	return days, nil
}

func parseDay(s string) (time.Weekday, error) {
	names := [7][]string{
		{"sun", "sunday", "周日", "周天", "星期日", "星期天"},
		{"mon", "monday", "周一", "星期一"},
		{"tue", "tues", "tuesday", "周二", "星期二"},
		{"wed", "wednesday", "周三", "星期三"},
		{"thu", "thur", "thurs", "thursday", "周四", "星期四"},
		{"fri", "friday", "周五", "星期五"},
		{"sat", "saturday", "周六", "星期六"},
	}
	l := strings.ToLower(strings.TrimSpace(s))
	for d, ns := range names {
		for _, n := range ns {
			if l == n {
				return time.Weekday(d), nil
			}
		}
	}
	return 0, fmt.Errorf("unknown day %q (use Mon Tue Wed Thu Fri Sat Sun)", clip(s))
}

// parseRange parses "HH:MM-HH:MM"; the end may be 24:00, and an end at or
// before the start means the window runs past midnight.
func parseRange(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("time range %q is not HH:MM-HH:MM", clip(s))
	}
	start, err := parseClock(a, false)
	if err != nil {
		return 0, 0, err
	}
	end, err := parseClock(b, true)
	if err != nil {
		return 0, 0, err
	}
	if start == end%minutesPerDay && end != minutesPerDay {
		return 0, 0, fmt.Errorf("time range %q starts where it ends (use 00:00-24:00 for the whole day)", clip(s))
	}
	return start, end, nil
}

func parseClock(s string, end bool) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || len(hh) > 2 || len(mm) != 2 || h < 0 || m < 0 || m > 59 {
		return 0, fmt.Errorf("time %q is not HH:MM", clip(s))
	}
	if h > 24 || (h == 24 && (m != 0 || !end)) {
		return 0, fmt.Errorf("time %q is past 24:00", clip(s))
	}
	return h*60 + m, nil
}

func loadZone(name string) (*time.Location, error) {
	if m := offsetTZ.FindStringSubmatch(name); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins, _ := strconv.Atoi("0" + m[3])
		if h > 14 || mins > 59 {
			return nil, fmt.Errorf("time zone offset %q is out of range", clip(name))
		}
		off := (h*60 + mins) * 60
		if m[1] == "-" {
			off = -off
		}
		return time.FixedZone(name, off), nil
	}
	if strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("leave the time zone out to use this computer's (not %q)", clip(name))
	}
	if strings.EqualFold(name, "utc") || strings.EqualFold(name, "gmt") || name == "Z" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (use an IANA name such as Asia/Shanghai, or UTC+8)", clip(name))
	}
	return loc, nil
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// loc is the window's zone, or now's when the window names none.
func (w Window) loc(now time.Time) *time.Location {
	if w.Loc != nil {
		return w.Loc
	}
	return now.Location()
}

// span is the window's interval that starts on the given calendar day.
func (w Window) span(y int, m time.Month, d int, loc *time.Location) (time.Time, time.Time) {
	start := time.Date(y, m, d, w.Start/60, w.Start%60, 0, 0, loc)
	endDay := d
	if w.End <= w.Start {
		endDay++
	}
	end := time.Date(y, m, endDay, w.End/60, w.End%60, 0, 0, loc)
	return start, end
}

// Open reports whether now is inside a window and, if so, when that
// window closes.
func (h Hours) Open(now time.Time) (bool, time.Time, Window) {
	for _, w := range h.Windows {
		t := now.In(w.loc(now))
		for _, back := range []int{0, -1} { // yesterday's window may run past midnight
			y, m, d := t.AddDate(0, 0, back).Date()
			if !w.Days[time.Date(y, m, d, 12, 0, 0, 0, t.Location()).Weekday()] {
				continue
			}
			start, end := w.span(y, m, d, t.Location())
			if !now.Before(start) && now.Before(end) {
				return true, end, w
			}
		}
	}
	return false, time.Time{}, Window{}
}

// NextOpen is the earliest window start after now (within eight days).
func (h Hours) NextOpen(now time.Time) (time.Time, Window, bool) {
	var best time.Time
	var bw Window
	for _, w := range h.Windows {
		t := now.In(w.loc(now))
		for ahead := 0; ahead <= 8; ahead++ {
			y, m, d := t.AddDate(0, 0, ahead).Date()
			if !w.Days[time.Date(y, m, d, 12, 0, 0, 0, t.Location()).Weekday()] {
				continue
			}
			start, _ := w.span(y, m, d, t.Location())
			if start.After(now) && (best.IsZero() || start.Before(best)) {
				best, bw = start, w
			}
		}
	}
	return best, bw, !best.IsZero()
}

// zoneLabel names the zone for people: the IANA name when there is one,
// else the UTC offset.
func zoneLabel(w Window, t time.Time) string {
	if w.Zone != "" {
		return w.Zone
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
}
