package account

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/logindoctor/logindoctor/checks/netfail"
)

// maxBody is the most the check reads of any API answer.
const maxBody = 1 << 20

// api sends authenticated GETs and classifies what goes wrong.
type api struct {
	client *http.Client
	header string // e.g. "Authorization"
	value  string // e.g. "SSWS <token>": secret, never printed
}

// get fetches u and returns the status and body of a 200 or 404 answer;
// every other outcome is an error wrapping one of the Err… sentinels.
func (a api) get(ctx context.Context, u string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: bad request URL: %w", ErrBadResponse, unwrapURL(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set(a.header, a.value)
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, classify(ctx, err)
	}
	defer resp.Body.Close()
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return code, nil, &HTTPError{Status: code, Err: ErrAPIAuth}
	case code >= 500:
		return code, nil, &HTTPError{Status: code, Err: ErrAPIServer}
	case code >= 300 && code < 400:
		return code, nil, &HTTPError{Status: code, Err: fmt.Errorf("%w: redirected (HTTP %d) — is account.base_url the API's address?", ErrBadResponse, code)}
	case code != http.StatusOK && code != http.StatusNotFound:
		return code, nil, &HTTPError{Status: code, Err: fmt.Errorf("%w: unexpected HTTP %d", ErrBadResponse, code)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return resp.StatusCode, nil, classify(ctx, err)
	}
	if len(body) > maxBody {
		return resp.StatusCode, nil, fmt.Errorf("%w: the answer is larger than %d KiB", ErrBadResponse, maxBody>>10)
	}
	return resp.StatusCode, body, nil
}

// classify turns a transport error into ErrAPITimeout or ErrAPIUnreachable,
// keeping the cause but not the request URL.
func classify(ctx context.Context, err error) error {
	inner := unwrapURL(err)
	if ctx.Err() != nil || netfail.IsTimeout(err) {
		return fmt.Errorf("%w: %w", ErrAPITimeout, inner)
	}
	return fmt.Errorf("%w: %w", ErrAPIUnreachable, inner)
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// apiURL joins base and path (already escaped) and adds the raw query.
func apiURL(base *url.URL, path, rawQuery string) string {
	s := base.Scheme + "://" + base.Host + strings.TrimRight(base.EscapedPath(), "/") + path
	if rawQuery != "" {
		s += "?" + rawQuery
	}
	return s
}

func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("account.base_url: %w", unwrapURL(err))
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("account.base_url: %q is not an http(s) URL", redactURL(u))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("account.base_url: the API token is only sent over https (or to loopback), not to %s", u.Host)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redactURL prints u without user info, query or fragment.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}
