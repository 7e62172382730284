//go:build darwin

package main

import (
	"context"
	"os/exec"
	"strings"
	"time"
)

// osLocale reads macOS's preferred locale (AppleLocale), e.g. "zh_CN".
func osLocale() string {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	out, err := exec.CommandContext(ctx, "defaults", "read", "-g", "AppleLocale").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
