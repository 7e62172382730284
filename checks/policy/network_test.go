package policy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// egressServer answers every request with body and status; hang blocks.
func egressServer(t *testing.T, status int, body string, hang bool) string {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hang {
			select {
			case <-r.Context().Done():
			case <-done:
			}
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(func() { close(done); srv.Close() })
	return srv.URL + "/ip"
}

func runNetwork(t *testing.T, pol checks.PolicyConfig, timeout time.Duration) checks.Result {
	t.Helper()
	env := checks.NewEnv(checks.Target{Policy: pol})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return NewNetwork().Run(ctx, env, nil)
}

func TestNetwork(t *testing.T) {
	office := []string{"203.0.113.0/24", "198.51.100.7", "2001:db8:1::/48"}
	cases := []struct {
		name    string
		status  int
		body    string
		hang    bool
		code    string
		st      checks.Status
		reason  string
		allowed []string
	}{
		{"inside v4", 200, "203.0.113.45\n", false, checks.CodeOK, checks.StatusPass, "", office},
		{"single address", 200, "198.51.100.7", false, checks.CodeOK, checks.StatusPass, "", office},
		{"inside v6", 200, "2001:db8:1:2::5", false, checks.CodeOK, checks.StatusPass, "", office},
		{"json answer", 200, `{"ip":"203.0.113.9"}`, false, checks.CodeOK, checks.StatusPass, "", office},
		{"v4-mapped v6", 200, "::ffff:203.0.113.9", false, checks.CodeOK, checks.StatusPass, "", office},
		{"outside", 200, "192.0.2.77", false, CodeIPNotAllowed, checks.StatusFail, "", office},
		{"outside v6", 200, "2001:db8:2::1", false, CodeIPNotAllowed, checks.StatusFail, "", office},
		{"html instead of ip", 200, "<html>captive portal</html>", false, CodeIPUnknown, checks.StatusSkip, "not_an_ip", office},
		{"huge answer", 200, strings.Repeat("1", 10<<10), false, CodeIPUnknown, checks.StatusSkip, "not_an_ip", office},
		{"server error", 503, "down", false, CodeIPUnknown, checks.StatusSkip, "http_status", office},
		{"hangs", 200, "", true, CodeIPUnknown, checks.StatusSkip, "timeout", office},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			u := egressServer(t, c.status, c.body, c.hang)
			start := time.Now()
			res := runNetwork(t, checks.PolicyConfig{AllowedNetworks: c.allowed, EgressIPURL: u}, 500*time.Millisecond)
			if time.Since(start) > 500*time.Millisecond {
				t.Errorf("took %v, over the 500ms check timeout", time.Since(start))
			}
			if res.Code != c.code || res.Status != c.st {
				t.Fatalf("got %s/%s (%s), want %s/%s", res.Status, res.Code, res.Summary, c.st, c.code)
			}
			if c.reason != "" && res.Params["reason"] != c.reason {
				t.Errorf("reason %q, want %q", res.Params["reason"], c.reason)
			}
			if c.code == CodeIPNotAllowed {
				if res.Owner != checks.OwnerYou || res.Severity != checks.SeverityHigh {
					t.Errorf("owner/severity %s/%s", res.Owner, res.Severity)
				}
				if res.Params["ip"] != strings.TrimSpace(c.body) || res.Params["allowed"] != "203.0.113.0/24, 198.51.100.7/32, 2001:db8:1::/48" {
					t.Errorf("params %v", res.Params)
				}
				if res.Evidence["egress_ip"] == nil || res.Evidence["allowed_networks"] == nil {
					t.Errorf("evidence %v", res.Evidence)
				}
			}
			if c.code == CodeIPUnknown && res.Severity.Rank() > checks.SeverityInfo.Rank() {
				t.Errorf("unknown must not outrank real faults: severity %s", res.Severity)
			}
		})
	}
}

func TestNetworkRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	res := runNetwork(t, checks.PolicyConfig{AllowedNetworks: []string{"10.0.0.0/8"}, EgressIPURL: u}, time.Second)
	if res.Code != CodeIPUnknown || res.Status != checks.StatusSkip || res.Params["reason"] != "unreachable" {
		t.Fatalf("got %s/%s %v (%s)", res.Status, res.Code, res.Params, res.Summary)
	}
}

func TestNetworkNotConfigured(t *testing.T) {
	res := runNetwork(t, checks.PolicyConfig{EgressIPURL: "http://127.0.0.1:1/"}, time.Second)
	if res.Code != checks.CodeNotConfigured || res.Params["setting"] != "policy.allowed_networks" {
		t.Errorf("no networks: %s %v", res.Code, res.Params)
	}
	res = runNetwork(t, checks.PolicyConfig{AllowedNetworks: []string{"10.0.0.0/8"}}, time.Second)
	if res.Code != checks.CodeNotConfigured || res.Params["setting"] != "policy.egress_ip_url" {
		t.Errorf("no url: %s %v", res.Code, res.Params)
	}
}

func TestParseNetworks(t *testing.T) {
	if err := ParseNetworks([]string{"10.0.0.0/8", " 192.168.1.1 ", "2001:db8::/32", "10.1.2.3/8"}); err != nil {
		t.Errorf("valid list refused: %v", err)
	}
	for _, bad := range [][]string{{"10.0.0/8"}, {""}, {"10.0.0.0/33"}, {"example.com"}, {"fe80::1%eth0"}} {
		err := ParseNetworks(bad)
		if err == nil {
			t.Errorf("ParseNetworks(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), "item 1") {
			t.Errorf("error %q does not name the item", err)
		}
	}
}
