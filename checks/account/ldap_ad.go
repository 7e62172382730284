package account

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Active Directory's userAccountControl bits that matter for a login.
const (
	adAccountDisable     = 0x2
	adLockout            = 0x10 // in msDS-User-Account-Control-Computed
	adDontExpirePassword = 0x10000
	adPasswordExpired    = 0x800000 // in msDS-User-Account-Control-Computed
)

// adCapability is LDAP_CAP_ACTIVE_DIRECTORY_OID in supportedCapabilities.
const adCapability = "1.2.840.113556.1.4.800"

// adUserAttrs are read for the user; AD computes the msDS-* ones only
// when they are asked for by name.
var adUserAttrs = []string{"sAMAccountName", "userPrincipalName", "userAccountControl", "accountExpires",
	"msDS-User-Account-Control-Computed", "lockoutTime", "pwdLastSet", "msDS-UserPasswordExpiryTimeComputed", "badPwdCount"}

// adDefaultFilter finds a user by account name or UPN.
const adDefaultFilter = "(&(objectClass=user)(|(sAMAccountName={user})(userPrincipalName={user})))"

var adDataCode = regexp.MustCompile(`\bdata ([0-9a-fA-F]{2,8})\b`)

// adSubCode is AD's "data 775" sub-code of a failed bind, if any.
func adSubCode(err error) string {
	if err == nil {
		return ""
	}
	if m := adDataCode.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

// rootDSE is what the directory says about itself.
type rootDSE struct {
	capabilities   []string
	forest         string
	gcReady        string
	namingContext  string
	vendor         string
	namingContexts []string
}

func readRootDSE(c *dirConn) (rootDSE, error) {
	es, err := search(c, "", ldap.ScopeBaseObject, "(objectClass=*)", 1,
		[]string{"supportedCapabilities", "forestFunctionality", "isGlobalCatalogReady", "defaultNamingContext", "vendorName", "namingContexts"})
	if err != nil {
		return rootDSE{}, err
	}
	if len(es) == 0 {
		return rootDSE{}, nil
	}
	e := es[0]
	return rootDSE{capabilities: e.GetAttributeValues("supportedCapabilities"), forest: e.GetAttributeValue("forestFunctionality"),
		gcReady: e.GetAttributeValue("isGlobalCatalogReady"), namingContext: e.GetAttributeValue("defaultNamingContext"),
		vendor: e.GetAttributeValue("vendorName"), namingContexts: e.GetAttributeValues("namingContexts")}, nil
}

// isAD: the AD capability, or AD's forest and global-catalog attributes.
func (d rootDSE) isAD() bool {
	for _, c := range d.capabilities {
		if c == adCapability {
			return true
		}
	}
	return d.forest != "" || d.gcReady != ""
}

// suffixOf is the naming context that holds dn (or dn itself).
func (d rootDSE) suffixOf(dn string) string {
	best := ""
	for _, nc := range d.namingContexts {
		if nc != "" && strings.HasSuffix(strings.ToLower(dn), strings.ToLower(nc)) && len(nc) > len(best) {
			best = nc
		}
	}
	if best == "" {
		return dn
	}
	return best
}

func (d rootDSE) flavour() string {
	if d.isAD() {
		return "active_directory"
	}
	return "ldap"
}

// adDomain is the domain object's lockout setting.
type adDomain struct {
	lockout   time.Duration // 0: until an administrator unlocks
	lockKnown bool
}

// readADDomain reads lockoutDuration (a negative interval in 100 ns).
func readADDomain(c *dirConn, dn string) adDomain {
	if dn == "" {
		return adDomain{}
	}
	es, err := search(c, dn, ldap.ScopeBaseObject, "(objectClass=*)", 1, []string{"lockoutDuration"})
	if err != nil || len(es) == 0 || es[0].GetAttributeValue("lockoutDuration") == "" {
		return adDomain{}
	}
	v, err := strconv.ParseInt(es[0].GetAttributeValue("lockoutDuration"), 10, 64)
	if err != nil {
		return adDomain{}
	}
	return adDomain{lockout: adInterval(v), lockKnown: true}
}

// adInterval turns AD's negative 100 ns interval into a duration; 0 and
// the "never" value mean "until an administrator unlocks".
func adInterval(v int64) time.Duration {
	if v == 0 || v == math.MinInt64 {
		return 0
	}
	if v < 0 {
		v = -v
	}
	return time.Duration(v) * 100
}

// fileTime converts AD's FILETIME (100 ns since 1601-01-01 UTC); 0 and
// the maximum mean "never" and give the zero time.
func fileTime(s string) time.Time {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v <= 0 || v == math.MaxInt64 {
		return time.Time{}
	}
	const epochDiff = 116444736000000000 // 1601 → 1970 in 100 ns
	if v < epochDiff {
		return time.Time{}
	}
	v -= epochDiff
	return time.Unix(v/1e7, (v%1e7)*100).UTC()
}

func lookupAD(ctx context.Context, c *dirConn, s ldapSettings, dse rootDSE, now time.Time) (State, error) {
	filter := s.filter
	if filter == "" {
		filter = adDefaultFilter
	}
	e, err := findUser(ctx, c, s, filter, adUserAttrs)
	if err != nil {
		return State{}, err
	}
	if e == nil {
		st := State{Kind: KindNotFound, Raw: "no entry", Admin: "Active Directory"}
		st.LoginAs = loginAs(c, s, filterAttr(filter, "sAMAccountName"))
		return st, nil
	}
	dom := readADDomain(c, dse.namingContext)
	st := parseAD(e, dom, now)
	st.Admin = "Active Directory"
	return st, nil
}

// parseAD decides the state of an AD user entry, in the order AD refuses
// a logon: disabled, expired account, locked, must change, expired
// password; otherwise active with the password's expiry.
func parseAD(e *ldap.Entry, dom adDomain, now time.Time) State {
	uac := atoi(e.GetAttributeValue("userAccountControl"))
	computed := atoi(e.GetAttributeValue("msDS-User-Account-Control-Computed"))
	expiry := fileTime(e.GetAttributeValue("msDS-UserPasswordExpiryTimeComputed"))
	st := State{SelfServiceReset: Unknown}
	st.fact("dn", truncate(e.DN, 200))
	st.fact("user_account_control", fmt.Sprintf("0x%x", uac))
	if uac&adDontExpirePassword != 0 {
		expiry = time.Time{}
	}
	switch {
	case uac&adAccountDisable != 0:
		st.Kind, st.Raw, st.Reason = KindDisabled, "userAccountControl ACCOUNTDISABLE", "disabled"
	case !fileTime(e.GetAttributeValue("accountExpires")).IsZero() && !fileTime(e.GetAttributeValue("accountExpires")).After(now):
		st.Kind, st.Raw, st.Reason = KindDisabled, "accountExpires", "account_expired"
		st.AccountExpires = fileTime(e.GetAttributeValue("accountExpires"))
	case adLocked(e, computed, dom, now):
		st.Kind, st.Raw, st.Reason = KindLocked, "lockoutTime", "lockout"
		st.LockedSince = fileTime(e.GetAttributeValue("lockoutTime"))
		st.Failures = atoi(e.GetAttributeValue("badPwdCount"))
		if dom.lockKnown && dom.lockout > 0 && !st.LockedSince.IsZero() {
			st.UnlockAt = st.LockedSince.Add(dom.lockout)
		}
	case strings.TrimSpace(e.GetAttributeValue("pwdLastSet")) == "0":
		st.Kind, st.Raw, st.Reason = KindMustChange, "pwdLastSet=0", "must_change"
	case computed&adPasswordExpired != 0:
		st.Kind, st.Raw, st.Reason = KindPasswordExpired, "UF_PASSWORD_EXPIRED", "expired"
		st.PasswordExpires = expiry
	default:
		st.Kind, st.Raw = KindActive, "enabled"
		st.PasswordExpires = expiry
	}
	return st
}

// adLocked: AD's computed UF_LOCKOUT, or a lockoutTime still inside the
// domain's lockoutDuration (a directory that does not compute the bit).
func adLocked(e *ldap.Entry, computed int, dom adDomain, now time.Time) bool {
	if computed&adLockout != 0 {
		return true
	}
	at := fileTime(e.GetAttributeValue("lockoutTime"))
	if at.IsZero() || e.GetAttributeValue("msDS-User-Account-Control-Computed") != "" {
		return false
	}
	return dom.lockKnown && (dom.lockout == 0 || at.Add(dom.lockout).After(now))
}

func atoi(s string) int {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v > math.MaxInt32 || v < math.MinInt32 {
		return 0
	}
	return int(v)
}
