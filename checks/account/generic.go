package account

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// generic reads any JSON API: account.generic.url with {user} replaced,
// the value at account.generic.status_path, mapped through
// account.generic.states (value as text → state name). A 404 means the
// account does not exist. The token goes in account.generic.auth_header
// (raw), or as "Authorization: Bearer <token>" by default.
type generic struct{}

// maxPathDepth bounds account.generic.status_path.
const maxPathDepth = 32

// genericURL fills the template; {user} is path- or query-escaped by where
// it stands. A relative template is joined to account.base_url.
func genericURL(cfg checks.AccountConfig) (string, error) {
	tmpl := strings.TrimSpace(cfg.Generic.URL)
	if tmpl == "" {
		return "", errors.New("account.generic.url is empty")
	}
	if !strings.Contains(tmpl, "{user}") {
		return "", errors.New("account.generic.url has no {user} placeholder")
	}
	esc := url.PathEscape(cfg.User)
	if q := strings.IndexByte(tmpl, '?'); q >= 0 && q < strings.Index(tmpl, "{user}") {
		esc = url.QueryEscape(cfg.User)
	}
	filled := strings.ReplaceAll(tmpl, "{user}", esc)
	if strings.HasPrefix(filled, "/") {
		base, err := parseBase(cfg.BaseURL)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(base.Scheme+"://"+base.Host+base.EscapedPath(), "/") + filled, nil
	}
	u, err := parseBase(filled)
	if err != nil {
		return "", fmt.Errorf("account.generic.url: %w", err)
	}
	return u.String(), nil
}

// parseGeneric returns the scalar at the dotted path as text ("null" for
// null or a missing key). Numeric segments index arrays.
func parseGeneric(body []byte, path string) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	segs := strings.Split(path, ".")
	if path == "" || len(segs) > maxPathDepth {
		return "", fmt.Errorf("%w: account.generic.status_path %q is empty or too deep", ErrBadResponse, truncate(path, 80))
	}
	for _, s := range segs {
		switch t := v.(type) {
		case map[string]any:
			v = t[s]
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(t) {
				return "", fmt.Errorf("%w: no element %q in a list of %d", ErrBadResponse, truncate(s, 20), len(t))
			}
			v = t[i]
		case nil:
			return "null", nil
		default:
			return "", fmt.Errorf("%w: %q is not an object", ErrBadResponse, truncate(s, 40))
		}
	}
	switch t := v.(type) {
	case nil:
		return "null", nil
	case string:
		return t, nil
	case json.Number:
		return t.String(), nil
	case bool:
		return strconv.FormatBool(t), nil
	}
	return "", fmt.Errorf("%w: the value at %s is an object or a list, not a state", ErrBadResponse, truncate(path, 80))
}

// genericKind maps a state value through account.generic.states.
func genericKind(value string, states map[string]string) (Kind, error) {
	name, ok := states[value]
	if !ok {
		return "", fmt.Errorf("%w: value %q", ErrUnmapped, truncate(value, 40))
	}
	for _, k := range GenericStates() {
		if string(k) == strings.ToLower(strings.TrimSpace(name)) {
			return k, nil
		}
	}
	return "", fmt.Errorf("%w: state name %q for value %q is not one of active, not_found, disabled, locked, password_expired, must_change_password, not_activated",
		ErrUnmapped, truncate(name, 40), truncate(value, 40))
}

func (generic) fetch(ctx context.Context, client *http.Client, cfg checks.AccountConfig) (State, error) {
	u, err := genericURL(cfg)
	if err != nil {
		return State{}, err
	}
	a := api{client: client, header: "Authorization", value: "Bearer " + cfg.Token}
	if h := strings.TrimSpace(cfg.Generic.AuthHeader); h != "" && !strings.EqualFold(h, "Authorization") {
		a.header, a.value = h, cfg.Token
	}
	code, body, err := a.get(ctx, u)
	if err != nil {
		return State{}, err
	}
	if code == http.StatusNotFound {
		return State{Kind: KindNotFound, Raw: "HTTP 404"}, nil
	}
	value, err := parseGeneric(body, cfg.Generic.StatusPath)
	if err != nil {
		return State{}, err
	}
	kind, err := genericKind(value, cfg.Generic.States)
	if err != nil {
		return State{}, err
	}
	return State{Kind: kind, Raw: truncate(cfg.Generic.StatusPath+"="+value, 80)}, nil
}

func truncate(s string, n int) string { return truncateRunes(s, n) }
