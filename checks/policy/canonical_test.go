package policy

import "testing"

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"Mon-Fri 08:00-20:00 Asia/Shanghai", "Mon-Fri 08:00-20:00 Asia/Shanghai"},
		{"周一至周五 9:00-18:00", "Mon-Fri 09:00-18:00"},
		{"weekends 10:00-12:00 UTC", "Sat,Sun 10:00-12:00 UTC"},
		{"Mon,Wed 09:00-18:00; Sun 22:00-06:00", "Mon,Wed 09:00-18:00; Sun 22:00-06:00"},
		{"08:00-24:00", "Mon-Sun 08:00-24:00"},
	} {
		h, err := ParseHours(tc.spec)
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		if got := h.Canonical(); got != tc.want {
			t.Errorf("%q: Canonical() = %q, want %q", tc.spec, got, tc.want)
		}
	}
}
