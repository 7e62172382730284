package device

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// candidate is a known install location of a browser.
type candidate struct {
	family, name string
	path         string // in the conventions of env.GOOS, before FSRoot
}

// lookPathNames are the executable names tried on $PATH when examining the
// real file system, in the order browser.page prefers them.
func lookPathNames() []candidate {
	return []candidate{
		{FamilyChrome, "Google Chrome", "google-chrome"},
		{FamilyChrome, "Google Chrome", "google-chrome-stable"},
		{FamilyChromium, "Chromium", "chromium"},
		{FamilyChromium, "Chromium", "chromium-browser"},
		{FamilyEdge, "Microsoft Edge", "microsoft-edge"},
		{FamilyEdge, "Microsoft Edge", "microsoft-edge-stable"},
		{FamilyFirefox, "Firefox", "firefox"},
		{FamilyFirefox, "Firefox", "firefox-esr"},
	}
}

// FindChrome returns the Chrome, Chromium or Edge binary browser.page should
// drive: the configured browser.path when it is set (and false if that file
// does not exist — a wrong setting is not silently replaced), otherwise the
// first Chrome-like browser in the known install locations of env.GOOS
// under env.FSRoot, otherwise (on the real file system only) the first of
// google-chrome, chromium, chromium-browser, microsoft-edge … on $PATH.
// It only looks at files; it never starts the browser.
func FindChrome(ctx context.Context, env *checks.Env) (string, bool) {
	if p := env.Target.Browser.Path; p != "" {
		return configuredPath(env, p)
	}
	for _, b := range locate(ctx, env) {
		if b.chromeLike() {
			return b.Path, true
		}
	}
	return "", false
}

// configuredPath resolves browser.path: as given, or inside FSRoot (tests).
func configuredPath(env *checks.Env, p string) (string, bool) {
	if isFile(p) {
		return p, true
	}
	if env.FSRoot != "" {
		if hp := hostPath(env, p); isFile(hp) {
			return hp, true
		}
	}
	return "", false
}

// locate lists the browsers present, without versions, in preference order
// (Chrome, Chromium, Edge, Firefox, IE), each path once.
func locate(ctx context.Context, env *checks.Env) []Browser {
	var cands []candidate
	switch env.GOOS {
	case "windows":
		cands = windowsCandidates(env)
	case "darwin":
		cands = darwinCandidates(env)
	default:
		cands = linuxCandidates()
	}
	var out []Browser
	seen := map[string]bool{}
	add := func(b Browser) {
		key := realPath(b.Path)
		if env.GOOS == "windows" {
			key = strings.ToLower(key)
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, b)
	}
	for _, c := range cands {
		if hp := hostPath(env, c.path); isFile(hp) {
			add(Browser{Family: c.family, Name: c.name, Path: hp})
		}
	}
	if env.FSRoot == "" {
		for _, b := range registryBrowsers(ctx, env) {
			add(b)
		}
		if env.GOOS != "windows" {
			for _, c := range lookPathNames() {
				if p, err := exec.LookPath(c.path); err == nil {
					add(Browser{Family: c.family, Name: c.name, Path: p})
				}
			}
		}
	}
	sortByPreference(out)
	return out
}

// sortByPreference orders browsers Chrome, Chromium, Edge, Firefox, IE,
// keeping the order of discovery within a family.
func sortByPreference(bs []Browser) {
	rank := map[string]int{FamilyChrome: 0, FamilyChromium: 1, FamilyEdge: 2, FamilyFirefox: 3, FamilyIE: 4}
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && rank[bs[j].Family] < rank[bs[j-1].Family]; j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

// hostPath maps a path written in env.GOOS's conventions (C:\Program
// Files\…, /Applications/…) onto this machine: unchanged when FSRoot is "",
// else below FSRoot with the drive letter dropped and slashes normalised.
func hostPath(env *checks.Env, p string) string {
	if env.FSRoot == "" {
		return p
	}
	if len(p) >= 2 && p[1] == ':' {
		p = p[2:]
	}
	p = strings.ReplaceAll(p, `\`, "/")
	return filepath.Join(env.FSRoot, filepath.FromSlash(p))
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

func realPath(p string) string {
	if rp, err := filepath.EvalSymlinks(p); err == nil {
		return rp
	}
	return p
}

// headlessShellNames are the executable names of Chrome's headless shell:
// the same engine (Blink, V8, Chrome's network stack) without the browser
// around it, made for automation — Debian's chromium-headless-shell and
// Google's chrome-headless-shell ("Chrome for Testing").
var headlessShellNames = []string{"chromium-headless-shell", "chrome-headless-shell"}

// FindHeadlessShell returns Chrome's headless shell when one is on $PATH.
// It takes about 100 MB less than a full headless Chrome and starts a page
// faster, so a server that opens many login pages prefers it; a person's
// own check keeps their real browser.
func FindHeadlessShell() (string, bool) {
	for _, name := range headlessShellNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}

// IsHeadlessShell reports whether path names Chrome's headless shell (by
// its file name, on any OS). The shell has no pop-up blocker: browser.page
// judges pop-ups opened without a click as Chrome would block them.
func IsHeadlessShell(path string) bool {
	base := strings.ToLower(path[strings.LastIndexAny(path, `/\`)+1:])
	base = strings.TrimSuffix(base, ".exe")
	return strings.HasSuffix(base, "headless-shell") || strings.HasSuffix(base, "headless_shell")
}
