package account

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// defaultNotifyDays is the warning window when the provider has none.
const defaultNotifyDays = 14

// display is the name people know the provider by; messages say "ask your
// {{.admin}} administrator".
func display(provider string) string {
	switch provider {
	case "okta":
		return "Okta"
	case "entra":
		return "Microsoft Entra ID"
	case "salesforce":
		return "Salesforce"
	case "keycloak":
		return "Keycloak"
	case "ldap":
		return "LDAP directory"
	}
	return "CRM"
}

// paramSet builds Result.Params; every code sets every key its messages use.
type paramSet map[string]string

func params(cfg checks.AccountConfig) paramSet {
	return paramSet{"user": cfg.User, "provider": cfg.Provider, "admin": display(cfg.Provider),
		"login_as": "", "expired_on": "", "grace_left": ""}
}

func (p paramSet) with(k, v string) paramSet {
	out := make(paramSet, len(p)+1)
	for key, val := range p {
		out[key] = val
	}
	out[k] = v
	return out
}

func (p paramSet) withInt(k string, v int) paramSet {
	if v == 0 {
		return p.with(k, "")
	}
	return p.with(k, strconv.Itoa(v))
}

func (p paramSet) apply(r checks.Result) checks.Result {
	for k, v := range p {
		r = r.WithParam(k, v)
	}
	return r
}

// fromState turns what the provider said into the check's one Result.
func fromState(env *checks.Env, cfg checks.AccountConfig, st State) checks.Result {
	now := env.Now()
	p := params(cfg)
	if st.Admin != "" {
		p = p.with("admin", st.Admin)
	}
	who := fmt.Sprintf("the account %s in %s", cfg.User, p["admin"])
	var res checks.Result
	switch st.Kind {
	case KindNotFound:
		res, p = notFound(who, st, p)
	case KindDisabled:
		res, p = disabled(now, who, st, p)
	case KindLocked:
		res, p = locked(now, who, st, p)
	case KindPasswordExpired:
		res, p = expired(now, who, st, p)
	case KindMustChange, KindNotActivated, KindStaged:
		res = mustChange(who, st)
		p = p.with("kind", res.Variant)
	case KindActive:
		res, p = active(now, who, st, p)
	default:
		return checks.Errored(fmt.Sprintf("account.status: unhandled state %q", st.Kind))
	}
	res = p.apply(res).With("user", cfg.User).With("provider_state", st.Raw)
	if st.Reason != "" {
		res = res.With("reason", st.Reason)
	}
	for k, v := range st.Facts {
		res = res.With(k, v)
	}
	return res
}

// notFound says whether the typed name belongs to an account under
// another login name (exactly one match by e-mail, employee number…).
func notFound(who string, st State, p paramSet) (checks.Result, paramSet) {
	if st.LoginAs == "" {
		return checks.Finding(checks.StatusFail, CodeNotFound, checks.SeverityCritical, checks.OwnerAdmin,
			fmt.Sprintf("%s does not exist (%s)", who, st.Raw)), p
	}
	res := checks.Finding(checks.StatusFail, CodeNotFound, checks.SeverityHigh, checks.OwnerYou,
		fmt.Sprintf("%s does not exist as a login name, but this account exists as %s — log in with that name", who, st.LoginAs))
	res.Variant = "login_as"
	return res.With("login_as", st.LoginAs), p.with("login_as", st.LoginAs)
}

// disabled tells an account switched off from one whose end date passed.
func disabled(now time.Time, who string, st State, p paramSet) (checks.Result, paramSet) {
	p = p.with("reason", st.Raw)
	if st.AccountExpires.IsZero() {
		return checks.Finding(checks.StatusFail, CodeDisabled, checks.SeverityCritical, checks.OwnerAdmin,
			fmt.Sprintf("%s is disabled (%s)", who, st.Raw)), p
	}
	on := st.AccountExpires.In(now.Location()).Format("2006-01-02")
	res := checks.Finding(checks.StatusFail, CodeDisabled, checks.SeverityCritical, checks.OwnerAdmin,
		fmt.Sprintf("%s expired on %s (%s)", who, on, st.Raw))
	res.Variant = "expired"
	res = res.With("account_expires", st.AccountExpires.UTC().Format(time.RFC3339))
	return res, p.with("expired_on", on)
}

func locked(now time.Time, who string, st State, p paramSet) (checks.Result, paramSet) {
	sum := who + " is locked"
	if !st.LockedSince.IsZero() {
		sum += " since " + clock(st.LockedSince, now)
	}
	if st.Failures > 0 {
		sum += fmt.Sprintf(" after %d failed sign-ins", st.Failures)
	}
	res := checks.Finding(checks.StatusFail, CodeLocked, checks.SeverityCritical, checks.OwnerAdmin, sum)
	p = p.with("since", clock(st.LockedSince, now)).withInt("failures", st.Failures).
		with("last_failure", clock(st.LastFailure, now)).with("last_ip", st.LastFailureIP).
		with("unlock_at", "").with("unlock_in", "")
	if st.UnlockAt.After(now) {
		mins := int(math.Ceil(st.UnlockAt.Sub(now).Minutes()))
		p = p.with("unlock_at", clock(st.UnlockAt, now)).withInt("unlock_in", mins)
		res.Variant = "auto_unlock"
		res.Summary += fmt.Sprintf("; it unlocks by itself at %s (in %d min)", clock(st.UnlockAt, now), mins)
		res = res.With("unlock_at", st.UnlockAt.UTC().Format(time.RFC3339))
	}
	if !st.LockedSince.IsZero() {
		res = res.With("locked_since", st.LockedSince.UTC().Format(time.RFC3339))
	}
	if st.Failures > 0 {
		res = res.With("failures", st.Failures)
	}
	if st.LastFailureIP != "" {
		res = res.With("last_failure_ip", st.LastFailureIP)
	}
	return res, p
}

func expired(now time.Time, who string, st State, p paramSet) (checks.Result, paramSet) {
	owner, variant := checks.OwnerAdmin, ""
	if st.SelfServiceReset == Yes {
		owner, variant = checks.OwnerYou, "self_service"
	}
	res := checks.Finding(checks.StatusFail, CodeExpired, checks.SeverityHigh, owner,
		fmt.Sprintf("the password of %s has expired (%s)", who, st.Raw))
	res.Variant = variant
	p = p.with("expired_on", "")
	if !st.PasswordExpires.IsZero() {
		p = p.with("expired_on", st.PasswordExpires.In(now.Location()).Format("2006-01-02"))
	}
	if st.GraceKnown {
		p = p.with("grace_left", strconv.Itoa(st.GraceLeft))
		res.Summary += fmt.Sprintf("; %d login(s) with the old password left", st.GraceLeft)
		res = res.With("grace_logins_left", st.GraceLeft)
	}
	return res, p
}

func mustChange(who string, st State) checks.Result {
	switch st.Kind {
	case KindStaged:
		res := checks.Finding(checks.StatusWarn, CodeMustChange, checks.SeverityHigh, checks.OwnerAdmin,
			fmt.Sprintf("%s has been created but not activated yet (%s)", who, st.Raw))
		res.Variant = "staged"
		return res
	case KindNotActivated:
		res := checks.Finding(checks.StatusWarn, CodeMustChange, checks.SeverityHigh, checks.OwnerYou,
			fmt.Sprintf("%s is waiting for its first sign-in with the initial password or activation link (%s)", who, st.Raw))
		res.Variant = "not_activated"
		return res
	}
	return checks.Finding(checks.StatusWarn, CodeMustChange, checks.SeverityLow, checks.OwnerYou,
		fmt.Sprintf("%s must set a new password at the next sign-in (%s)", who, st.Raw))
}

// active looks at password expiry and MFA of an active account.
func active(now time.Time, who string, st State, p paramSet) (checks.Result, paramSet) {
	var found []checks.Result
	if !st.PasswordExpires.IsZero() {
		p = p.with("expires_on", st.PasswordExpires.In(now.Location()).Format("2006-01-02"))
		notify := st.NotifyDays
		if notify <= 0 {
			notify = defaultNotifyDays
		}
		left := st.PasswordExpires.Sub(now)
		days := int(math.Ceil(left.Hours() / 24))
		switch {
		case left <= 0:
			r, withExpiry := expired(now, who, st, p)
			r.Summary = strings.Replace(r.Summary, fmt.Sprintf("has expired (%s)", st.Raw), "expired on "+p["expires_on"], 1)
			p = withExpiry
			found = append(found, r)
		case days <= notify:
			p = p.withInt("days", days)
			found = append(found, checks.Finding(checks.StatusWarn, CodeExpiring, checks.SeverityLow, checks.OwnerYou,
				fmt.Sprintf("the password of %s expires in %d day(s), on %s", who, days, p["expires_on"])))
		}
	}
	if st.MFAEnrolled == No {
		found = append(found, checks.Finding(checks.StatusWarn, CodeMFANotEnrolled, checks.SeverityLow, checks.OwnerYou,
			fmt.Sprintf("%s has no second factor (MFA) set up yet", who)))
	}
	if len(found) == 0 {
		res := checks.Pass(who + " is active")
		if !st.PasswordExpires.IsZero() {
			res = res.With("password_expires", st.PasswordExpires.UTC().Format(time.RFC3339))
		}
		return res, p
	}
	res := found[0]
	if !st.PasswordExpires.IsZero() {
		res = res.With("password_expires", st.PasswordExpires.UTC().Format(time.RFC3339))
	}
	if len(found) > 1 {
		var also []string
		for _, f := range found[1:] {
			also = append(also, f.Code)
		}
		res = res.With("also", also)
	}
	if p["days"] == "" {
		p = p.with("days", "")
	}
	return res, p
}

// clock formats t in now's zone: "09:12" today, else "2006-01-02 15:04".
func clock(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}
