package checks

import (
	"net/url"
	"time"
)

// Target is everything the checks need to know about what to diagnose,
// resolved from configuration into plain values. It holds no secrets except
// Account.Token, which no renderer ever sees.
type Target struct {
	// URL is the login page (a bare host has become https://host/).
	URL *url.URL
	// Endpoints are more host:port the login needs (SSO, API, push).
	Endpoints []string
	// Regions are regional login URLs; net.reach names the fastest.
	Regions      []string
	CheckTimeout time.Duration
	// CAFile is a PEM file of extra trusted roots, for Go and the browser.
	CAFile  string
	DNS     DNSConfig
	Proxy   ProxyConfig
	Clock   ClockConfig
	TLS     TLSConfig
	HTTP    HTTPConfig
	Browser BrowserConfig
	Account AccountConfig
	Policy  PolicyConfig
	Quality QualityConfig
}

// DNSConfig are the dns.* keys.
type DNSConfig struct {
	ReferenceResolvers []string // host:port
}

// ProxyConfig are the proxy.* keys.
type ProxyConfig struct {
	URL    string // explicit proxy; overrides the system setting
	PACURL string // explicit PAC (http(s):// or a file path)
}

// ClockConfig are the clock.* keys.
type ClockConfig struct {
	NTPServers []string // host or host:port
	MaxSkew    time.Duration
}

// TLSConfig are the tls.* keys.
type TLSConfig struct {
	WarnDays        int
	ExpectedIssuers []string
}

// HTTPConfig are the http.* keys.
type HTTPConfig struct {
	SlowAfter time.Duration
}

// BrowserConfig are the browser.* keys.
type BrowserConfig struct {
	Path              string
	LoginFormSelector string
	// MinMajor maps a browser family ("chrome", "firefox", "edge",
	// "chromium") to the oldest major version accepted; 0 or absent: any.
	MinMajor map[string]int
	// Exclude lists browser families the organisation does not support.
	Exclude []string
}

// AccountConfig are the account.* keys.
type AccountConfig struct {
	Provider string // okta | entra | salesforce | keycloak | ldap | generic
	BaseURL  string
	Realm    string
	User     string
	TokenEnv string
	// TokenFile is an owner-only file holding the secret when TokenEnv's
	// variable is empty.
	TokenFile string
	// Token is the API token or directory password read from TokenEnv or
	// TokenFile (by account.ReadSecret, the one reader). It is a secret:
	// never put it in a Result, an error or a log line.
	Token   string
	Generic GenericAccount
	LDAP    LDAPAccount
}

// LDAPAccount configures the ldap provider (account.ldap.*).
type LDAPAccount struct {
	// BindDN is the read-only service account; its password is Token.
	BindDN string
	// BaseDN is where users live, e.g. DC=corp,DC=example,DC=com.
	BaseDN string
	// UserFilter finds the user; {user} is replaced by the escaped login
	// name. Empty: a default for Active Directory or OpenLDAP.
	UserFilter string
}

// GenericAccount configures the generic provider: a URL template and a
// mapping from JSON paths to account states.
type GenericAccount struct {
	// URL is a template; {user} is replaced by the escaped login name.
	URL string
	// AuthHeader is the header carrying the token (default Authorization,
	// value "Bearer <token>").
	AuthHeader string
	// StatusPath is a dotted JSON path to the state value, e.g. "data.status".
	StatusPath string
	// States maps a value found at StatusPath (as text) to a state:
	// active | disabled | locked | password_expired | must_change_password | not_found.
	States map[string]string
}

// QualityConfig are the quality.* keys (net.quality); zero values mean
// the defaults (250 ms, 2 Mbit/s).
type QualityConfig struct {
	// LatencyWarn is the median round trip beyond which the link is slow
	// to answer (NET_HIGH_LATENCY).
	LatencyWarn time.Duration
	// MinBandwidth is the download speed, in bits per second, below which
	// the link is too slow (NET_SLOW_LINK).
	MinBandwidth int64
}

// PolicyConfig are the policy.* keys.
type PolicyConfig struct {
	LoginHours      string
	AllowedNetworks []string
	EgressIPURL     string
}

// Host is the login URL's host name without port.
func (t Target) Host() string {
	if t.URL == nil {
		return ""
	}
	return t.URL.Hostname()
}

// HostPort is the login URL's host:port, with the scheme's default port.
func (t Target) HostPort() string {
	if t.URL == nil {
		return ""
	}
	port := t.URL.Port()
	if port == "" {
		port = "443"
		if t.URL.Scheme == "http" {
			port = "80"
		}
	}
	return joinHostPort(t.URL.Hostname(), port)
}
