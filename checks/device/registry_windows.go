//go:build windows

package device

import (
	"strings"

	"golang.org/x/sys/windows/registry"
)

// winRegistry reads the live Windows registry.
type winRegistry struct{}

func systemRegistry() regReader { return winRegistry{} }

func (winRegistry) String(key, name string) (string, bool) {
	hive, sub, ok := strings.Cut(key, `\`)
	if !ok {
		return "", false
	}
	var root registry.Key
	switch hive {
	case "HKLM":
		root = registry.LOCAL_MACHINE
	case "HKCU":
		root = registry.CURRENT_USER
	default:
		return "", false
	}
	k, err := registry.OpenKey(root, sub, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return "", false
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	if err != nil || len(v) > 4096 {
		return "", false
	}
	return v, true
}
