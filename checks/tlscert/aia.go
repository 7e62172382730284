package tlscert

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// Limits of downloading missing intermediates from AIA caIssuers URLs.
const (
	// maxAIABytes bounds one download: a certificate is 1–2 KiB.
	maxAIABytes = 64 << 10
	// aiaTimeout bounds one download.
	aiaTimeout = 3 * time.Second
	// maxAIADepth is how many certificates are fetched up the chain.
	maxAIADepth = 3
)

// CompleteChain downloads the intermediates a server did not send, the way
// Chrome and Edge do: when the presented chain does not verify, it follows
// the AIA caIssuers URL of the last certificate, along the browser's route
// to that URL, and records the certificates in h.Fetched (or why not in
// h.AIAError). Classify then tells TLS_INCOMPLETE_CHAIN from TLS_UNTRUSTED.
func CompleteChain(ctx context.Context, env *checks.Env, h Handshake, o Options) Handshake {
	if len(h.Certificates) == 0 {
		return h
	}
	for range maxAIADepth {
		chains, err := verifyTrust(h.Certificates, h.Fetched, o)
		if err == nil {
			if len(h.Fetched) == 0 {
				h.trusted = &verified{roots: o.Roots, now: o.Now, chains: chains}
			}
			return h
		}
		last := h.Certificates[0]
		if n := len(h.Fetched); n > 0 {
			last = h.Fetched[n-1]
		}
		if selfSigned(last) || len(last.IssuingCertificateURL) == 0 {
			return h
		}
		raw := last.IssuingCertificateURL[0]
		c, err := fetchIssuer(ctx, env, raw)
		if err != nil {
			h.AIAError = err.Error()
			return h
		}
		h.Fetched = append(h.Fetched, c)
		h.AIAURLs = append(h.AIAURLs, raw)
	}
	return h
}

// fetchIssuer downloads one certificate (DER or PEM) from an AIA URL.
func fetchIssuer(ctx context.Context, env *checks.Env, raw string) (*x509.Certificate, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("AIA URL %q is not an http(s) URL", raw)
	}
	ctx, cancel := context.WithTimeout(ctx, aiaTimeout)
	defer cancel()
	route, err := env.Route(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("route to %s: %w", u.Host, err)
	}
	body, err := download(ctx, env, route, u)
	if err != nil {
		return nil, err
	}
	return parseIssuer(body)
}

// download GETs u along route and returns at most maxAIABytes of a 200 body.
func download(ctx context.Context, env *checks.Env, route checks.Route, u *url.URL) ([]byte, error) {
	tr := env.Transport(route, nil)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("AIA request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading the issuer certificate from %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading the issuer certificate from %s: HTTP %d", u.Redacted(), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAIABytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the issuer certificate from %s: %w", u.Redacted(), err)
	}
	if len(body) > maxAIABytes {
		return nil, fmt.Errorf("the issuer certificate at %s is larger than %d bytes", u.Redacted(), maxAIABytes)
	}
	return body, nil
}

// parseIssuer reads a DER certificate, or the first PEM one.
func parseIssuer(body []byte) (*x509.Certificate, error) {
	if c, err := x509.ParseCertificate(body); err == nil {
		return c, nil
	}
	if b, _ := pem.Decode(body); b != nil && b.Type == "CERTIFICATE" {
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the downloaded issuer certificate: %w", err)
		}
		return c, nil
	}
	return nil, errors.New("the downloaded issuer file is not a DER or PEM certificate")
}
