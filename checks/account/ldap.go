package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/logindoctor/logindoctor/checks"
)

// directory is the ldap provider: Active Directory (Samba AD DC included)
// or an OpenLDAP-style directory with the ppolicy overlay, asked over
// LDAPS or LDAP+StartTLS with a read-only service account. It binds once,
// reads the root DSE to tell the two apart, searches the user once, and
// reads the domain object (AD) or the password policy (ppolicy).
type directory struct{}

// ldapMaxLookup bounds one directory lookup, however long the check's
// deadline; ldapTimeLimit is the server-side limit of each search (s).
const (
	ldapMaxLookup = 5 * time.Second
	ldapTimeLimit = 2
)

// ldapSettings are the ldap provider's own typed settings.
type ldapSettings struct {
	url    *url.URL
	bindDN string
	baseDN string
	filter string // with {user}; empty: the flavour's default
	user   string
	secret string
}

func (directory) Needs(cfg checks.AccountConfig) []string {
	var missing []string
	if strings.TrimSpace(cfg.BaseURL) == "" {
		missing = append(missing, "account.base_url")
	}
	if strings.TrimSpace(cfg.LDAP.BindDN) == "" {
		missing = append(missing, "account.ldap.bind_dn")
	}
	if strings.TrimSpace(cfg.LDAP.BaseDN) == "" {
		missing = append(missing, "account.ldap.base_dn")
	}
	return missing
}

// Endpoint accepts ldaps://host[:636] and ldap://host[:389] (then
// StartTLS is required), with no path, query or credentials.
func (directory) Endpoint(cfg checks.AccountConfig) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	if err != nil {
		return nil, fmt.Errorf("account.base_url: %w", unwrapURL(err))
	}
	if (u.Scheme != "ldaps" && u.Scheme != "ldap") || u.Hostname() == "" || u.User != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return nil, fmt.Errorf("account.base_url: %q is not ldaps://host:636 or ldap://host:389", redactURL(u))
	}
	if u.Port() == "" {
		port := "636"
		if u.Scheme == "ldap" {
			port = "389"
		}
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// settings reads the typed settings; a bad user_filter is an error.
func (d directory) settings(cfg checks.AccountConfig) (ldapSettings, error) {
	u, err := d.Endpoint(cfg)
	if err != nil {
		return ldapSettings{}, err
	}
	s := ldapSettings{url: u, bindDN: strings.TrimSpace(cfg.LDAP.BindDN), baseDN: strings.TrimSpace(cfg.LDAP.BaseDN),
		filter: strings.TrimSpace(cfg.LDAP.UserFilter), user: cfg.User, secret: cfg.Token}
	if s.filter != "" {
		if !strings.Contains(s.filter, "{user}") {
			return ldapSettings{}, errors.New("account.ldap.user_filter has no {user} placeholder")
		}
		if _, err := ldap.CompileFilter(fillFilter(s.filter, "x")); err != nil {
			return ldapSettings{}, fmt.Errorf("account.ldap.user_filter: %w", err)
		}
	}
	return s, nil
}

func (d directory) Lookup(ctx context.Context, call *Call) (State, error) {
	s, err := d.settings(call.Config)
	if err != nil {
		return State{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, ldapMaxLookup)
	defer cancel()
	call.Note("route", "direct")
	c, err := openDirectory(ctx, call.Env, s.url)
	if err != nil {
		return State{}, err
	}
	defer c.Close()
	if _, err := c.SimpleBind(&ldap.SimpleBindRequest{Username: s.bindDN, Password: s.secret}); err != nil {
		return State{}, bindErr(ctx, c, err)
	}
	dse, err := readRootDSE(c)
	if err != nil {
		return State{}, c.fail(ctx, "root DSE", err)
	}
	call.Note("directory", dse.flavour())
	if dse.isAD() {
		return lookupAD(ctx, c, s, dse, call.Env.Now())
	}
	return lookupPPolicy(ctx, c, s, dse, call.Env.Now())
}

// bindErr: invalid credentials (49) is the service account's problem
// (ACCOUNT_API_AUTH), never the user's.
func bindErr(ctx context.Context, c *dirConn, err error) error {
	if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
		return fmt.Errorf("%w: the service account's bind was refused (%s)", ErrAPIAuth, ldapReason(err))
	}
	return c.fail(ctx, "bind", err)
}

// search runs one bounded search (size limit enforced on our side too,
// server time limit, no paging) and returns its entries.
func search(c *dirConn, base string, scope int, filter string, size int, attrs []string) ([]*ldap.Entry, error) {
	req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, size, ldapTimeLimit, false, filter, attrs, nil)
	req.EnforceSizeLimit = true
	res, err := c.Search(req)
	if ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) || errors.Is(err, ldap.ErrSizeLimitExceeded) {
		return res.Entries, errTooMany
	}
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return res.Entries, nil
}

// errTooMany is a search that matched more entries than asked for.
var errTooMany = errors.New("more entries than the size limit")

// fillFilter puts the escaped login name into a filter template.
func fillFilter(tmpl, user string) string {
	return strings.ReplaceAll(tmpl, "{user}", ldap.EscapeFilter(user))
}

// findUser searches the exact login name; found is false when nothing
// matched. More than one match is a filter problem, not the user's.
func findUser(ctx context.Context, c *dirConn, s ldapSettings, filter string, attrs []string) (*ldap.Entry, error) {
	es, err := search(c, s.baseDN, ldap.ScopeWholeSubtree, fillFilter(filter, s.user), 1, attrs)
	if errors.Is(err, errTooMany) {
		return nil, fmt.Errorf("%w: account.ldap.user_filter matches more than one entry for this login name", ErrBadResponse)
	}
	if err != nil {
		return nil, c.fail(ctx, "user search", err)
	}
	if len(es) == 0 {
		return nil, nil
	}
	return es[0], nil
}

// loginAs looks the typed name up by the other attributes people type
// (e-mail, UPN, account name, employee number, uid) and returns the login
// name of the one account that matches; "" when none or several do, so
// that nobody learns about other people's accounts.
func loginAs(c *dirConn, s ldapSettings, loginAttr string) string {
	v := ldap.EscapeFilter(s.user)
	var b strings.Builder
	b.WriteString("(|")
	for _, a := range []string{"mail", "userPrincipalName", "sAMAccountName", "employeeID", "employeeNumber", "uid"} {
		b.WriteString("(" + a + "=" + v + ")")
	}
	if short, ok := downLevelName(s.user); ok {
		b.WriteString("(sAMAccountName=" + ldap.EscapeFilter(short) + ")")
	}
	b.WriteString(")")
	es, err := search(c, s.baseDN, ldap.ScopeWholeSubtree, b.String(), 2, []string{loginAttr})
	if err != nil || len(es) != 1 {
		return ""
	}
	name := es[0].GetAttributeValue(loginAttr)
	if strings.EqualFold(name, s.user) {
		return ""
	}
	return truncate(name, 80)
}

// downLevelName splits "EXAMPLE\zhang.san" into "zhang.san".
func downLevelName(user string) (string, bool) {
	i := strings.LastIndexByte(user, '\\')
	if i < 0 || i == len(user)-1 {
		return "", false
	}
	return user[i+1:], true
}

// filterAttr is the attribute a filter template compares {user} with,
// e.g. "uid" in "(&(objectClass=person)(uid={user}))".
func filterAttr(tmpl, fallback string) string {
	i := strings.Index(tmpl, "={user}")
	if i <= 0 {
		return fallback
	}
	j := strings.LastIndexByte(tmpl[:i], '(')
	if j < 0 {
		return fallback
	}
	if a := strings.TrimSpace(tmpl[j+1 : i]); a != "" && !strings.ContainsAny(a, "()&|!=") {
		return a
	}
	return fallback
}
