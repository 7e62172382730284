package report

// CheckCodes is one row of the table of reason codes: the check
// that emits them ("any" for codes every check may use) and the codes.
type CheckCodes struct {
	Check string
	Codes []string
}

// AnyCheck names the row of codes every check may use.
const AnyCheck = "any"

// ReasonCodes returns the reason codes (besides OK), by check, in
// the checklist's order. It is the one public list; the catalogs must give
// every code a title and fix steps in every language.
func ReasonCodes() []CheckCodes {
	return []CheckCodes{
		{AnyCheck, []string{"BLOCKED", "NOT_CONFIGURED", "CHECK_ERROR"}},
		{"clock.skew", []string{"CLOCK_SKEW", "CLOCK_SKEW_WARN", "CLOCK_UNVERIFIED"}},
		{"device.browsers", []string{"DEVICE_NO_BROWSER", "DEVICE_BROWSER_UNSUPPORTED", "DEVICE_BROWSER_OUTDATED"}},
		{"dns.resolve", []string{"DNS_NXDOMAIN", "DNS_SERVFAIL", "DNS_TIMEOUT", "DNS_NO_ADDRESS",
			"DNS_HOSTS_OVERRIDE", "DNS_MISMATCH"}},
		{"proxy.route", []string{"PROXY_PAC_UNREACHABLE", "PAC_ERROR", "PAC_TIMEOUT", "PROXY_UNREACHABLE",
			"PROXY_AUTH_REQUIRED", "PROXY_DENIED"}},
		{"net.reach", []string{"NET_REFUSED", "NET_TIMEOUT", "NET_UNREACHABLE", "NET_CAPTIVE_PORTAL"}},
		{"net.quality", []string{"NET_HIGH_LATENCY", "NET_PACKET_LOSS", "NET_SLOW_LINK"}},
		{"tls.certificate", []string{"TLS_EXPIRED", "TLS_NOT_YET_VALID", "TLS_EXPIRING_SOON",
			"TLS_HOSTNAME_MISMATCH", "TLS_UNTRUSTED", "TLS_INTERCEPTED", "TLS_OLD_PROTOCOL", "TLS_HANDSHAKE_FAILED",
			"TLS_INCOMPLETE_CHAIN", "TLS_CLIENT_CERT_REQUIRED", "TLS_PLAINTEXT", "NET_PATH_MTU"}},
		{"http.login", []string{"HTTP_STATUS", "HTTP_REDIRECT_LOOP", "HTTP_TIMEOUT", "HTTP_SLOW", "HTTP_NEGOTIATE"}},
		{"account.status", []string{"ACCOUNT_NOT_FOUND", "ACCOUNT_DISABLED", "ACCOUNT_LOCKED",
			"ACCOUNT_PASSWORD_EXPIRED", "ACCOUNT_MUST_CHANGE_PASSWORD", "ACCOUNT_PASSWORD_EXPIRING",
			"ACCOUNT_MFA_NOT_ENROLLED", "ACCOUNT_API_AUTH", "ACCOUNT_API_UNREACHABLE"}},
		{"browser.page", []string{"BROWSER_UNAVAILABLE", "BROWSER_CERT_ERROR", "BROWSER_JS_ERROR",
			"BROWSER_RESOURCE_BLOCKED", "BROWSER_COOKIES_DISABLED", "BROWSER_COOKIE_REJECTED",
			"BROWSER_POPUP_BLOCKED", "BROWSER_NO_LOGIN_FORM", "BROWSER_TIMEOUT"}},
		{"policy.hours", []string{"POLICY_OUTSIDE_HOURS"}},
		{"policy.network", []string{"POLICY_IP_NOT_ALLOWED", "POLICY_IP_UNKNOWN"}},
	}
}

// IsReasonCode reports whether code is OK or one of ReasonCodes.
func IsReasonCode(code string) bool {
	if code == "OK" {
		return true
	}
	for _, row := range ReasonCodes() {
		for _, c := range row.Codes {
			if c == code {
				return true
			}
		}
	}
	return false
}
