package pac

import (
	"strconv"
	"strings"
	"time"
)

// The time helpers take their arguments as the strings JavaScript would
// print (numbers as "9"), and the current time from the evaluator's clock.
// A trailing "GMT" switches to UTC. Ranges are inclusive; when the start
// lies after the end the range wraps around (FRI–MON, 22–6, DEC–FEB).

var weekdays = map[string]int{"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}

var months = map[string]int{
	"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
	"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
}

// stripGMT removes a trailing "GMT" argument and converts now to UTC then.
func stripGMT(args []string, now time.Time) ([]string, time.Time) {
	if n := len(args); n > 0 && strings.EqualFold(strings.TrimSpace(args[n-1]), "GMT") {
		return args[:n-1], now.UTC()
	}
	return args, now
}

func inRange(lo, v, hi int) bool {
	if lo <= hi {
		return lo <= v && v <= hi
	}
	return v >= lo || v <= hi
}

// weekdayRange(wd1 [, wd2] [, "GMT"]).
func weekdayRange(args []string, now time.Time) bool {
	args, now = stripGMT(args, now)
	if len(args) < 1 || len(args) > 2 {
		return false
	}
	d1, ok1 := weekdays[strings.ToUpper(strings.TrimSpace(args[0]))]
	d2, ok2 := d1, true
	if len(args) == 2 {
		d2, ok2 = weekdays[strings.ToUpper(strings.TrimSpace(args[1]))]
	}
	if !ok1 || !ok2 {
		return false
	}
	return inRange(d1, int(now.Weekday()), d2)
}

// Date fields, most significant first.
const (
	fieldYear = iota
	fieldMonth
	fieldDay
)

type dateArg struct {
	field int
	value int
}

func parseDateArg(s string) (dateArg, bool) {
	s = strings.TrimSpace(s)
	if m, ok := months[strings.ToUpper(s)]; ok {
		return dateArg{fieldMonth, m}, true
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil || n < 1:
		return dateArg{}, false
	case n < 32:
		return dateArg{fieldDay, n}, true
	}
	return dateArg{fieldYear, n}, true
}

// dateKey packs the given fields of a date into one comparable number.
func dateKey(fields []int, vals [3]int) int {
	k := 0
	for f := fieldYear; f <= fieldDay; f++ {
		k *= 10000
		for _, g := range fields {
			if g == f {
				k += vals[f]
			}
		}
	}
	return k
}

// dateRange(day | month | year), (x1, x2), (day1, month1, day2, month2),
// (month1, year1, month2, year2), (day1, month1, year1, day2, month2, year2),
// each with an optional trailing "GMT".
func dateRange(args []string, now time.Time) bool {
	args, now = stripGMT(args, now)
	n := len(args)
	if n < 1 || n > 6 || (n > 1 && n%2 == 1) {
		return false
	}
	parsed := make([]dateArg, n)
	for i, a := range args {
		d, ok := parseDateArg(a)
		if !ok {
			return false
		}
		parsed[i] = d
	}
	cur := [3]int{now.Year(), int(now.Month()), now.Day()}
	if n == 1 {
		return cur[parsed[0].field] == parsed[0].value
	}
	half := n / 2
	var fields []int
	var lo, hi [3]int
	seen := map[int]bool{}
	for i := 0; i < half; i++ {
		a, b := parsed[i], parsed[half+i]
		if a.field != b.field || seen[a.field] {
			return false
		}
		seen[a.field] = true
		fields = append(fields, a.field)
		lo[a.field], hi[b.field] = a.value, b.value
	}
	start, end, v := dateKey(fields, lo), dateKey(fields, hi), dateKey(fields, cur)
	if start > end && seen[fieldYear] {
		return false
	}
	return inRange(start, v, end)
}

// timeRange(hour), (hour1, hour2), (h1, m1, h2, m2), (h1, m1, s1, h2, m2, s2),
// each with an optional trailing "GMT".
func timeRange(args []string, now time.Time) bool {
	args, now = stripGMT(args, now)
	nums := make([]int, len(args))
	for i, a := range args {
		v, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil || v < 0 {
			return false
		}
		nums[i] = v
	}
	h, m, s := now.Clock()
	switch len(nums) {
	case 1:
		return h == nums[0]
	case 2:
		return inRange(nums[0], h, nums[1])
	case 4:
		lo := nums[0]*3600 + nums[1]*60
		hi := nums[2]*3600 + nums[3]*60 + 59
		return inRange(lo, h*3600+m*60+s, hi)
	case 6:
		lo := nums[0]*3600 + nums[1]*60 + nums[2]
		hi := nums[3]*3600 + nums[4]*60 + nums[5]
		return inRange(lo, h*3600+m*60+s, hi)
	}
	return false
}
