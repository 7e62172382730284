package account

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// keycloak reads Keycloak's admin REST API with "Authorization: Bearer
// <token>": the user (users?username=…&exact=true), its brute-force status
// (attack-detection/brute-force/users/{id}) and, for password expiry, the
// realm's passwordPolicy and the user's password credential.
type keycloak struct{}

// keycloakNotify is the warning window for Keycloak, which has none of its own.
const keycloakNotify = 14

var kcExpiryPolicy = regexp.MustCompile(`forceExpiredPasswordChange\((\d{1,5})\)`)

type kcUser struct {
	ID              string   `json:"id"`
	Username        string   `json:"username"`
	Enabled         *bool    `json:"enabled"`
	TOTP            bool     `json:"totp"`
	RequiredActions []string `json:"requiredActions"`
}

type kcBrute struct {
	Disabled    bool        `json:"disabled"`
	NumFailures int         `json:"numFailures"`
	LastFailure int64       `json:"lastFailure"` // ms since the epoch
	LastIP      string      `json:"lastIPFailure"`
	NotBefore   json.Number `json:"failedLoginNotBefore"` // s since the epoch; max long: permanent
}

type kcCredential struct {
	Type        string `json:"type"`
	CreatedDate int64  `json:"createdDate"` // ms since the epoch
}

// parseKeycloak reads the users search and picks the exact username.
func parseKeycloak(body []byte, username string) (u kcUser, found bool, err error) {
	var us []kcUser
	if err := json.Unmarshal(body, &us); err != nil {
		return kcUser{}, false, fmt.Errorf("%w: Keycloak users: %w", ErrBadResponse, err)
	}
	for _, u := range us {
		if strings.EqualFold(u.Username, username) {
			if u.ID == "" || u.Enabled == nil {
				return kcUser{}, false, fmt.Errorf("%w: Keycloak user without id or enabled", ErrBadResponse)
			}
			return u, true, nil
		}
	}
	return kcUser{}, false, nil
}

// parseKeycloakBrute reads a brute-force status map.
func parseKeycloakBrute(body []byte) (kcBrute, error) {
	var b kcBrute
	if err := json.Unmarshal(body, &b); err != nil {
		return kcBrute{}, fmt.Errorf("%w: Keycloak brute-force status: %w", ErrBadResponse, err)
	}
	return b, nil
}

// parseKeycloakPolicy returns the days of forceExpiredPasswordChange (0: none).
func parseKeycloakPolicy(body []byte) (int, error) {
	var r struct {
		PasswordPolicy string `json:"passwordPolicy"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("%w: Keycloak realm: %w", ErrBadResponse, err)
	}
	m := kcExpiryPolicy.FindStringSubmatch(r.PasswordPolicy)
	if m == nil {
		return 0, nil
	}
	days, _ := strconv.Atoi(m[1])
	return days, nil
}

// parseKeycloakCredentials returns when the password credential was set.
func parseKeycloakCredentials(body []byte) (time.Time, error) {
	var cs []kcCredential
	if err := json.Unmarshal(body, &cs); err != nil {
		return time.Time{}, fmt.Errorf("%w: Keycloak credentials: %w", ErrBadResponse, err)
	}
	for _, c := range cs {
		if c.Type == "password" && c.CreatedDate > 0 {
			return time.UnixMilli(c.CreatedDate), nil
		}
	}
	return time.Time{}, nil
}

// keycloakKind is the table of Keycloak user facts.
func keycloakKind(u kcUser, b kcBrute) (Kind, string) {
	switch {
	case b.Disabled:
		return KindLocked, "brute_force"
	case !*u.Enabled:
		return KindDisabled, "enabled=false"
	case slices.Contains(u.RequiredActions, "UPDATE_PASSWORD"):
		return KindMustChange, "UPDATE_PASSWORD"
	}
	return KindActive, "enabled=true"
}

func (keycloak) fetch(ctx context.Context, client *http.Client, cfg checks.AccountConfig) (State, error) {
	base, err := parseBase(cfg.BaseURL)
	if err != nil {
		return State{}, err
	}
	a := api{client: client, header: "Authorization", value: "Bearer " + cfg.Token}
	realm := "/admin/realms/" + url.PathEscape(cfg.Realm)
	body, err := kcGet(ctx, a, apiURL(base, realm+"/users", url.Values{"username": {cfg.User}, "exact": {"true"}}.Encode()))
	if err != nil {
		return State{}, err
	}
	u, found, err := parseKeycloak(body, cfg.User)
	if err != nil {
		return State{}, err
	}
	if !found {
		return State{Kind: KindNotFound, Raw: "no exact match"}, nil
	}
	if body, err = kcGet(ctx, a, apiURL(base, realm+"/attack-detection/brute-force/users/"+url.PathEscape(u.ID), "")); err != nil {
		return State{}, err
	}
	b, err := parseKeycloakBrute(body)
	if err != nil {
		return State{}, err
	}
	kind, raw := keycloakKind(u, b)
	st := State{Kind: kind, Raw: raw, Reason: raw, SelfServiceReset: Unknown, MFAEnrolled: Unknown}
	if len(u.RequiredActions) > 0 {
		st.fact("required_actions", u.RequiredActions)
	}
	kcLock(b, &st)
	switch {
	case slices.Contains(u.RequiredActions, "CONFIGURE_TOTP"):
		st.MFAEnrolled = No
	case u.TOTP:
		st.MFAEnrolled = Yes
	}
	if kind == KindActive {
		kcExpiry(ctx, a, base, realm, u.ID, &st)
	}
	return st, nil
}

// kcLock copies the brute-force facts into st.
func kcLock(b kcBrute, st *State) {
	if b.NumFailures > 0 {
		st.Failures = b.NumFailures
	}
	if b.LastFailure > 0 {
		st.LastFailure = time.UnixMilli(b.LastFailure)
		st.LockedSince = st.LastFailure
	}
	if b.LastIP != "" && b.LastIP != "n/a" {
		st.LastFailureIP = b.LastIP
	}
	if nb, err := b.NotBefore.Int64(); err == nil && nb > 0 && nb < math.MaxInt64/1000 {
		st.UnlockAt = time.Unix(nb, 0)
	} else if b.Disabled {
		st.fact("lockout", "permanent")
	}
}

// kcExpiry reads the realm's password policy and the password's age; a
// failure (e.g. no view-realm role) leaves expiry unknown.
func kcExpiry(ctx context.Context, a api, base *url.URL, realm, id string, st *State) {
	body, err := kcGet(ctx, a, apiURL(base, realm, ""))
	var days int
	if err == nil {
		days, err = parseKeycloakPolicy(body)
	}
	if err != nil {
		st.fact("password_expiry", "unknown: "+err.Error())
		return
	}
	if days == 0 {
		return
	}
	body, err = kcGet(ctx, a, apiURL(base, realm+"/users/"+url.PathEscape(id)+"/credentials", ""))
	var set time.Time
	if err == nil {
		set, err = parseKeycloakCredentials(body)
	}
	if err != nil || set.IsZero() {
		st.fact("password_expiry", "unknown: no password credential")
		return
	}
	st.PasswordExpires = set.AddDate(0, 0, days)
	st.NotifyDays = keycloakNotify
	st.fact("password_validity_days", days)
}

// kcGet fetches u; a 404 means the realm (or base URL) is wrong.
func kcGet(ctx context.Context, a api, u string) ([]byte, error) {
	code, body, err := a.get(ctx, u)
	if err != nil {
		return nil, err
	}
	if code == http.StatusNotFound {
		return nil, &HTTPError{Status: code, Err: fmt.Errorf("%w: Keycloak answered 404 — check account.base_url and account.realm", ErrBadResponse)}
	}
	return body, nil
}
