//go:build windows

package proxyroute

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

const internetSettings = `Software\Microsoft\Windows\CurrentVersion\Internet Settings`

// readWindowsValues reads the current user's Internet Settings.
func readWindowsValues() (WindowsValues, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, internetSettings, registry.QUERY_VALUE)
	if err != nil {
		return WindowsValues{}, err
	}
	defer k.Close()
	var v WindowsValues
	if n, _, err := k.GetIntegerValue("ProxyEnable"); err == nil {
		v.ProxyEnable = uint32(n)
	}
	v.ProxyServer = stringValue(k, "ProxyServer")
	v.ProxyOverride = stringValue(k, "ProxyOverride")
	v.AutoConfigURL = stringValue(k, "AutoConfigURL")
	if n, _, err := k.GetIntegerValue("AutoDetect"); err == nil {
		d := uint32(n)
		v.AutoDetect = &d
	}
	if c, err := registry.OpenKey(registry.CURRENT_USER, internetSettings+`\Connections`, registry.QUERY_VALUE); err == nil {
		if b, _, err := c.GetBinaryValue("DefaultConnectionSettings"); err == nil && len(b) <= 4096 {
			v.DefaultConnectionSettings = b
		}
		c.Close()
	}
	return v, nil
}

func stringValue(k registry.Key, name string) string {
	s, _, err := k.GetStringValue(name)
	if err != nil && !errors.Is(err, registry.ErrNotExist) {
		return ""
	}
	if len(s) > 4096 {
		return ""
	}
	return s
}
