package proxyroute

import (
	"context"
	"errors"
	"io"
	"maps"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// SystemSettings are the operating system's proxy settings, as the browser
// reads them.
type SystemSettings struct {
	// From names where they were read ("Windows Internet Settings",
	// "macOS network settings", "GNOME proxy settings").
	From string
	// AutoDetect asks for WPAD (http://wpad/wpad.dat).
	AutoDetect bool
	// PACURL is the configured PAC file ("" if none).
	PACURL string
	// Proxies are the manual proxies (host:port) by scheme: "http",
	// "https", "socks", and "*" for one proxy for every scheme.
	Proxies map[string]string
	// Bypass are the host patterns that skip the manual proxies.
	Bypass []string
	// BypassLocal skips the proxies for names without a dot.
	BypassLocal bool
}

// SystemReader reads the system proxy settings for the operating system
// goos. Tests inject fixed settings; OSReader is the real one.
type SystemReader interface {
	ReadProxySettings(ctx context.Context, goos string) (SystemSettings, error)
}

// SystemReaderFunc adapts a function to SystemReader.
type SystemReaderFunc func(ctx context.Context, goos string) (SystemSettings, error)

// ReadProxySettings calls f.
func (f SystemReaderFunc) ReadProxySettings(ctx context.Context, goos string) (SystemSettings, error) {
	return f(ctx, goos)
}

// OSReader reads the settings of the machine it runs on: the registry on
// Windows, `scutil --proxy` on macOS, `gsettings` elsewhere (when
// installed). It reads nothing when goos is not the running system.
type OSReader struct{}

// commandTimeout bounds scutil and gsettings.
const commandTimeout = 2 * time.Second

// maxCommandOutput bounds what is read from them.
const maxCommandOutput = 256 << 10

// errNotThisOS means the requested OS is not the running one.
var errNotThisOS = errors.New("system proxy settings of another operating system cannot be read")

// ReadProxySettings implements SystemReader. A read is reused for
// systemSettingsTTL by every run of the process (see osSettings).
func (OSReader) ReadProxySettings(ctx context.Context, goos string) (SystemSettings, error) {
	if goos != runtime.GOOS {
		return SystemSettings{}, errNotThisOS
	}
	s, err := osSettings.get(ctx, time.Now, func(ctx context.Context) (SystemSettings, error) { return readOS(ctx, goos) })
	if err != nil {
		return SystemSettings{}, err
	}
	return s.clone(), nil
}

// readOS reads the settings of the running system goos.
func readOS(ctx context.Context, goos string) (SystemSettings, error) {
	switch goos {
	case "windows":
		v, err := readWindowsValues()
		if err != nil {
			return SystemSettings{}, err
		}
		return parseWindows(v), nil
	case "darwin":
		out, err := runBounded(ctx, "scutil", "--proxy")
		if err != nil {
			return SystemSettings{}, err
		}
		return parseScutil(out), nil
	}
	if _, err := exec.LookPath("gsettings"); err != nil {
		return SystemSettings{}, nil // no GNOME: nothing set
	}
	out, err := runBounded(ctx, "gsettings", "list-recursively", "org.gnome.system.proxy")
	if err != nil {
		return SystemSettings{}, err
	}
	return parseGsettings(out), nil
}

// runBounded runs a command with a deadline and reads at most
// maxCommandOutput bytes of its output.
func runBounded(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	b, readErr := io.ReadAll(io.LimitReader(out, maxCommandOutput))
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return "", err
	}
	return string(b), readErr
}

// clone is a copy of s that shares nothing with it.
func (s SystemSettings) clone() SystemSettings {
	s.Proxies = maps.Clone(s.Proxies)
	s.Bypass = slices.Clone(s.Bypass)
	return s
}

// manualProxy picks the manual proxy for scheme and the setting's name.
func (s SystemSettings) manualProxy(scheme string) (hostport, key string) {
	for _, k := range []string{scheme, "*", "socks"} {
		if hp := strings.TrimSpace(s.Proxies[k]); hp != "" {
			return hp, k
		}
	}
	return "", ""
}
