package main

// The helpdesk.* keys: where a failing staff run sends its ticket bundle
// (a `logindoctor serve --inbox`) and which environment variable holds the
// upload token. The token is never a key's value: not in the profile, not
// on the command line.

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// inboxPath is the upload endpoint of a `logindoctor serve` inbox.
const inboxPath = "/api/v1/reports"

// helpdeskSettings are the helpdesk.* keys and the token they name.
type helpdeskSettings struct {
	// UploadURL is the inbox's upload endpoint ("" : no inbox).
	UploadURL string
	// TokenEnv names the environment variable holding the upload token.
	TokenEnv string
	// Token is the upload token read from TokenEnv ("" when unset).
	Token string
}

// configured reports an inbox to send reports to.
func (h helpdeskSettings) configured() bool { return h.UploadURL != "" }

// uploadURL validates helpdesk.upload_url and returns the upload endpoint:
// https://, or http:// only to this machine (the token must not cross a
// network in clear); no user, query or fragment (the token has its own
// key). A server address gets the inbox's path; an address that already
// ends in it is kept.
func uploadURL(s string, err error) (string, error) {
	s = strings.TrimSpace(s)
	if err != nil || s == "" {
		return s, err
	}
	u, perr := url.Parse(s)
	if perr != nil || u.Host == "" || u.Hostname() == "" {
		return "", errors.New("is not a web address such as https://helpdesk.example.com:9716")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
	case u.Scheme == "http":
		return "", errors.New("must be https:// (http:// only for this machine: the upload token would travel unencrypted)")
	default:
		return "", fmt.Errorf("scheme %q is not supported (https://)", u.Scheme)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", errors.New("must not carry a user, password, query or fragment (the upload token comes from helpdesk.token_env)")
	}
	if !strings.HasSuffix(strings.TrimRight(u.Path, "/"), inboxPath) {
		u.Path = strings.TrimRight(u.Path, "/") + inboxPath
	}
	u.RawPath = ""
	return u.String(), nil
}

// isLoopbackHost: localhost or a loopback address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var envVarRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envVarName validates the name of an environment variable ("" is fine).
func envVarName(s string, err error) (string, error) {
	s = strings.TrimSpace(s)
	if err != nil || s == "" {
		return s, err
	}
	if !envVarRe.MatchString(s) || len(s) > 128 {
		return "", errors.New("must be the name of an environment variable (letters, digits, _), not the token itself")
	}
	return s, nil
}

// readHelpdeskToken fills s.Helpdesk.Token from the variable named by
// helpdesk.token_env (empty when unset: the upload then fails and the
// bundle is saved locally).
func readHelpdeskToken(s *settings, getenv func(string) string) {
	if s.Helpdesk.TokenEnv != "" {
		s.Helpdesk.Token = strings.TrimSpace(getenv(s.Helpdesk.TokenEnv))
	}
}
