package account

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// entra reads Microsoft Graph: GET /v1.0/users/{upn}?$select=… and the
// password policy of the user's domain, GET /v1.0/domains/{domain}, with
// "Authorization: Bearer <token>".
type entra struct{}

const entraSelect = "$select=id,userPrincipalName,accountEnabled,passwordPolicies,lastPasswordChangeDateTime,passwordProfile"

// entraNeverExpires is the validity Graph reports for "never expires".
const entraNeverExpires = 2147483647

// Graph's documented defaults when a domain leaves the fields null.
const (
	entraDefaultValidity = 90
	entraDefaultNotify   = 14
)

type entraUser struct {
	ID                 string  `json:"id"`
	UPN                string  `json:"userPrincipalName"`
	AccountEnabled     *bool   `json:"accountEnabled"`
	PasswordPolicies   *string `json:"passwordPolicies"`
	LastPasswordChange *string `json:"lastPasswordChangeDateTime"`
	PasswordProfile    *struct {
		ForceChange        bool `json:"forceChangePasswordNextSignIn"`
		ForceChangeWithMFA bool `json:"forceChangePasswordNextSignInWithMfa"`
	} `json:"passwordProfile"`
}

type entraDomain struct {
	ValidityDays *int64 `json:"passwordValidityPeriodInDays"`
	NotifyDays   *int64 `json:"passwordNotificationWindowInDays"`
}

type graphErrorBody struct {
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
}

// parseEntra reads a Graph user.
func parseEntra(body []byte) (entraUser, error) {
	var u entraUser
	if err := json.Unmarshal(body, &u); err != nil {
		return entraUser{}, fmt.Errorf("%w: Graph user: %w", ErrBadResponse, err)
	}
	if u.AccountEnabled == nil {
		return entraUser{}, fmt.Errorf("%w: Graph user without accountEnabled", ErrBadResponse)
	}
	return u, nil
}

// parseEntraDomain reads a Graph domain's password policy (validity and
// notification window in days; 0 validity: never expires).
func parseEntraDomain(body []byte) (validity, notify int, err error) {
	var d entraDomain
	if err := json.Unmarshal(body, &d); err != nil {
		return 0, 0, fmt.Errorf("%w: Graph domain: %w", ErrBadResponse, err)
	}
	validity, notify = entraDefaultValidity, entraDefaultNotify
	if d.ValidityDays != nil {
		validity = int(min(max(*d.ValidityDays, 0), entraNeverExpires))
	}
	if validity >= entraNeverExpires || validity == 0 {
		validity = 0
	}
	if d.NotifyDays != nil && *d.NotifyDays >= 0 && *d.NotifyDays < 3650 {
		notify = int(*d.NotifyDays)
	}
	return validity, notify, nil
}

// entraKind is the table of Graph user facts.
func entraKind(u entraUser) (Kind, string) {
	switch {
	case !*u.AccountEnabled:
		return KindDisabled, "accountEnabled=false"
	case u.PasswordProfile != nil && (u.PasswordProfile.ForceChange || u.PasswordProfile.ForceChangeWithMFA):
		return KindMustChange, "forceChangePasswordNextSignIn"
	}
	return KindActive, "accountEnabled=true"
}

func (entra) fetch(ctx context.Context, client *http.Client, cfg checks.AccountConfig) (State, error) {
	base, err := parseBase(cfg.BaseURL)
	if err != nil {
		return State{}, err
	}
	base.Path = strings.TrimSuffix(strings.TrimRight(base.Path, "/"), "/v1.0")
	a := api{client: client, header: "Authorization", value: "Bearer " + cfg.Token}
	code, body, err := a.get(ctx, apiURL(base, "/v1.0/users/"+url.PathEscape(cfg.User), entraSelect))
	if err != nil {
		return State{}, err
	}
	if code == http.StatusNotFound {
		var e graphErrorBody
		if json.Unmarshal(body, &e) == nil && e.Error.Code == "Request_ResourceNotFound" {
			return State{Kind: KindNotFound, Raw: "Request_ResourceNotFound"}, nil
		}
		return State{}, &HTTPError{Status: code, Err: fmt.Errorf("%w: /v1.0/users answered 404 without Graph's error shape — is account.base_url https://graph.microsoft.com?", ErrBadResponse)}
	}
	u, err := parseEntra(body)
	if err != nil {
		return State{}, err
	}
	kind, raw := entraKind(u)
	st := State{Kind: kind, Raw: raw, SelfServiceReset: Yes}
	if u.PasswordPolicies != nil {
		st.fact("password_policies", *u.PasswordPolicies)
	}
	changed := oktaTime(u.LastPasswordChange)
	if kind != KindActive || changed.IsZero() {
		return st, nil
	}
	st.fact("password_changed", changed.UTC().Format(time.RFC3339))
	if u.PasswordPolicies != nil && strings.Contains(*u.PasswordPolicies, "DisablePasswordExpiration") {
		st.fact("password_expiry", "never (DisablePasswordExpiration)")
		return st, nil
	}
	entraExpiry(ctx, a, base, upnDomain(u.UPN, cfg.User), changed, &st)
	return st, nil
}

// entraExpiry reads the domain's policy; a failure leaves expiry unknown.
func entraExpiry(ctx context.Context, a api, base *url.URL, domain string, changed time.Time, st *State) {
	if domain == "" {
		st.fact("password_expiry", "unknown: no domain in the user principal name")
		return
	}
	code, body, err := a.get(ctx, apiURL(base, "/v1.0/domains/"+url.PathEscape(domain), ""))
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("HTTP %d", code)
	}
	var validity, notify int
	if err == nil {
		validity, notify, err = parseEntraDomain(body)
	}
	if err != nil {
		st.fact("password_expiry", "unknown: domain "+domain+": "+err.Error())
		return
	}
	if validity == 0 {
		st.fact("password_expiry", "never (domain policy)")
		return
	}
	st.PasswordExpires = changed.AddDate(0, 0, validity)
	st.NotifyDays = notify
	st.fact("password_validity_days", validity)
}

func upnDomain(upn, fallback string) string {
	if upn == "" {
		upn = fallback
	}
	i := strings.LastIndexByte(upn, '@')
	if i < 0 || i == len(upn)-1 {
		return ""
	}
	return upn[i+1:]
}
