package account

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// salesforce reads Salesforce REST with "Authorization: Bearer <token>":
// SOQL queries on User and UserLogin, and GET sobjects/User/{id}/password.
type salesforce struct{}

// salesforceVersion is the REST API version used unless account.base_url
// already names one (…/services/data/vNN.N).
const salesforceVersion = "v60.0"

var (
	sfVersionPath = regexp.MustCompile(`/services/data/v\d+\.\d+/?$`)
	sfID          = regexp.MustCompile(`^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$`)
)

type sfQueryResult[T any] struct {
	TotalSize *int `json:"totalSize"`
	Records   []T  `json:"records"`
}

type sfUser struct {
	ID                 string  `json:"Id"`
	Username           string  `json:"Username"`
	IsActive           *bool   `json:"IsActive"`
	LastPasswordChange *string `json:"LastPasswordChangeDate"`
	LastLogin          *string `json:"LastLoginDate"`
}

type sfUserLogin struct {
	IsFrozen         bool `json:"IsFrozen"`
	IsPasswordLocked bool `json:"IsPasswordLocked"`
}

// parseSalesforce reads the User query; found is false when no record.
func parseSalesforce(body []byte) (u sfUser, found bool, err error) {
	var q sfQueryResult[sfUser]
	if err := json.Unmarshal(body, &q); err != nil {
		return sfUser{}, false, fmt.Errorf("%w: Salesforce query: %w", ErrBadResponse, err)
	}
	if q.TotalSize == nil {
		return sfUser{}, false, fmt.Errorf("%w: Salesforce query without totalSize", ErrBadResponse)
	}
	if len(q.Records) == 0 {
		return sfUser{}, false, nil
	}
	u = q.Records[0]
	if !sfID.MatchString(u.ID) || u.IsActive == nil {
		return sfUser{}, false, fmt.Errorf("%w: Salesforce User record without a valid Id or IsActive", ErrBadResponse)
	}
	return u, true, nil
}

// parseSalesforceLogin reads the UserLogin query (zero value if none).
func parseSalesforceLogin(body []byte) (sfUserLogin, error) {
	var q sfQueryResult[sfUserLogin]
	if err := json.Unmarshal(body, &q); err != nil {
		return sfUserLogin{}, fmt.Errorf("%w: Salesforce UserLogin query: %w", ErrBadResponse, err)
	}
	if len(q.Records) == 0 {
		return sfUserLogin{}, nil
	}
	return q.Records[0], nil
}

// parseSalesforcePassword reads {"isExpired": bool}.
func parseSalesforcePassword(body []byte) (bool, error) {
	var p struct {
		IsExpired *bool `json:"isExpired"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return false, fmt.Errorf("%w: Salesforce password status: %w", ErrBadResponse, err)
	}
	if p.IsExpired == nil {
		return false, fmt.Errorf("%w: Salesforce password status without isExpired", ErrBadResponse)
	}
	return *p.IsExpired, nil
}

// soqlQuote quotes s as a SOQL string literal.
func soqlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "\"", `\"`)
	return "'" + r.Replace(s) + "'"
}

func sfBase(raw string) (*url.URL, error) {
	base, err := parseBase(raw)
	if err != nil {
		return nil, err
	}
	if !sfVersionPath.MatchString(base.Path) {
		base.Path = strings.TrimRight(base.Path, "/") + "/services/data/" + salesforceVersion
	}
	base.Path = strings.TrimRight(base.Path, "/")
	return base, nil
}

func (salesforce) fetch(ctx context.Context, client *http.Client, cfg checks.AccountConfig) (State, error) {
	base, err := sfBase(cfg.BaseURL)
	if err != nil {
		return State{}, err
	}
	a := api{client: client, header: "Authorization", value: "Bearer " + cfg.Token}
	q := "SELECT Id, Username, IsActive, LastLoginDate, LastPasswordChangeDate FROM User WHERE Username = " + soqlQuote(cfg.User) + " LIMIT 1"
	body, err := sfGet(ctx, a, apiURL(base, "/query", "q="+url.QueryEscape(q)))
	if err != nil {
		return State{}, err
	}
	u, found, err := parseSalesforce(body)
	if err != nil {
		return State{}, err
	}
	if !found {
		return State{Kind: KindNotFound, Raw: "totalSize=0"}, nil
	}
	if !*u.IsActive {
		return State{Kind: KindDisabled, Raw: "IsActive=false", Reason: "inactive"}, nil
	}
	q = "SELECT Id, UserId, IsFrozen, IsPasswordLocked FROM UserLogin WHERE UserId = " + soqlQuote(u.ID) + " LIMIT 1"
	if body, err = sfGet(ctx, a, apiURL(base, "/query", "q="+url.QueryEscape(q))); err != nil {
		return State{}, err
	}
	login, err := parseSalesforceLogin(body)
	if err != nil {
		return State{}, err
	}
	switch {
	case login.IsFrozen:
		return State{Kind: KindDisabled, Raw: "IsFrozen=true", Reason: "frozen"}, nil
	case login.IsPasswordLocked:
		return State{Kind: KindLocked, Raw: "IsPasswordLocked=true", Reason: "password_locked"}, nil
	}
	if body, err = sfGet(ctx, a, apiURL(base, "/sobjects/User/"+u.ID+"/password", "")); err != nil {
		return State{}, err
	}
	expired, err := parseSalesforcePassword(body)
	if err != nil {
		return State{}, err
	}
	st := State{Kind: KindActive, Raw: "IsActive=true"}
	if expired {
		st = State{Kind: KindPasswordExpired, Raw: "isExpired=true"}
	}
	if u.LastPasswordChange != nil {
		st.fact("password_changed", *u.LastPasswordChange)
	}
	return st, nil
}

// sfGet fetches u and treats a 404 as a wrong base URL (SOQL and the
// password resource answer 200 for existing users).
func sfGet(ctx context.Context, a api, u string) ([]byte, error) {
	code, body, err := a.get(ctx, u)
	if err != nil {
		return nil, err
	}
	if code == http.StatusNotFound {
		return nil, &HTTPError{Status: code, Err: fmt.Errorf("%w: Salesforce answered 404 — is account.base_url the org's My Domain URL?", ErrBadResponse)}
	}
	return body, nil
}
