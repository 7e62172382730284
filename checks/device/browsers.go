// Package device holds the checks of the guide's first stage about the
// computer itself: device.browsers (installed browsers and versions).
package device

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/logindoctor/logindoctor/checks"
)

// Reason codes of device.browsers.
const (
	CodeNoBrowser   = "DEVICE_NO_BROWSER"
	CodeUnsupported = "DEVICE_BROWSER_UNSUPPORTED"
	CodeOutdated    = "DEVICE_BROWSER_OUTDATED"
)

// ID is device.browsers' stable ID.
const ID = "device.browsers"

// New returns the device.browsers check.
func New() checks.Check { return browsersCheck{} }

// NewWithScan returns device.browsers taking the inventory from scan
// instead of Scan (the demo tour scans the machine once for all of its
// scenarios); the inventory is judged against each run's settings.
func NewWithScan(scan func(context.Context, *checks.Env) Inventory) checks.Check {
	return browsersCheck{scan: scan}
}

// InventoryFrom is device.browsers' Result.Data among a dependent check's
// deps: the browsers found, if the check ran.
func InventoryFrom(deps checks.Deps) (Inventory, bool) {
	inv, ok := deps[ID].Data.(Inventory)
	return inv, ok
}

type browsersCheck struct {
	// scan finds the inventory (nil: Scan).
	scan func(context.Context, *checks.Env) Inventory
}

var _ checks.Check = browsersCheck{}

func (browsersCheck) Info() checks.Info {
	return checks.Info{ID: ID, Stage: checks.StageDevice, DependsOn: []string{}}
}

func (c browsersCheck) Run(ctx context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	scan := c.scan
	if scan == nil {
		scan = Scan
	}
	inv := scan(ctx, env)
	r := judge(env, inv)
	r.Variant = env.GOOS
	r.Data = inv
	r = r.With("browsers", inv.Browsers).With("os", env.GOOS)
	if inv.Chrome != "" {
		r = r.With("chrome_path", inv.Chrome)
	}
	return r
}

// Scan finds the installed browsers with their versions for env.GOOS under
// env.FSRoot, and the Chrome-like binary browser.page should use.
func Scan(ctx context.Context, env *checks.Env) Inventory {
	bs := locate(ctx, env)
	var wg sync.WaitGroup
	for i := range bs {
		if bs[i].Version != "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			bs[i].Version = readVersion(ctx, env.GOOS, bs[i])
		}()
	}
	wg.Wait()
	bs = dropDuplicates(bs)
	inv := Inventory{Browsers: bs}
	if p := env.Target.Browser.Path; p != "" {
		inv.Chrome, _ = configuredPath(env, p)
		return inv
	}
	for _, b := range bs {
		if b.chromeLike() {
			inv.Chrome = b.Path
			break
		}
	}
	return inv
}

func readVersion(ctx context.Context, goos string, b Browser) string {
	switch goos {
	case "windows":
		return windowsVersion(b)
	case "darwin":
		return darwinVersion(b.Path)
	}
	return linuxVersion(ctx, b)
}

// dropDuplicates keeps the first of several paths to the same browser
// (e.g. /usr/bin/chromium and /usr/lib/chromium/chromium).
func dropDuplicates(bs []Browser) []Browser {
	seen := map[string]bool{}
	out := bs[:0]
	for _, b := range bs {
		if b.Version != "" {
			key := b.Family + " " + b.Version
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		out = append(out, b)
	}
	return out
}

// judge turns an inventory into the finding.
func judge(env *checks.Env, inv Inventory) checks.Result {
	if len(inv.Browsers) == 0 {
		return checks.Finding(checks.StatusFail, CodeNoBrowser, checks.SeverityHigh, checks.OwnerYou,
			"no supported browser found (looked for Chrome, Chromium, Edge, Firefox)")
	}
	var supported, unsupported []Browser
	for _, b := range inv.Browsers {
		if b.Family == FamilyIE || excluded(env, b.Family) {
			unsupported = append(unsupported, b)
		} else {
			supported = append(supported, b)
		}
	}
	found := labels(inv.Browsers)
	if len(supported) == 0 {
		return checks.Finding(checks.StatusFail, CodeUnsupported, checks.SeverityHigh, checks.OwnerYou,
			"only unsupported browsers installed: "+found).
			WithParam("found", names(unsupported))
	}
	var outdated, current []Browser
	for _, b := range supported {
		if minMajor := env.Target.Browser.MinMajor[b.Family]; minMajor > 0 && b.Major() > 0 && b.Major() < minMajor {
			outdated = append(outdated, b)
		} else {
			current = append(current, b)
		}
	}
	if len(outdated) > 0 {
		return outdatedFinding(env, outdated, current)
	}
	summary := "supported browsers: " + labels(supported)
	if len(unsupported) > 0 {
		summary += fmt.Sprintf("; use %s, not %s", supported[0].Name, names(unsupported))
	}
	r := checks.Pass(summary).WithParam("browser", supported[0].Name)
	if len(unsupported) > 0 {
		r = r.With("note", fmt.Sprintf("use %s, not %s", supported[0].Name, names(unsupported)))
	}
	return r
}

// outdatedFinding warns about browsers older than browser.min_major: high
// when no supported browser is current, low when another one is.
func outdatedFinding(env *checks.Env, outdated, current []Browser) checks.Result {
	b := outdated[0]
	minMajor := env.Target.Browser.MinMajor[b.Family]
	sev := checks.SeverityHigh
	summary := fmt.Sprintf("%s is older than the required version %d", labels(outdated), minMajor)
	if len(current) > 0 {
		sev = checks.SeverityLow
		summary += "; " + labels(current) + " is up to date"
	}
	r := checks.Finding(checks.StatusWarn, CodeOutdated, sev, checks.OwnerYou, summary).
		WithParam("browser", b.Name).
		WithParam("version", b.Version).
		WithParam("min_version", fmt.Sprint(minMajor))
	alt := ""
	if len(current) > 0 {
		alt = current[0].Name
	}
	return r.WithParam("alternative", alt).With("outdated", outdated)
}

func excluded(env *checks.Env, family string) bool {
	return slices.ContainsFunc(env.Target.Browser.Exclude, func(e string) bool {
		return strings.EqualFold(strings.TrimSpace(e), family)
	})
}

func labels(bs []Browser) string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Label()
	}
	return strings.Join(out, ", ")
}

func names(bs []Browser) string {
	var out []string
	for _, b := range bs {
		if !slices.Contains(out, b.Name) {
			out = append(out, b.Name)
		}
	}
	return strings.Join(out, ", ")
}
