package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cast"
	"github.com/spf13/viper"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/account"
	"github.com/logindoctor/logindoctor/checks/quality"
)

// maxConfigBytes bounds the YAML file we read: a profile is a few hundred
// bytes; anything near this is not a profile.
const maxConfigBytes = 1 << 20

// envPrefix is the prefix of configuration environment variables.
const envPrefix = "LOGINDOCTOR_"

// defaultTokenEnv is account.token_env's default.
const defaultTokenEnv = "LOGINDOCTOR_ACCOUNT_TOKEN"

// keyKind says how a configuration key's value is parsed.
type keyKind int

const (
	kindString keyKind = iota
	kindList
	kindDuration
	kindInt
	kindMap // free-form map (account.generic, browser.min_versions)
)

// configKeys are every configuration key (the README's list), with
// their kind and default. Validation and env binding derive from this list.
var configKeys = []struct {
	key  string
	kind keyKind
	def  any
}{
	{"url", kindString, ""},
	{"endpoints", kindList, []string{}},
	{"regions", kindList, []string{}},
	{"timeout", kindDuration, "30s"},
	{"check_timeout", kindDuration, "10s"},
	{"lang", kindString, "auto"},
	{"ca_file", kindString, ""},
	{"dns.reference_resolvers", kindList, []string{}},
	{"proxy.url", kindString, ""},
	{"proxy.pac_url", kindString, ""},
	{"clock.ntp_servers", kindList, []string{"pool.ntp.org"}},
	{"clock.max_skew", kindDuration, "30s"},
	{"tls.warn_days", kindInt, 21},
	{"tls.expected_issuers", kindList, []string{}},
	{"http.slow_after", kindDuration, "3s"},
	{"quality.latency_warn", kindDuration, "250ms"},
	{"quality.min_bandwidth", kindString, "2Mbit"},
	{"browser.path", kindString, ""},
	{"browser.login_form_selector", kindString, "input[type=password]"},
	{"browser.min_versions", kindMap, map[string]any{}},
	{"browser.exclude", kindList, []string{}},
	{"account.provider", kindString, ""},
	{"account.base_url", kindString, ""},
	{"account.realm", kindString, ""},
	{"account.user", kindString, ""},
	{"account.token_env", kindString, defaultTokenEnv},
	{"account.token_file", kindString, ""},
	{"account.generic", kindMap, map[string]any{}},
	{"account.ldap.bind_dn", kindString, ""},
	{"account.ldap.base_dn", kindString, ""},
	{"account.ldap.user_filter", kindString, ""},
	{"policy.login_hours", kindString, ""},
	{"policy.allowed_networks", kindList, []string{}},
	{"policy.egress_ip_url", kindString, ""},
	{"helpdesk.upload_url", kindString, ""},
	{"helpdesk.token_env", kindString, ""},
}

// configError is a configuration or usage problem: exit code 2.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func configErrorf(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// keyError names the key whose value is bad.
func keyError(key string, err error) error {
	return configErrorf("config key %q: %v", key, err)
}

// loader reads configuration: flags > LOGINDOCTOR_* env > YAML file.
type loader struct {
	v       *viper.Viper
	getenv  func(string) string
	environ []string
	// file is the YAML file read ("" when none).
	file string
}

func newLoader(getenv func(string) string, environ []string) *loader {
	v := viper.New()
	for _, k := range configKeys {
		v.SetDefault(k.key, k.def)
	}
	return &loader{v: v, getenv: getenv, environ: environ}
}

// envName is the environment variable of a key: clock.max_skew →
// LOGINDOCTOR_CLOCK_MAX_SKEW.
func envName(key string) string {
	return envPrefix + strings.ToUpper(strings.NewReplacer(".", "_").Replace(key))
}

// readFile loads the YAML file at path as if given with --config.
func (l *loader) readFile(path string) error {
	return l.readProfile(profile{path: path, source: sourceFlag})
}

// readProfile loads the profile p: only a file nobody else can change
// (ownershipProblem), bounded in size, with no unknown key and, when it
// was found in the working directory, none of workDirRefusedKeys.
func (l *loader) readProfile(p profile) error {
	path := p.path
	f, err := openRegular(path)
	if err != nil {
		return configErrorf("cannot read config file: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return configErrorf("cannot read config file %s: %v", path, pathCause(err))
	}
	if problem := profileOwnerProblem(st); problem != "" {
		return untrustedProfile(p, problem)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return configErrorf("cannot read config file %s: %v", path, err)
	}
	if len(data) > maxConfigBytes {
		return configErrorf("config file %s is larger than %d KiB: is it really a logindoctor profile?", path, maxConfigBytes>>10)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return configErrorf("config file %s is not text (YAML expected)", path)
	}
	l.v.SetConfigType("yaml")
	if err := l.v.ReadConfig(bytes.NewReader(data)); err != nil {
		return configErrorf("config file %s is not valid YAML (%s)", path, describeYAMLError(err))
	}
	l.file = path
	if p.source == sourceWorkDir {
		if bad := refusedWorkDirKeys(l.fileKeys()); len(bad) > 0 {
			return configErrorf("profile %s (%s) sets %s, which only a profile you chose may set "+
				"(it runs a program or decides where a secret goes); if you trust this file, pass it with --config %s",
				path, p.source, strings.Join(slices.Compact(bad), ", "), path)
		}
	}
	return l.unknownFileKeys()
}

// fileKeys are the keys the file itself sets (not defaults).
func (l *loader) fileKeys() []string {
	var out []string
	for _, k := range l.v.AllKeys() {
		if l.v.InConfig(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// unknownFileKeys rejects keys the file sets that logindoctor does not know.
func (l *loader) unknownFileKeys() error {
	var bad []string
	for _, k := range l.v.AllKeys() {
		if parent := scalarParent(k); parent != "" {
			return keyError(parent, errors.New("must be a single value or a list, not a map"))
		}
		if isSection(k) {
			return keyError(k, errors.New("must be a section of settings (for example "+k+":\n  key: value), not a single value"))
		}
		if !knownKey(k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		if near := closest(bad[0], knownKeyNames()); near != "" {
			return configErrorf("unknown config key %s in %s: did you mean %s?", quoteKeyName(bad[0]), l.file, near)
		}
		return configErrorf("unknown config key %s in %s (known keys: see `logindoctor --help` and the README)", quoteKeyName(bad[0]), l.file)
	}
	return nil
}

// scalarParent returns the known non-map key that k is nested under, if
// any (a map given where a value or list belongs).
func scalarParent(k string) string {
	for _, c := range configKeys {
		if c.kind != kindMap && strings.HasPrefix(k, c.key+".") {
			return c.key
		}
	}
	return ""
}

// isSection reports whether k names a section (clock, tls, …) rather than
// a key: a section given a plain value.
func isSection(k string) bool {
	for _, c := range configKeys {
		if strings.HasPrefix(c.key, k+".") {
			return true
		}
	}
	return false
}

// knownKeyNames are the names of configKeys (for typo suggestions).
func knownKeyNames() []string {
	out := make([]string, len(configKeys))
	for i, c := range configKeys {
		out[i] = c.key
	}
	return out
}

// knownKey accepts the keys of configKeys and anything below a map key.
func knownKey(k string) bool {
	for _, c := range configKeys {
		if k == c.key || (c.kind == kindMap && strings.HasPrefix(k, c.key+".")) {
			return true
		}
	}
	return false
}

// bindEnv binds every key to its LOGINDOCTOR_* variable and rejects
// LOGINDOCTOR_* variables that name no key.
func (l *loader) bindEnv() error {
	known := map[string]bool{defaultTokenEnv: true}
	for _, k := range configKeys {
		name := envName(k.key)
		known[name] = true
		if k.kind == kindMap {
			continue
		}
		if val, ok := lookup(l.environ, name); ok {
			if k.kind == kindList {
				l.v.Set(k.key, splitList(val))
			} else {
				l.v.Set(k.key, val)
			}
		}
	}
	for _, key := range []string{"account.token_env", "helpdesk.token_env"} {
		if te := l.v.GetString(key); te != "" {
			known[te] = true
		}
	}
	for _, kv := range l.environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, envPrefix) && !known[name] && !strings.HasPrefix(name, envPrefix+"TEST_") {
			return configErrorf("unknown environment variable %s (no config key of that name)", name)
		}
	}
	return nil
}

func lookup(environ []string, name string) (string, bool) {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// splitList splits "a, b c" into [a b c].
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

// set applies a flag value (highest precedence).
func (l *loader) set(key string, value any) { l.v.Set(key, value) }

// settings is the validated configuration.
type settings struct {
	Target       checks.Target
	Timeout      time.Duration
	CheckTimeout time.Duration
	Lang         string
	File         string
	// Helpdesk is where a failing staff run sends its bundle (not a
	// check's concern, so not in Target).
	Helpdesk helpdeskSettings
}

// resolve validates every key and builds the Target. Each error names its key.
func (l *loader) resolve() (*settings, error) {
	s := &settings{File: l.file}
	for _, st := range l.steps(s) {
		if err := st.fn(); err != nil {
			var ce *configError
			if errors.As(err, &ce) {
				return nil, err
			}
			return nil, keyError(st.key, err)
		}
	}
	s.Target.CheckTimeout = s.CheckTimeout
	if err := l.accountConsistency(s); err != nil {
		return nil, err
	}
	if s.Helpdesk.UploadURL != "" && s.Helpdesk.TokenEnv == "" {
		return nil, keyError("helpdesk.token_env", errors.New("helpdesk.upload_url needs it: the name of the environment variable holding the inbox's upload token"))
	}
	return s, nil
}

// resolveStep validates one key and stores it in the settings.
type resolveStep struct {
	key string
	fn  func() error
}

// steps are the resolve steps, one per key of configKeys, in that order
// (a test keeps the two lists in step).
func (l *loader) steps(s *settings) []resolveStep {
	get := func(key string) any { return l.v.Get(key) }
	str := func(key string) (string, error) { return cast.ToStringE(get(key)) }
	list := func(key string) ([]string, error) { return toList(get(key)) }
	dur := func(key string) (time.Duration, error) { return toDuration(get(key)) }

	return []resolveStep{
		{"url", func() error {
			raw, err := str("url")
			if err != nil {
				return errors.New("must be one web address, not a list or a section")
			}
			s.Target.URL, err = parseLoginURL(raw)
			return err
		}},
		{"endpoints", func() (e error) { s.Target.Endpoints, e = listOf(list, "endpoints", validHostPort(true)); return }},
		{"regions", func() (e error) { s.Target.Regions, e = listOf(list, "regions", validURL); return }},
		{"timeout", func() (e error) { s.Timeout, e = positive(dur("timeout")); return }},
		{"check_timeout", func() (e error) { s.CheckTimeout, e = positive(dur("check_timeout")); return }},
		{"lang", func() (e error) { s.Lang, e = oneOf(str("lang"))("auto", "en", "zh"); return }},
		{"ca_file", func() (e error) { s.Target.CAFile, e = readableFile(str("ca_file")); return }},
		{"dns.reference_resolvers", func() (e error) {
			s.Target.DNS.ReferenceResolvers, e = listOf(list, "dns.reference_resolvers", validHostPort(false))
			return
		}},
		{"proxy.url", func() (e error) { s.Target.Proxy.URL, e = proxyURL(str("proxy.url")); return }},
		{"proxy.pac_url", func() (e error) { s.Target.Proxy.PACURL, e = str("proxy.pac_url"); return }},
		{"clock.ntp_servers", func() (e error) {
			s.Target.Clock.NTPServers, e = listOf(list, "clock.ntp_servers", validHostPort(false))
			return
		}},
		{"clock.max_skew", func() (e error) { s.Target.Clock.MaxSkew, e = positive(dur("clock.max_skew")); return }},
		{"tls.warn_days", func() (e error) { s.Target.TLS.WarnDays, e = nonNegativeInt(get("tls.warn_days")); return }},
		{"tls.expected_issuers", func() (e error) { s.Target.TLS.ExpectedIssuers, e = list("tls.expected_issuers"); return }},
		{"http.slow_after", func() (e error) { s.Target.HTTP.SlowAfter, e = positive(dur("http.slow_after")); return }},
		{"quality.latency_warn", func() (e error) { s.Target.Quality.LatencyWarn, e = positive(dur("quality.latency_warn")); return }},
		{"quality.min_bandwidth", func() error {
			raw, err := str("quality.min_bandwidth")
			if err == nil {
				s.Target.Quality.MinBandwidth, err = quality.ParseBandwidth(raw)
			}
			return err
		}},
		{"browser.path", func() (e error) { s.Target.Browser.Path, e = str("browser.path"); return }},
		{"browser.login_form_selector", func() (e error) {
			s.Target.Browser.LoginFormSelector, e = nonEmpty(str("browser.login_form_selector"))
			return
		}},
		{"browser.min_versions", func() (e error) { s.Target.Browser.MinMajor, e = minVersions(get("browser.min_versions")); return }},
		{"browser.exclude", func() (e error) { s.Target.Browser.Exclude, e = list("browser.exclude"); return }},
		{"account.provider", func() (e error) {
			s.Target.Account.Provider, e = oneOf(str("account.provider"))(append([]string{""}, account.ProviderNames()...)...)
			return
		}},
		{"account.base_url", func() (e error) { s.Target.Account.BaseURL, e = accountURL(str("account.base_url")); return }},
		{"account.realm", func() (e error) { s.Target.Account.Realm, e = str("account.realm"); return }},
		{"account.user", func() (e error) { s.Target.Account.User, e = str("account.user"); return }},
		{"account.token_env", func() (e error) { s.Target.Account.TokenEnv, e = str("account.token_env"); return }},
		{"account.token_file", func() (e error) { s.Target.Account.TokenFile, e = str("account.token_file"); return }},
		{"account.generic", func() (e error) { s.Target.Account.Generic, e = genericAccount(l.v.Sub("account.generic")); return }},
		{"account.ldap.bind_dn", func() (e error) { s.Target.Account.LDAP.BindDN, e = str("account.ldap.bind_dn"); return }},
		{"account.ldap.base_dn", func() (e error) { s.Target.Account.LDAP.BaseDN, e = str("account.ldap.base_dn"); return }},
		{"account.ldap.user_filter", func() (e error) { s.Target.Account.LDAP.UserFilter, e = str("account.ldap.user_filter"); return }},
		{"policy.login_hours", func() (e error) { s.Target.Policy.LoginHours, e = loginHours(str("policy.login_hours")); return }},
		{"policy.allowed_networks", func() (e error) {
			s.Target.Policy.AllowedNetworks, e = listOf(list, "policy.allowed_networks", validCIDR)
			return
		}},
		{"policy.egress_ip_url", func() (e error) { s.Target.Policy.EgressIPURL, e = optionalURL(str("policy.egress_ip_url")); return }},
		{"helpdesk.upload_url", func() (e error) { s.Helpdesk.UploadURL, e = uploadURL(str("helpdesk.upload_url")); return }},
		{"helpdesk.token_env", func() (e error) { s.Helpdesk.TokenEnv, e = envVarName(str("helpdesk.token_env")); return }},
	}
}

func (l *loader) accountConsistency(s *settings) error {
	a := s.Target.Account
	if a.Provider == "keycloak" && a.Realm == "" {
		return keyError("account.realm", errors.New("the keycloak provider needs the realm"))
	}
	if a.Provider == "generic" && a.Generic.URL == "" {
		return keyError("account.generic", errors.New("the generic provider needs generic.url"))
	}
	ldapURL := strings.HasPrefix(a.BaseURL, "ldap://") || strings.HasPrefix(a.BaseURL, "ldaps://")
	if a.BaseURL != "" && a.Provider != "" && ldapURL != (a.Provider == "ldap") {
		return keyError("account.base_url", fmt.Errorf("the %s provider needs an %s address", a.Provider, map[bool]string{true: "ldaps:// or ldap://", false: "http(s)://"}[a.Provider == "ldap"]))
	}
	return nil
}
