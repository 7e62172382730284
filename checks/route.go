package checks

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/proxy"
)

// Where a route came from.
const (
	SourceDirect = "direct" // nothing configured
	SourceConfig = "config" // proxy.url
	SourceEnv    = "env"    // HTTPS_PROXY / HTTP_PROXY / NO_PROXY
	SourceSystem = "system" // OS settings (registry, scutil, gsettings)
	SourcePAC    = "pac"    // a PAC file (proxy.pac_url, system or WPAD)
)

// Route is the path to one URL as the browser would take it.
type Route struct {
	// Proxy is the proxy to use; nil means direct. It may carry user
	// info (credentials): never print it, use String or ProxyHost.
	Proxy *url.URL
	// Source says where the decision came from (SourceDirect …).
	Source string
	// Rule is the deciding detail: the PAC result ("PROXY p:3128; DIRECT"),
	// the environment variable's name, or the system setting's name.
	Rule string
	// PACURL is the PAC file used, if any.
	PACURL string
}

// Direct reports whether the route goes without a proxy.
func (r Route) Direct() bool { return r.Proxy == nil }

// ProxyHost is the proxy's host:port without credentials ("" if direct).
func (r Route) ProxyHost() string {
	if r.Proxy == nil {
		return ""
	}
	return r.Proxy.Host
}

// String says "direct" or "via proxy host:port (pac: PROXY …)", never with
// credentials.
func (r Route) String() string {
	if r.Direct() {
		if r.Source == SourcePAC {
			return "direct (PAC rule " + r.Rule + ")"
		}
		return "direct"
	}
	s := "via proxy " + r.Proxy.Scheme + "://" + r.Proxy.Host
	switch {
	case r.Source == SourcePAC:
		s += " (PAC rule " + r.Rule + ")"
	case r.Rule != "":
		s += " (" + r.Source + ": " + r.Rule + ")"
	case r.Source != "":
		s += " (" + r.Source + ")"
	}
	return s
}

// ProxyError is a proxy's refusal of a CONNECT request.
type ProxyError struct {
	Proxy      string // host:port, no credentials
	StatusCode int
	Status     string
	// Authenticate are the proxy's Proxy-Authenticate challenges (407).
	Authenticate []string
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("proxy %s refused CONNECT: %s", e.Proxy, e.Status)
}

// ErrProxyDial wraps failures to reach the proxy itself (as opposed to the
// proxy failing to reach the target).
var ErrProxyDial = errors.New("cannot reach proxy")

// Dial connects to addr along the route: directly with d, or through the
// proxy (HTTP CONNECT for http/https proxies, SOCKS5 for socks proxies).
func (r Route) Dial(ctx context.Context, d Dialer, addr string) (net.Conn, error) {
	if r.Direct() {
		return d.DialContext(ctx, "tcp", addr)
	}
	switch r.Proxy.Scheme {
	case "socks5", "socks5h", "socks":
		return r.dialSOCKS(ctx, d, addr)
	}
	return r.dialConnect(ctx, d, addr)
}

func (r Route) dialSOCKS(ctx context.Context, d Dialer, addr string) (net.Conn, error) {
	var auth *proxy.Auth
	if u := r.Proxy.User; u != nil {
		pw, _ := u.Password()
		auth = &proxy.Auth{User: u.Username(), Password: pw}
	}
	sd, err := proxy.SOCKS5("tcp", r.Proxy.Host, auth, contextDialer{d: d, proxy: r.Proxy.Host})
	if err != nil {
		return nil, fmt.Errorf("socks proxy %s: %w", r.Proxy.Host, err)
	}
	cd, ok := sd.(proxy.ContextDialer)
	if !ok {
		return nil, fmt.Errorf("socks proxy %s: no context dialer", r.Proxy.Host)
	}
	return cd.DialContext(ctx, "tcp", addr)
}

// contextDialer reaches a SOCKS proxy; its failures are ErrProxyDial so
// that "cannot reach the proxy" is told apart from the proxy's refusals.
type contextDialer struct {
	d     Dialer
	proxy string
}

func (c contextDialer) Dial(network, addr string) (net.Conn, error) {
	return c.DialContext(context.Background(), network, addr)
}

func (c contextDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := c.d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrProxyDial, c.proxy, err)
	}
	return conn, nil
}

func (r Route) dialConnect(ctx context.Context, d Dialer, addr string) (net.Conn, error) {
	host := r.Proxy.Host
	if r.Proxy.Port() == "" {
		port := "80"
		if r.Proxy.Scheme == "https" {
			port = "443"
		}
		host = joinHostPort(r.Proxy.Hostname(), port)
	}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrProxyDial, r.Proxy.Host, err)
	}
	if r.Proxy.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: r.Proxy.Hostname(), MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%w %s: tls: %w", ErrProxyDial, r.Proxy.Host, err)
		}
		conn = tc
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	if u := r.Proxy.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w %s: %w", ErrProxyDial, r.Proxy.Host, ctxErr(ctx, err))
	}
	br := bufio.NewReaderSize(conn, 4096)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("proxy %s: reading CONNECT answer: %w", r.Proxy.Host, ctxErr(ctx, err))
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, &ProxyError{Proxy: r.Proxy.Host, StatusCode: resp.StatusCode, Status: resp.Status,
			Authenticate: resp.Header.Values("Proxy-Authenticate")}
	}
	if br.Buffered() > 0 {
		conn.Close()
		return nil, fmt.Errorf("proxy %s: data after CONNECT answer", r.Proxy.Host)
	}
	return conn, nil
}

// ctxErr prefers the context's error to the I/O error it caused.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Transport returns an HTTP transport that takes the route and trusts the
// env's roots. It never reads proxy settings of its own.
func (e *Env) Transport(r Route, tlsConf *tls.Config) *http.Transport {
	if tlsConf == nil {
		tlsConf = &tls.Config{RootCAs: e.RootCAs, MinVersion: tls.VersionTLS12}
	}
	t := &http.Transport{
		DialContext:            e.Dialer.DialContext,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  0, // the request's context bounds it
		MaxResponseHeaderBytes: 64 << 10,
		DisableKeepAlives:      true,
		ForceAttemptHTTP2:      true,
	}
	if !r.Direct() {
		if strings.HasPrefix(r.Proxy.Scheme, "socks") {
			t.DialContext = func(ctx context.Context, _, addr string) (net.Conn, error) {
				return r.Dial(ctx, e.Dialer, addr)
			}
		} else {
			t.Proxy = http.ProxyURL(r.Proxy)
		}
	}
	return t
}

// ClassicCurves are the key exchanges of a handshake that only measures —
// a round trip, a transfer's speed, a server's Date: a browser's groups
// without the post-quantum hybrid it offers first (X25519, P-256, P-384, as
// Chrome), so that every server a browser reaches answers, and the
// measurement is the same. The hybrid's ML-KEM key costs a key generation
// and a decapsulation here and an encapsulation on the server for every
// handshake; the hello carries one key share, X25519's. Checks that judge
// the handshake itself (tls.certificate, http.login) keep Go's defaults,
// which are a browser's.
func ClassicCurves() []tls.CurveID {
	return []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}
}

// MeasuringTLS is the TLS configuration of a connection that only
// measures: the env's roots and ClassicCurves.
func (e *Env) MeasuringTLS() *tls.Config {
	return &tls.Config{RootCAs: e.RootCAs, MinVersion: tls.VersionTLS12, CurvePreferences: ClassicCurves()}
}

func joinHostPort(host, port string) string { return net.JoinHostPort(host, port) }
