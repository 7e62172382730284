package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// maxEgressBody is the most read of the egress-IP answer.
const maxEgressBody = 4 << 10

// maxRedirects bounds the redirects followed to the address service.
const maxRedirects = 3

var (
	errTimeout = errors.New("the address service did not answer in time")
	errNotIP   = errors.New("the answer is not an IP address")
	errStatus  = errors.New("the address service answered with an error")
	errBadURL  = errors.New("policy.egress_ip_url is not an http(s) URL")
)

// egress is what was learnt about this machine's public address.
type egress struct {
	ip       netip.Addr
	source   string // host of policy.egress_ip_url
	route    string
	viaProxy bool
}

func (e egress) evidence(r checks.Result) checks.Result {
	r = r.With("source", e.source)
	if e.route != "" {
		r = r.With("route", e.route)
	}
	if e.viaProxy {
		r = r.With("note", "learnt through the proxy: this is the address the CRM sees")
	}
	return r
}

// learnEgress asks policy.egress_ip_url, along the route the browser
// would take, for this machine's public address (plain text, or JSON with
// an "ip" field).
func learnEgress(ctx context.Context, env *checks.Env, raw string) (egress, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return egress{source: "?"}, errBadURL
	}
	eg := egress{source: u.Host}
	rt, err := env.Route(ctx, u)
	if err != nil {
		return eg, fmt.Errorf("no route to %s: %w", u.Host, err)
	}
	eg.route, eg.viaProxy = rt.String(), !rt.Direct()
	// The call ends checks.APIReserve (at most a fifth of the time left)
	// before the check's deadline: a silent service is POLICY_IP_UNKNOWN.
	cctx, cancel := checks.Budget{Reserve: checks.APIReserve, Share: 5}.Context(ctx)
	defer cancel()
	client := &http.Client{
		Transport: env.Transport(rt, nil),
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
	defer client.CloseIdleConnections()
	body, err := fetch(cctx, client, u.String())
	if err != nil {
		return eg, err
	}
	eg.ip, err = parseEgress(body)
	return eg, err
}

func fetch(ctx context.Context, client *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, errBadURL
	}
	req.Header.Set("Accept", "text/plain, application/json;q=0.5")
	resp, err := client.Do(req)
	if err != nil {
		return nil, classify(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: HTTP %d", errStatus, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEgressBody+1))
	if err != nil {
		return nil, classify(ctx, err)
	}
	if len(body) > maxEgressBody {
		return nil, fmt.Errorf("%w: the answer is longer than %d bytes", errNotIP, maxEgressBody)
	}
	return body, nil
}

// parseEgress reads "203.0.113.7\n" or {"ip":"203.0.113.7"}.
func parseEgress(body []byte) (netip.Addr, error) {
	s := strings.TrimSpace(string(body))
	if strings.HasPrefix(s, "{") {
		var v struct {
			IP string `json:"ip"`
		}
		if json.Unmarshal(body, &v) == nil {
			s = strings.TrimSpace(v.IP)
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || !a.IsValid() || a.IsUnspecified() {
		return netip.Addr{}, fmt.Errorf("%w: %q", errNotIP, clip(s))
	}
	return a.Unmap(), nil
}

func classify(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil || netfail.IsTimeout(err) {
		return fmt.Errorf("%w: %w", errTimeout, err)
	}
	return fmt.Errorf("cannot reach the address service: %w", err)
}
