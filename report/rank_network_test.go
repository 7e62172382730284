package report

import (
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

// TestCaptivePortalExplainsWhatItBreaks: a Wi-Fi sign-in page explains
// every network, certificate, page and API failure after it, and nothing
// claims to explain it — not even a failing name lookup, which the portal
// causes too.
func TestCaptivePortalExplainsWhatItBreaks(t *testing.T) {
	portal := res("net.reach", net, fail, "NET_CAPTIVE_PORTAL", crit)
	symptoms := []checks.Result{
		res("dns.resolve", net, fail, "DNS_MISMATCH", crit),
		res("net.quality", net, warn, "NET_PACKET_LOSS", low),
		res("tls.certificate", net, fail, "TLS_UNTRUSTED", crit),
		res("http.login", net, fail, "HTTP_TIMEOUT", crit),
		res("account.status", acc, fail, "ACCOUNT_API_UNREACHABLE", high),
		res("browser.page", brw, fail, "BROWSER_TIMEOUT", crit),
		res("policy.network", pol, warn, "POLICY_IP_NOT_ALLOWED", high),
	}
	// The portal comes last in registry order: only the rule puts it first.
	r := Build(append(append([]checks.Result{}, symptoms...), portal), Options{Lang: "en", ReportID: "LD-TEST22"})
	if r.Fixes[0].Code != "NET_CAPTIVE_PORTAL" || r.Fixes[0].ExplainedBy != "" {
		t.Fatalf("fix 1 = %s (explained by %q), want the captive portal as the root", r.Fixes[0].Code, r.Fixes[0].ExplainedBy)
	}
	for _, f := range r.Fixes[1:] {
		if f.ExplainedBy != "net.reach" {
			t.Errorf("%s %s explained by %q, want net.reach's captive portal", f.Check, f.Code, f.ExplainedBy)
		}
	}
}

// TestCaptivePortalDoesNotExplainAccountState: a locked account is not the
// Wi-Fi's doing.
func TestCaptivePortalDoesNotExplainAccountState(t *testing.T) {
	r := Build([]checks.Result{res("account.status", acc, fail, "ACCOUNT_LOCKED", crit),
		res("net.reach", net, fail, "NET_CAPTIVE_PORTAL", crit)}, Options{Lang: "en", ReportID: "LD-TEST22"})
	if f := fixFor(t, r, "account.status"); f.ExplainedBy != "" {
		t.Errorf("ACCOUNT_LOCKED explained by %q", f.ExplainedBy)
	}
}

// TestWrongDNSAnswerIsTheRootCause: DNS_MISMATCH as a fail (the system's
// address does not connect, the reference's does) explains the refused
// connection; as a warning (a CDN's differing but working answers) it
// explains nothing.
func TestWrongDNSAnswerIsTheRootCause(t *testing.T) {
	refused := res("net.reach", net, fail, "NET_REFUSED", crit)
	for _, tc := range []struct {
		status   checks.Status
		explains bool
	}{{fail, true}, {warn, false}} {
		mismatch := res("dns.resolve", net, tc.status, "DNS_MISMATCH", crit)
		r := Build([]checks.Result{refused, mismatch}, Options{Lang: "en", ReportID: "LD-TEST22"})
		sym := fixFor(t, r, "net.reach")
		if got := sym.ExplainedBy == "dns.resolve"; got != tc.explains {
			t.Errorf("DNS_MISMATCH %s: NET_REFUSED explained by %q, want explained: %v", tc.status, sym.ExplainedBy, tc.explains)
		}
		if tc.explains && r.Fixes[0].Code != "DNS_MISMATCH" {
			t.Errorf("fix 1 = %s, want DNS_MISMATCH", r.Fixes[0].Code)
		}
	}
}
