package main

// The modules file of `logindoctor serve`: named profiles that a probe
// applies to the target Prometheus names. A module holds the same keys as a
// profile (validated the same way, an unknown key is an error naming it),
// without `url`, plus two keys of its own: `only` and `skip`, the check IDs
// of `--only` and `--skip`.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/browser"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/checks/quality"
)

// moduleURLPlaceholder stands in for the target while a module is
// validated at load time; every probe sets its own target.
const moduleURLPlaceholder = "https://module.invalid/"

// probeDefaultSkip are the checks a probe leaves out unless the module's
// `only` or `also` names them: the server's own installed browsers say nothing about
// an office; a headless Chrome per scrape costs more than the rest of a
// probe together (seconds of CPU on a small server); and net.quality
// measures the link of the server serve runs on (a central serve: the data
// centre's), with six connections and a download of the login page per
// scrape — seven of a probe's ten TLS handshakes with the login host. The
// round trip Prometheus graphs comes from net.reach.
func probeDefaultSkip() []string { return []string{device.ID, quality.ID, browser.ID} }

// selectProbeChecks are the checks a module's probes run, in registry
// order: only's, else every check but skip's and probeDefaultSkip's —
// those come back when also names them.
func selectProbeChecks(reg *checks.Registry, only, skip, also []string) ([]string, error) {
	if len(also) > 0 {
		if len(only) > 0 {
			return nil, errors.New(`"also" adds checks to the default ones; with "only", list every check there`)
		}
		if _, err := reg.Select(also, nil); err != nil {
			return nil, fmt.Errorf("also: %w", err)
		}
		if i := slices.IndexFunc(also, func(id string) bool { return slices.Contains(skip, id) }); i >= 0 {
			return nil, fmt.Errorf("%s is both in also and in skip", also[i])
		}
	}
	ids, err := reg.Select(only, skip)
	if err != nil {
		return nil, err
	}
	if len(only) == 0 {
		off := probeDefaultSkip()
		ids = slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(off, id) && !slices.Contains(also, id) })
	}
	if len(ids) == 0 {
		return nil, errors.New("only/skip leave no check to run")
	}
	return ids, nil
}

// module is one validated entry of the modules file.
type module struct {
	Name string
	// keys are the profile keys as the file gives them (no url, only, skip).
	keys map[string]any
	// IDs are the checks a probe of this module runs, in registry order.
	IDs []string
	// Browser says the module runs browser.page (probes that do take a
	// browser slot, see limiter).
	Browser bool
	// Timeout is the module's `timeout`: a probe never runs longer.
	Timeout time.Duration
}

// moduleSet is what one read of the modules file produced.
type moduleSet struct {
	File    string
	Modules map[string]*module
}

// names lists the module names, sorted.
func (m *moduleSet) names() []string {
	out := make([]string, 0, len(m.Modules))
	for n := range m.Modules {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// modulesFile is the file's shape; KnownFields rejects anything beside
// `modules` at the top level.
type modulesFile struct {
	Modules map[string]map[string]any `yaml:"modules"`
}

// loadModules reads and validates the modules file at path. With path ""
// the set holds one module, "default", with every default setting.
func loadModules(path string, reg *checks.Registry) (*moduleSet, error) {
	set := &moduleSet{File: path, Modules: map[string]*module{}}
	raw := modulesFile{Modules: map[string]map[string]any{"default": {}}}
	if path != "" {
		data, err := readModulesFile(path)
		if err != nil {
			return nil, err
		}
		raw = modulesFile{}
		if err := decodeModules(path, data, &raw); err != nil {
			return nil, err
		}
		if len(raw.Modules) == 0 {
			return nil, configErrorf("modules file %s defines no module (expected modules: {NAME: {…profile keys…}})", path)
		}
	}
	for name, keys := range raw.Modules {
		m, err := newModule(path, name, keys, reg)
		if err != nil {
			return nil, err
		}
		set.Modules[name] = m
	}
	return set, nil
}

// decodeModules parses the file; errors name keys, never quote values
// (the file may be anything an operator pointed --modules at).
func decodeModules(path string, data []byte, raw *modulesFile) error {
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		return configErrorf("modules file %s is not valid YAML (%s)", path, describeYAMLError(err))
	}
	for k := range top {
		if k != "modules" {
			return configErrorf("unknown key %s in modules file %s (expected modules: {NAME: {…profile keys…}})", quoteKeyName(k), path)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(raw); err != nil && !errors.Is(err, io.EOF) {
		return configErrorf("modules file %s: modules must map names to profiles (%s)", path, describeYAMLError(err))
	}
	return nil
}

func readModulesFile(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, configErrorf("cannot read modules file: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, configErrorf("cannot read modules file %s: %v", path, err)
	}
	if len(data) > maxConfigBytes {
		return nil, configErrorf("modules file %s is larger than %d KiB", path, maxConfigBytes>>10)
	}
	return data, nil
}

// validModuleName keeps names usable as a URL parameter and a label value.
func validModuleName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// newModule validates one module: its check selection, then its profile
// keys through the same loader `check` uses, with a placeholder target.
func newModule(path, name string, keys map[string]any, reg *checks.Registry) (*module, error) {
	where := fmt.Sprintf("module %q", name)
	if path != "" {
		where = fmt.Sprintf("module %q of %s", name, path)
	}
	if !validModuleName(name) {
		return nil, configErrorf("%s: a module name is letters, digits, '_', '-' or '.' (at most 64)", where)
	}
	if keys == nil {
		keys = map[string]any{}
	}
	profile := make(map[string]any, len(keys))
	sel := map[string][]string{}
	for k, v := range keys {
		switch key := strings.ToLower(k); key {
		case "url":
			return nil, configErrorf("%s: key \"url\" is not allowed in a module: the target comes from the probe's target parameter", where)
		case "only", "skip", "also":
			ids, err := toList(v)
			if err != nil {
				return nil, configErrorf("%s: key %q: %v", where, k, err)
			}
			sel[key] = ids
		default:
			profile[k] = v
		}
	}
	m := &module{Name: name, keys: profile}
	ids, err := selectProbeChecks(reg, sel["only"], sel["skip"], sel["also"])
	if err != nil {
		return nil, configErrorf("%s: %v", where, err)
	}
	m.IDs = ids
	m.Browser = slices.Contains(ids, browser.ID)
	s, err := m.settings(moduleURLPlaceholder, where)
	if err != nil {
		return nil, err
	}
	m.Timeout = s.Timeout
	return m, nil
}

// settings resolves the module for one target, exactly as a profile with
// `url: target` would resolve. where names the module in errors.
func (m *module) settings(target, where string) (*settings, error) {
	l := newLoader(func(string) string { return "" }, nil)
	// viper rewrites the map it merges (lower-cased nested keys): every
	// probe merges its own copy, or concurrent probes of one module write
	// m.keys at once (fatal "concurrent map writes").
	if err := l.v.MergeConfigMap(cloneKeys(m.keys)); err != nil {
		return nil, configErrorf("%s: %v", where, err)
	}
	l.file = where
	if err := l.unknownFileKeys(); err != nil {
		return nil, err
	}
	l.set("url", target)
	s, err := l.resolve()
	if err != nil {
		return nil, configErrorf("%s: %v", where, err)
	}
	return s, nil
}

// cloneKeys is a deep copy of a module's keys (nested maps and lists).
func cloneKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneKeys(v)
	case map[any]any:
		out := make(map[any]any, len(v))
		for k, e := range v {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}

// probeTarget validates a probe's target: an absolute http(s) URL with a
// host and no credentials.
func probeTarget(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("target parameter is missing")
	}
	if len(raw) > 2048 {
		return "", errors.New("target is longer than 2048 bytes")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("target must be an http:// or https:// URL with a host")
	}
	if u.User != nil {
		return "", errors.New("target must not carry credentials")
	}
	if _, err := parseLoginURL(raw); err != nil {
		return "", err
	}
	return raw, nil
}
