package account

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// okta reads Okta's Users API: GET /api/v1/users/{login} and, for an active
// user, GET /api/v1/users/{id}/factors, with "Authorization: SSWS <token>".
type okta struct{}

type oktaUser struct {
	ID              string  `json:"id"`
	Status          string  `json:"status"`
	StatusChanged   *string `json:"statusChanged"`
	LastLogin       *string `json:"lastLogin"`
	PasswordChanged *string `json:"passwordChanged"`
	Links           struct {
		ForgotPassword *json.RawMessage `json:"forgotPassword"`
	} `json:"_links"`
}

type oktaErrorBody struct {
	ErrorCode string `json:"errorCode"`
}

type oktaFactor struct {
	FactorType string `json:"factorType"`
	Status     string `json:"status"`
}

// oktaNotFound is Okta's error code for a resource that does not exist.
const oktaNotFound = "E0000007"

// parseOkta reads a user object.
func parseOkta(body []byte) (oktaUser, error) {
	var u oktaUser
	if err := json.Unmarshal(body, &u); err != nil {
		return oktaUser{}, fmt.Errorf("%w: Okta user: %w", ErrBadResponse, err)
	}
	if u.ID == "" || u.Status == "" {
		return oktaUser{}, fmt.Errorf("%w: Okta user without id or status", ErrBadResponse)
	}
	return u, nil
}

// parseOktaFactors reads a factor list and says whether one is active.
func parseOktaFactors(body []byte) (bool, error) {
	var fs []oktaFactor
	if err := json.Unmarshal(body, &fs); err != nil {
		return false, fmt.Errorf("%w: Okta factors: %w", ErrBadResponse, err)
	}
	for _, f := range fs {
		if f.Status == "ACTIVE" {
			return true, nil
		}
	}
	return false, nil
}

// oktaKind is the table of Okta user statuses.
func oktaKind(status string) (Kind, string, bool) {
	switch status {
	case "ACTIVE":
		return KindActive, "", true
	case "LOCKED_OUT":
		return KindLocked, "locked_out", true
	case "PASSWORD_EXPIRED":
		return KindPasswordExpired, "", true
	case "RECOVERY":
		return KindMustChange, "recovery", true
	case "PROVISIONED":
		return KindNotActivated, "provisioned", true
	case "STAGED":
		return KindStaged, "staged", true
	case "SUSPENDED":
		return KindDisabled, "suspended", true
	case "DEPROVISIONED":
		return KindDisabled, "deprovisioned", true
	}
	return "", "", false
}

func (okta) fetch(ctx context.Context, client *http.Client, cfg checks.AccountConfig) (State, error) {
	base, err := parseBase(cfg.BaseURL)
	if err != nil {
		return State{}, err
	}
	a := api{client: client, header: "Authorization", value: "SSWS " + cfg.Token}
	code, body, err := a.get(ctx, apiURL(base, "/api/v1/users/"+url.PathEscape(cfg.User), ""))
	if err != nil {
		return State{}, err
	}
	if code == http.StatusNotFound {
		var e oktaErrorBody
		if json.Unmarshal(body, &e) == nil && e.ErrorCode == oktaNotFound {
			return State{Kind: KindNotFound, Raw: "E0000007"}, nil
		}
		return State{}, &HTTPError{Status: code, Err: fmt.Errorf("%w: /api/v1/users answered 404 without Okta's error shape — is account.base_url the Okta org URL?", ErrBadResponse)}
	}
	u, err := parseOkta(body)
	if err != nil {
		return State{}, err
	}
	kind, reason, ok := oktaKind(u.Status)
	if !ok {
		return State{}, fmt.Errorf("%w: unknown Okta status %.40q", ErrBadResponse, u.Status)
	}
	st := State{Kind: kind, Raw: u.Status, Reason: reason, SelfServiceReset: No}
	if u.Links.ForgotPassword != nil {
		st.SelfServiceReset = Yes
	}
	if kind == KindLocked {
		st.LockedSince = oktaTime(u.StatusChanged)
	}
	if t := oktaTime(u.PasswordChanged); !t.IsZero() {
		st.fact("password_changed", t.UTC().Format(time.RFC3339))
	}
	if t := oktaTime(u.LastLogin); !t.IsZero() {
		st.fact("last_login", t.UTC().Format(time.RFC3339))
	}
	if kind == KindActive {
		st.MFAEnrolled = oktaMFA(ctx, a, base, u.ID, &st)
	}
	return st, nil
}

// oktaMFA asks for the user's factors; a failure leaves MFA unknown.
func oktaMFA(ctx context.Context, a api, base *url.URL, id string, st *State) Tri {
	code, body, err := a.get(ctx, apiURL(base, "/api/v1/users/"+url.PathEscape(id)+"/factors", ""))
	if err == nil && code == http.StatusOK {
		var active bool
		if active, err = parseOktaFactors(body); err == nil {
			if active {
				return Yes
			}
			return No
		}
	}
	if err == nil {
		err = fmt.Errorf("HTTP %d", code)
	}
	st.fact("mfa_unknown", err.Error())
	return Unknown
}

func oktaTime(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}
	}
	return t
}
