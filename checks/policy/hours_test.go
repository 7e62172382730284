package policy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func runHours(t *testing.T, spec string, now time.Time) checks.Result {
	t.Helper()
	env := checks.NewEnv(checks.Target{Policy: checks.PolicyConfig{LoginHours: spec}})
	env.Now = func() time.Time { return now }
	return NewHours().Run(context.Background(), env, nil)
}

func TestHoursWindows(t *testing.T) {
	sh := mustLoad(t, "Asia/Shanghai")
	ny := mustLoad(t, "America/New_York")
	cases := []struct {
		name, spec string
		now        time.Time
		open       bool
		nextOpen   string // Params[next_open] when closed
		zone       string
	}{
		{"weekday inside", "Mon-Fri 08:00-20:00 Asia/Shanghai", time.Date(2026, 11, 25, 9, 0, 0, 0, sh), true, "", ""},
		{"weekday after hours", "Mon-Fri 08:00-20:00 Asia/Shanghai", time.Date(2026, 11, 25, 21, 5, 0, 0, sh), false, "2026-11-26 08:00", "Asia/Shanghai"},
		{"end is exclusive", "Mon-Fri 08:00-20:00 Asia/Shanghai", time.Date(2026, 11, 25, 20, 0, 0, 0, sh), false, "2026-11-26 08:00", "Asia/Shanghai"},
		{"start is inclusive", "Mon-Fri 08:00-20:00 Asia/Shanghai", time.Date(2026, 11, 25, 8, 0, 0, 0, sh), true, "", ""},
		{"saturday → monday", "Mon-Fri 08:00-20:00 Asia/Shanghai", time.Date(2026, 11, 28, 10, 0, 0, 0, sh), false, "2026-11-30 08:00", "Asia/Shanghai"},
		{"friday night → monday", "Mon-Fri 08:00-20:00 Asia/Shanghai", time.Date(2026, 11, 27, 23, 59, 0, 0, sh), false, "2026-11-30 08:00", "Asia/Shanghai"},
		// 01:00 UTC Wednesday is 09:00 Wednesday in Shanghai: inside.
		{"other zone inside", "Mon-Fri 08:00-20:00 Asia/Shanghai", time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC), true, "", ""},
		// 13:00 New York Friday is 02:00 Saturday in Shanghai: outside.
		{"other zone, already weekend there", "Mon-Fri 08:00-20:00 Asia/Shanghai", time.Date(2026, 11, 27, 13, 0, 0, 0, ny), false, "2026-11-30 08:00", "Asia/Shanghai"},
		{"list of days", "Mon,Wed 09:00-18:00", time.Date(2026, 11, 24, 10, 0, 0, 0, sh), false, "2026-11-25 09:00", "UTC+08:00"},
		{"list of days inside", "Mon,Wed 09:00-18:00", time.Date(2026, 11, 25, 10, 0, 0, 0, sh), true, "", ""},
		{"weekend window UTC", "Sat-Sun 10:00-12:00 UTC", time.Date(2026, 11, 29, 11, 0, 0, 0, time.UTC), true, "", ""},
		{"weekend window UTC, weekday", "Sat-Sun 10:00-12:00 UTC", time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC), false, "2026-12-05 10:00", "UTC"},
		{"overnight before midnight", "Fri 22:00-06:00 UTC", time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC), true, "", ""},
		{"overnight after midnight (Saturday)", "Fri 22:00-06:00 UTC", time.Date(2026, 11, 28, 5, 59, 0, 0, time.UTC), true, "", ""},
		{"overnight ended", "Fri 22:00-06:00 UTC", time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC), false, "2026-12-04 22:00", "UTC"},
		{"overnight daily", "22:00-06:00 +08:00", time.Date(2026, 11, 25, 3, 0, 0, 0, sh), true, "", ""},
		{"several windows, lunch break", "Mon-Fri 08:00-12:00; Mon-Fri 13:00-18:00 Asia/Shanghai", time.Date(2026, 11, 25, 12, 30, 0, 0, sh), false, "2026-11-25 13:00", "Asia/Shanghai"},
		{"several windows, afternoon", "Mon-Fri 08:00-12:00; Mon-Fri 13:00-18:00 Asia/Shanghai", time.Date(2026, 11, 25, 14, 0, 0, 0, sh), true, "", ""},
		{"whole day", "Sun 00:00-24:00 UTC", time.Date(2026, 11, 29, 23, 59, 0, 0, time.UTC), true, "", ""},
		{"guide's en dash", "周一-周五 9:00–18:00 Asia/Shanghai", time.Date(2026, 11, 25, 18, 30, 0, 0, sh), false, "2026-11-26 09:00", "Asia/Shanghai"},
		// DST: New York springs forward on 2026-03-08; 08:00 local is 12:00 UTC.
		{"DST day", "Sun 08:00-09:00 America/New_York", time.Date(2026, 3, 8, 11, 30, 0, 0, time.UTC), false, "2026-03-08 08:00", "America/New_York"},
		{"DST day inside", "Sun 08:00-09:00 America/New_York", time.Date(2026, 3, 8, 12, 30, 0, 0, time.UTC), true, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runHours(t, c.spec, c.now)
			if c.open {
				if res.Status != checks.StatusPass {
					t.Fatalf("got %s/%s (%s), want pass", res.Status, res.Code, res.Summary)
				}
				return
			}
			if res.Status != checks.StatusFail || res.Code != CodeOutsideHours || res.Owner != checks.OwnerYou || res.Severity != checks.SeverityHigh {
				t.Fatalf("got %s/%s %s/%s (%s), want fail/%s high/you", res.Status, res.Code, res.Severity, res.Owner, res.Summary, CodeOutsideHours)
			}
			if res.Params["next_open"] != c.nextOpen || res.Params["zone"] != c.zone {
				t.Errorf("next_open %q zone %q, want %q %q", res.Params["next_open"], res.Params["zone"], c.nextOpen, c.zone)
			}
			if res.Params["hours"] == "" || res.Params["now"] == "" {
				t.Errorf("params %v lack hours/now", res.Params)
			}
		})
	}
}

func TestHoursNotConfiguredAndBad(t *testing.T) {
	res := runHours(t, "", time.Now())
	if res.Code != checks.CodeNotConfigured || res.Params["setting"] != "policy.login_hours" {
		t.Errorf("empty: %s %v", res.Code, res.Params)
	}
	res = runHours(t, "Mon-Fri 25:00-26:00", time.Now())
	if res.Status != checks.StatusError || !strings.Contains(res.Summary, "policy.login_hours") {
		t.Errorf("bad spec: %s %q", res.Status, res.Summary)
	}
}

func TestParseHoursErrors(t *testing.T) {
	bad := []string{
		"", ";", "Mon-Fri", "Funday 08:00-20:00", "Mon-Fri 8-20", "Mon-Fri 08:00-20:00 Mars/Olympus",
		"Mon-Fri 08:00-08:00", "Mon-Fri 24:00-08:00", "Mon-Fri 08:60-09:00", "Mon-Fri 08:00-20:00 UTC extra",
		"Mon 08:00-12:00 UTC; Tue 08:00-12:00 Asia/Shanghai; Wed 08:00-12:00", "Mon-Fri 08:00-20:00 Local",
		"Mon 08:00-12:00 UTC+15",
	}
	for _, s := range bad {
		if _, err := ParseHours(s); err == nil {
			t.Errorf("ParseHours(%q) accepted", s)
		}
	}
	good := []string{
		"Mon-Fri 08:00-20:00 Asia/Shanghai", "Mon,Wed 09:00-18:00", "Sat-Sun 10:00-12:00 UTC",
		"22:00-06:00", "Fri-Mon 00:00-24:00", "weekdays 09:00 - 18:00 UTC+8", "Mon-Fri 08:00-12:00; Mon-Fri 13:00-18:00 Asia/Shanghai",
		"Mon 08:00-12:00 UTC; Tue 08:00-12:00 Asia/Shanghai",
	}
	for _, s := range good {
		if _, err := ParseHours(s); err != nil {
			t.Errorf("ParseHours(%q): %v", s, err)
		}
	}
}

func TestZoneInherited(t *testing.T) {
	h, err := ParseHours("Mon-Fri 08:00-12:00; Mon-Fri 13:00-18:00 Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	if h.Windows[0].Zone != "Asia/Shanghai" {
		t.Errorf("first window zone %q, want the one named on the second", h.Windows[0].Zone)
	}
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{
		"Mon-Fri 08:00-20:00 Asia/Shanghai", "Mon,Wed 09:00-18:00", "Sat-Sun 10:00-12:00 UTC", "22:00-06:00",
		"Mon-Fri 08:00-12:00; Mon-Fri 13:00-18:00", "周一-周五 9:00–18:00", "Fri-Mon 00:00-24:00 UTC-03:30",
		"", ";;;", "Mon-Fri 99:99-00:00", strings.Repeat("Mon ", 1000), "Mon-Fri 08:00-20:00 " + strings.Repeat("a/", 300),
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		h, err := ParseHours(spec)
		if err != nil {
			return
		}
		if len(h.Windows) == 0 {
			t.Fatalf("no windows and no error for %q", spec)
		}
		open, closes, _ := h.Open(now)
		if open && !closes.After(now) {
			t.Fatalf("open but closes at %v (now %v) for %q", closes, now, spec)
		}
		if next, _, ok := h.NextOpen(now); ok && !next.After(now) {
			t.Fatalf("next open %v not after now for %q", next, spec)
		}
	})
}
