package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// writePrefs writes the profile's Preferences file (owner-only, inside our
// private root): spec.Prefs plus, for a route from a PAC file, Chrome's
// own proxy setting with that PAC URL. Chrome then fetches and runs the
// PAC file itself, as the user's browser does, and the URL (which may
// carry a key) never appears on the command line.
func writePrefs(profile string, spec launchSpec) error {
	prefs := map[string]any{}
	if spec.Prefs != "" {
		if err := json.Unmarshal([]byte(spec.Prefs), &prefs); err != nil {
			return fmt.Errorf("browser: preferences: %w", err)
		}
	}
	if u := pacURL(spec.Route); u != "" {
		prefs["proxy"] = map[string]any{"mode": "pac_script", "pac_url": u}
	}
	if len(prefs) == 0 {
		return nil
	}
	b, err := json.Marshal(prefs)
	if err != nil {
		return fmt.Errorf("browser: preferences: %w", err)
	}
	dir := filepath.Join(profile, "Default")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("browser: preferences: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Preferences"), b, 0o600); err != nil {
		return fmt.Errorf("browser: preferences: %w", err)
	}
	return nil
}
