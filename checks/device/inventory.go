package device

import (
	"strconv"
	"strings"
)

// Browser families. They are also the keys of browser.min_major and
// browser.exclude in the configuration.
const (
	FamilyChrome   = "chrome"
	FamilyChromium = "chromium"
	FamilyEdge     = "edge"
	FamilyFirefox  = "firefox"
	FamilyIE       = "ie"
)

// Browser is one installed browser.
type Browser struct {
	Family  string `json:"family"`
	Name    string `json:"name"`
	Version string `json:"version"` // "" when it could not be read
	Path    string `json:"path"`
}

// Major is the major version number, or 0 when unknown.
func (b Browser) Major() int {
	head, _, _ := strings.Cut(b.Version, ".")
	n, err := strconv.Atoi(head)
	if err != nil {
		return 0
	}
	return n
}

// Label is the browser's name with its version, e.g. "Firefox 128.0".
func (b Browser) Label() string {
	if b.Version == "" {
		return b.Name
	}
	return b.Name + " " + b.Version
}

// chromeLike reports whether the browser speaks the Chrome DevTools
// protocol, i.e. can serve browser.page.
func (b Browser) chromeLike() bool {
	switch b.Family {
	case FamilyChrome, FamilyChromium, FamilyEdge:
		return true
	}
	return false
}

// Inventory is device.browsers' Result.Data: the browsers found and the
// Chrome-like browser browser.page should drive.
type Inventory struct {
	Browsers []Browser
	// Chrome is the Chrome/Chromium/Edge binary for browser.page ("" if
	// none): the configured browser.path when set, else the first found.
	Chrome string
}

// ChromePath returns the Chrome/Chromium/Edge binary for browser.page.
func (inv Inventory) ChromePath() (string, bool) { return inv.Chrome, inv.Chrome != "" }

// versionPattern finds a dotted version number in free text such as
// "Chromium 120.0.6099.224 built on Debian" or "Mozilla Firefox 128.0esr".
func findVersion(s string) string {
	start := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		isDigit := c >= '0' && c <= '9'
		if start < 0 {
			if isDigit && (i == 0 || s[i-1] == ' ' || s[i-1] == 'v' || s[i-1] == '\t') {
				start = i
			}
			continue
		}
		if !isDigit && c != '.' {
			if v := strings.TrimRight(s[start:i], "."); strings.Contains(v, ".") {
				return v
			}
			start = -1
		}
	}
	if start >= 0 {
		if v := strings.TrimRight(s[start:], "."); strings.Contains(v, ".") {
			return v
		}
	}
	return ""
}

// compareVersions compares dotted numeric versions: -1, 0 or 1.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

// isVersion reports whether s is a dotted number like "120.0.6099.129".
func isVersion(s string) bool {
	if s == "" || !strings.Contains(s, ".") {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		if _, err := strconv.Atoi(part); err != nil {
			return false
		}
	}
	return true
}
