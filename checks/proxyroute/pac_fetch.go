package proxyroute

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/proxyroute/pac"
)

// maxRedirects bounds the redirects followed when fetching a PAC file.
const maxRedirects = 5

// fetchPAC loads a PAC file from an http(s) URL (directly, as browsers do:
// never through a proxy) or from a file path / file:// URL, reading at most
// limit bytes. A bigger file is pac.ErrTooLarge, found from Content-Length
// or after limit+1 bytes, without reading the rest. Everything else that
// fails is a *PACFetchError.
func fetchPAC(ctx context.Context, env *checks.Env, raw string, limit int64) (string, error) {
	lower := strings.ToLower(raw)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return fetchHTTP(ctx, env, raw, limit)
	}
	path := raw
	if strings.HasPrefix(lower, "file://") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", &PACFetchError{URL: redactURL(raw), Err: errors.New("invalid file URL")}
		}
		path = u.Path
		if len(path) > 2 && path[0] == '/' && path[2] == ':' { // file:///C:/x.pac
			path = path[1:]
		}
	}
	return readFile(path, raw, limit)
}

func readFile(path, raw string, limit int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &PACFetchError{URL: redactURL(raw), Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return "", tooLarge(st.Size(), limit)
	}
	return readLimited(f, raw, limit)
}

func fetchHTTP(ctx context.Context, env *checks.Env, raw string, limit int64) (string, error) {
	shown := redactURL(raw)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return "", &PACFetchError{URL: shown, Err: errors.New("invalid URL")}
	}
	tr := transport(env)
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			return nil
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL
		}
		return "", &PACFetchError{URL: shown, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", &PACFetchError{URL: shown, StatusCode: resp.StatusCode}
	}
	if resp.ContentLength > limit {
		return "", tooLarge(resp.ContentLength, limit)
	}
	return readLimited(resp.Body, raw, limit)
}

// transport is a direct transport on the env's dialer and roots.
func transport(env *checks.Env) *http.Transport {
	if env.Dialer != nil {
		return env.Transport(checks.Route{Source: checks.SourceDirect}, nil)
	}
	return &http.Transport{
		DialContext:            defaultDialer().DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: env.RootCAs, MinVersion: tls.VersionTLS12},
		MaxResponseHeaderBytes: 64 << 10,
		DisableKeepAlives:      true,
	}
}

func readLimited(r io.Reader, raw string, limit int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return "", tooLarge(-1, limit)
	}
	if err != nil {
		return "", &PACFetchError{URL: redactURL(raw), Err: err}
	}
	return string(b), nil
}

func tooLarge(size, limit int64) error { return &pac.TooLargeError{Size: size, Limit: limit} }
