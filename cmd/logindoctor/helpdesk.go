package main

// Sending the report to the helpdesk inbox. When the profile names an
// inbox (helpdesk.upload_url, a `logindoctor serve --inbox`), a failing run
// by a person uploads its ticket bundle there, and saves it on the desktop
// only when the upload fails. The upload token comes from the environment
// variable helpdesk.token_env names, never from the profile or a flag, and
// is scrubbed from everything the run writes.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Bounds of an upload.
const (
	// maxUploadTime bounds one upload; it also gets at most half of the
	// time the run has left, so a bundle can still be saved when the
	// inbox does not answer.
	maxUploadTime = 15 * time.Second
	// maxInboxAnswer bounds what is read of the inbox's answer.
	maxInboxAnswer = 64 << 10
)

// uploadError is why an upload failed: a catalog message id and its
// parameters, said in the reader's language; never the token.
type uploadError struct {
	id     string
	params map[string]any
}

func (e *uploadError) Error() string { return e.id }

// inboxSink is a bundleSink that uploads to the helpdesk inbox; where is
// the address of the report's page there.
type inboxSink struct {
	h     helpdeskSettings
	roots *x509.CertPool
	// getenv reads the proxy variables.
	getenv func(string) string
}

// save POSTs the bundle with the bearer token, within maxUploadTime and
// half of what ctx has left. 201 is received; 409 too (the inbox already
// holds this report). Anything else is an *uploadError.
func (s inboxSink) save(ctx context.Context, _ string, zip []byte) (string, error) {
	host := "?"
	if u, err := url.Parse(s.h.UploadURL); err == nil {
		host = u.Host
	}
	if s.h.Token == "" {
		return "", &uploadError{"cli.upload_why.no_token", map[string]any{"env": s.h.TokenEnv}}
	}
	budget := maxUploadTime
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)/2)
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.h.UploadURL, bytes.NewReader(zip))
	if err != nil {
		return "", &uploadError{"cli.upload_why.unreachable", map[string]any{"host": host, "detail": "bad address"}}
	}
	req.Header.Set("Authorization", "Bearer "+s.h.Token)
	req.Header.Set("Content-Type", "application/zip")
	req.Header.Set("User-Agent", "logindoctor/"+version)
	resp, err := s.client().Do(req)
	if err != nil {
		return "", transportError(ctx, host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxInboxAnswer))
	switch {
	case resp.StatusCode == http.StatusCreated:
		var ans struct {
			URL string `json:"url"`
		}
		_ = json.Unmarshal(body, &ans)
		return pageURL(s.h.UploadURL, ans.URL), nil
	case resp.StatusCode == http.StatusConflict:
		return "", nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", &uploadError{"cli.upload_why.token", map[string]any{"status": resp.StatusCode, "env": s.h.TokenEnv}}
	}
	return "", &uploadError{"cli.upload_why.status", map[string]any{"status": resp.StatusCode, "detail": answerLine(body)}}
}

// client is a one-request HTTP client: the run's trusted roots, the
// environment's proxy, no keep-alive, no redirects (a redirect is not an
// inbox's answer, and must not carry the token elsewhere).
func (s inboxSink) client() *http.Client {
	getenv := s.getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	either := func(a, b string) string {
		if v := getenv(a); v != "" {
			return v
		}
		return getenv(b)
	}
	proxy := (&httpproxy.Config{
		HTTPProxy:  either("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: either("HTTPS_PROXY", "https_proxy"),
		NoProxy:    either("NO_PROXY", "no_proxy"),
	}).ProxyFunc()
	tr := &http.Transport{
		Proxy:                  func(r *http.Request) (*url.URL, error) { return proxy(r.URL) },
		DialContext:            (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  maxUploadTime,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// transportError says in one line why no answer came.
func transportError(ctx context.Context, host string, err error) error {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return &uploadError{"cli.upload_why.timeout", map[string]any{"host": host}}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &uploadError{"cli.upload_why.refused", map[string]any{"host": host}}
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalid):
		return &uploadError{"cli.upload_why.tls", map[string]any{"host": host}}
	}
	detail := err.Error()
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		detail = opErr.Err.Error()
	}
	return &uploadError{"cli.upload_why.unreachable", map[string]any{"host": host, "detail": oneLine(detail, 120)}}
}

// pageURL resolves the inbox's answer (a path such as /reports/LD-…)
// against the upload endpoint ("" when there is none).
func pageURL(endpoint, ref string) string {
	if ref == "" {
		return ""
	}
	base, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	r, err := base.Parse(ref)
	if err != nil || (r.Scheme != "https" && r.Scheme != "http") {
		return ""
	}
	return r.String()
}

// answerLine is the first line of an inbox's error answer, short and
// printable, with ": " before it ("" when empty).
func answerLine(body []byte) string {
	line, _, _ := strings.Cut(string(body), "\n")
	if line = oneLine(line, 120); line == "" {
		return ""
	}
	return ": " + line
}

// oneLine keeps the printable characters of s, at most max runes.
func oneLine(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			continue
		}
		if n == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
