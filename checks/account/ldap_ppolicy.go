package account

import (
	"context"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// ppolicyUserAttrs are the password-policy overlay's operational
// attributes (asked for by name) beside the login attributes.
var ppolicyUserAttrs = []string{"uid", "mail", "pwdAccountLockedTime", "pwdReset", "pwdChangedTime",
	"pwdPolicySubentry", "pwdGraceUseTime", "pwdFailureTime", "createTimestamp"}

// ppolicyDefaultFilter finds a user by uid.
const ppolicyDefaultFilter = "(uid={user})"

// ppolicyPermanent is pwdAccountLockedTime's "until an administrator
// unlocks" value.
const ppolicyPermanent = "000001010000Z"

// pwdPolicy is the part of a pwdPolicy entry a login depends on.
type pwdPolicy struct {
	dn          string
	maxAge      time.Duration // 0: passwords do not expire
	expireWarn  time.Duration
	lockoutDur  time.Duration // 0: until an administrator unlocks
	graceLimit  int
	graceKnown  bool
	policyFound bool
}

func lookupPPolicy(ctx context.Context, c *dirConn, s ldapSettings, dse rootDSE, now time.Time) (State, error) {
	filter := s.filter
	if filter == "" {
		filter = ppolicyDefaultFilter
	}
	e, err := findUser(ctx, c, s, filter, ppolicyUserAttrs)
	if err != nil {
		return State{}, err
	}
	if e == nil {
		st := State{Kind: KindNotFound, Raw: "no entry"}
		st.LoginAs = loginAs(c, s, filterAttr(filter, "uid"))
		return st, nil
	}
	pol := readPolicy(c, dse.suffixOf(s.baseDN), e.GetAttributeValue("pwdPolicySubentry"))
	return parsePPolicy(e, pol, now), nil
}

// readPolicy reads the user's pwdPolicySubentry; without one the
// overlay's default applies, which is configured in cn=config (not
// readable by a service account): the conventional
// cn=default,ou=policies,<suffix>, else the one pwdPolicy entry in the
// naming context.
func readPolicy(c *dirConn, suffix, subentry string) pwdPolicy {
	attrs := []string{"pwdMaxAge", "pwdExpireWarning", "pwdLockoutDuration", "pwdGraceAuthNLimit"}
	if subentry == "" && suffix != "" {
		subentry = "cn=default,ou=policies," + suffix
	}
	es, err := search(c, subentry, ldap.ScopeBaseObject, "(objectClass=pwdPolicy)", 1, attrs)
	if (err != nil || len(es) == 0) && suffix != "" {
		es, err = search(c, suffix, ldap.ScopeWholeSubtree, "(objectClass=pwdPolicy)", 1, attrs)
	}
	if err != nil || len(es) != 1 {
		return pwdPolicy{}
	}
	return parsePolicy(es[0])
}

func parsePolicy(e *ldap.Entry) pwdPolicy {
	secs := func(a string) time.Duration { return time.Duration(atoi(e.GetAttributeValue(a))) * time.Second }
	p := pwdPolicy{dn: e.DN, maxAge: secs("pwdMaxAge"), expireWarn: secs("pwdExpireWarning"),
		lockoutDur: secs("pwdLockoutDuration"), policyFound: true}
	if v := e.GetAttributeValue("pwdGraceAuthNLimit"); v != "" {
		p.graceLimit, p.graceKnown = atoi(v), true
	}
	return p
}

// parsePPolicy decides the state of a user entry under the ppolicy
// overlay: locked, must change (pwdReset), expired or expiring (by
// pwdChangedTime + pwdMaxAge), else active.
func parsePPolicy(e *ldap.Entry, pol pwdPolicy, now time.Time) State {
	st := State{SelfServiceReset: Unknown}
	st.fact("dn", truncate(e.DN, 200))
	if pol.policyFound {
		st.fact("password_policy", truncate(pol.dn, 200))
	}
	lockedRaw := strings.TrimSpace(e.GetAttributeValue("pwdAccountLockedTime"))
	changed := genTime(e.GetAttributeValue("pwdChangedTime"))
	if changed.IsZero() {
		changed = genTime(e.GetAttributeValue("createTimestamp"))
	}
	var expires time.Time
	if pol.maxAge > 0 && !changed.IsZero() {
		expires = changed.Add(pol.maxAge)
	}
	switch {
	case lockedRaw != "" && ppolicyLocked(lockedRaw, pol, now):
		st.Kind, st.Raw, st.Reason = KindLocked, "pwdAccountLockedTime", "lockout"
		st.Failures = len(e.GetAttributeValues("pwdFailureTime"))
		if lockedRaw == ppolicyPermanent {
			st.Reason = "administrator"
			break
		}
		st.LockedSince = genTime(lockedRaw)
		if pol.lockoutDur > 0 && !st.LockedSince.IsZero() {
			st.UnlockAt = st.LockedSince.Add(pol.lockoutDur)
		}
	case strings.EqualFold(strings.TrimSpace(e.GetAttributeValue("pwdReset")), "TRUE"):
		st.Kind, st.Raw, st.Reason = KindMustChange, "pwdReset=TRUE", "must_change"
	default:
		st.Kind, st.Raw = KindActive, "active"
		st.PasswordExpires = expires
		if pol.expireWarn > 0 {
			st.NotifyDays = int((pol.expireWarn + 24*time.Hour - 1) / (24 * time.Hour))
		}
		if !expires.IsZero() && !expires.After(now) && pol.graceKnown {
			used := len(e.GetAttributeValues("pwdGraceUseTime"))
			st.GraceLeft, st.GraceKnown = max(pol.graceLimit-used, 0), true
			st.fact("grace_logins_used", used)
		}
	}
	return st
}

// ppolicyLocked: permanent, or still inside pwdLockoutDuration (0 means
// until an administrator unlocks).
func ppolicyLocked(raw string, pol pwdPolicy, now time.Time) bool {
	if raw == ppolicyPermanent || pol.lockoutDur == 0 {
		return true
	}
	at := genTime(raw)
	return at.IsZero() || at.Add(pol.lockoutDur).After(now)
}

// genTime parses LDAP GeneralizedTime ("20261128093000Z", with optional
// fraction); the zero time when it cannot.
func genTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"20060102150405Z0700", "20060102150405.999999Z0700", "200601021504Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
