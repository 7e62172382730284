package device

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// versionTimeout bounds one `browser --version` run; Chrome answers
// within about 1 s, so 3 s only matters for a wrapper script that hangs.
const versionTimeout = 3 * time.Second

// linuxCandidates are the usual install locations on Linux distributions.
func linuxCandidates() []candidate {
	return []candidate{
		{FamilyChrome, "Google Chrome", "/usr/bin/google-chrome"},
		{FamilyChrome, "Google Chrome", "/usr/bin/google-chrome-stable"},
		{FamilyChrome, "Google Chrome", "/opt/google/chrome/chrome"},
		{FamilyChromium, "Chromium", "/usr/bin/chromium"},
		{FamilyChromium, "Chromium", "/usr/bin/chromium-browser"},
		{FamilyChromium, "Chromium", "/usr/lib/chromium/chromium"},
		{FamilyChromium, "Chromium", "/snap/bin/chromium"},
		{FamilyEdge, "Microsoft Edge", "/usr/bin/microsoft-edge"},
		{FamilyEdge, "Microsoft Edge", "/usr/bin/microsoft-edge-stable"},
		{FamilyEdge, "Microsoft Edge", "/opt/microsoft/msedge/msedge"},
		{FamilyFirefox, "Firefox", "/usr/bin/firefox"},
		{FamilyFirefox, "Firefox", "/usr/bin/firefox-esr"},
		{FamilyFirefox, "Firefox", "/usr/lib/firefox/firefox"},
		{FamilyFirefox, "Firefox", "/usr/lib/firefox-esr/firefox-esr"},
		{FamilyFirefox, "Firefox", "/snap/bin/firefox"},
	}
}

// linuxVersion reads a browser's version: Firefox's application.ini next to
// the real binary when there is one (no process needed), else the first
// version number printed by `binary --version`.
func linuxVersion(ctx context.Context, b Browser) string {
	if b.Family == FamilyFirefox {
		if v := appIniVersion(filepath.Join(filepath.Dir(realPath(b.Path)), "application.ini")); v != "" {
			return v
		}
	}
	return versionFromRun(ctx, b.Path)
}

// versionFromRun runs `path --version` under a short deadline and reads at
// most 4 KiB of its output. It never shows a window: Chrome, Chromium, Edge
// and Firefox print their version and exit.
func versionFromRun(ctx context.Context, path string) string {
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	for attempt := 0; attempt < 3; attempt++ {
		out := &limitedBuffer{max: 4 << 10}
		cmd := exec.CommandContext(ctx, path, "--version")
		cmd.Stdout = out
		cmd.Env = append(os.Environ(), "DISPLAY=", "WAYLAND_DISPLAY=")
		cmd.WaitDelay = 200 * time.Millisecond
		err := cmd.Run()
		// A script written by another goroutine a moment ago may still be
		// open for writing in a forked child ("text file busy"): retry.
		if errors.Is(err, syscall.ETXTBSY) && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if ctx.Err() != nil {
			return ""
		}
		return findVersion(firstLine(out.Bytes()))
	}
	return ""
}

// appIniVersion reads Version= from the [App] section of Firefox's
// application.ini.
func appIniVersion(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	section := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && section == "App" && strings.TrimSpace(k) == "Version" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func firstLine(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		if v := findVersion(line); v != "" {
			return line
		}
	}
	return ""
}

// limitedBuffer keeps the first max bytes written and discards the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.Len(); room > 0 {
		if len(p) > room {
			l.Buffer.Write(p[:room])
		} else {
			l.Buffer.Write(p)
		}
	}
	return len(p), nil
}
