package report

import (
	"reflect"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

// res makes a result as the runner would return it.
func res(check string, stage checks.Stage, status checks.Status, code string, sev checks.Severity) checks.Result {
	r := checks.Finding(status, code, sev, checks.OwnerIT, check+": "+code)
	r.Check, r.Stage = check, stage
	return r
}

var (
	dev = checks.StageDevice
	net = checks.StageNetwork
	acc = checks.StageAccount
	brw = checks.StageBrowser
	pol = checks.StagePolicy
)

const (
	warn  = checks.StatusWarn
	fail  = checks.StatusFail
	crit  = checks.SeverityCritical
	high  = checks.SeverityHigh
	low   = checks.SeverityLow
	clock = "clock.skew"
)

func TestExplanationRules(t *testing.T) {
	tests := []struct {
		name     string
		cause    checks.Result
		symptom  checks.Result
		explains bool
	}{
		{"clock skew explains not-yet-valid certificate",
			res(clock, dev, fail, "CLOCK_SKEW", crit), res("tls.certificate", net, fail, "TLS_NOT_YET_VALID", crit), true},
		{"clock warning explains an expired certificate on an SSO hop",
			res(clock, dev, warn, "CLOCK_SKEW_WARN", low), res("http.login", net, fail, "TLS_EXPIRED", crit), true},
		{"clock skew explains the browser's certificate error",
			res(clock, dev, fail, "CLOCK_SKEW", crit), res("browser.page", brw, fail, "BROWSER_CERT_ERROR", crit), true},
		{"a clock 5 min fast explains a certificate expired today",
			skewed(300, "CLOCK_SKEW"), withDays(res("tls.certificate", net, fail, "TLS_EXPIRED", crit), "0"), true},
		{"a clock 5 min fast does not explain a certificate expired 8 days ago",
			skewed(300, "CLOCK_SKEW"), withDays(res("tls.certificate", net, fail, "TLS_EXPIRED", crit), "8"), false},
		{"a fast clock does not make a certificate look not yet valid",
			skewed(3*86400, "CLOCK_SKEW"), withDays(res("tls.certificate", net, fail, "TLS_NOT_YET_VALID", crit), "1"), false},
		{"a clock 3 days slow explains a certificate valid in 2 days",
			skewed(-3*86400, "CLOCK_SKEW"), withDays(res("tls.certificate", net, fail, "TLS_NOT_YET_VALID", crit), "2"), true},
		{"a skewed clock explains Chrome's date error only",
			skewed(-3*86400, "CLOCK_SKEW"), res("browser.page", brw, fail, "BROWSER_CERT_ERROR", crit).WithParam("error", "net::ERR_CERT_COMMON_NAME_INVALID"), false},
		{"unverified clock explains nothing",
			res(clock, dev, warn, "CLOCK_UNVERIFIED", low), res("tls.certificate", net, fail, "TLS_EXPIRED", crit), false},
		{"clock skew does not explain a hostname mismatch",
			res(clock, dev, fail, "CLOCK_SKEW", crit), res("tls.certificate", net, fail, "TLS_HOSTNAME_MISMATCH", crit), false},
		{"hosts override explains hostname mismatch",
			res("dns.resolve", net, warn, "DNS_HOSTS_OVERRIDE", high), res("tls.certificate", net, fail, "TLS_HOSTNAME_MISMATCH", crit), true},
		{"hosts override explains untrusted certificate",
			res("dns.resolve", net, warn, "DNS_HOSTS_OVERRIDE", high), res("tls.certificate", net, fail, "TLS_UNTRUSTED", crit), true},
		{"hosts override explains any certificate finding of the wrong server",
			res("dns.resolve", net, fail, "DNS_HOSTS_OVERRIDE", high), res("tls.certificate", net, fail, "TLS_EXPIRED", crit), true},
		{"hosts override explains refused connection",
			res("dns.resolve", net, warn, "DNS_HOSTS_OVERRIDE", high), res("net.reach", net, fail, "NET_REFUSED", crit), true},
		{"hosts override explains HTTP status",
			res("dns.resolve", net, warn, "DNS_HOSTS_OVERRIDE", high), res("http.login", net, fail, "HTTP_STATUS", crit), true},
		{"hosts override explains a browser finding",
			res("dns.resolve", net, warn, "DNS_HOSTS_OVERRIDE", high), res("browser.page", brw, fail, "BROWSER_NO_LOGIN_FORM", crit), true},
		{"hosts override does not explain a locked account",
			res("dns.resolve", net, warn, "DNS_HOSTS_OVERRIDE", high), res("account.status", acc, fail, "ACCOUNT_LOCKED", crit), false},
		{"failing name lookup explains timeouts",
			res("dns.resolve", net, fail, "DNS_NXDOMAIN", crit), res("net.reach", net, fail, "NET_TIMEOUT", crit), true},
		{"failing name lookup explains a browser timeout",
			res("dns.resolve", net, fail, "DNS_SERVFAIL", crit), res("browser.page", brw, fail, "BROWSER_TIMEOUT", crit), true},
		{"a name lookup warning (split DNS behind a proxy) is not a root cause",
			res("dns.resolve", net, warn, "DNS_NXDOMAIN", low), res("net.reach", net, fail, "NET_TIMEOUT", crit), false},
		{"proxy auth failure explains HTTP status",
			res("proxy.route", net, fail, "PROXY_AUTH_REQUIRED", crit), res("http.login", net, fail, "HTTP_STATUS", crit), true},
		{"PAC failure explains TLS handshake failure",
			res("proxy.route", net, fail, "PAC_ERROR", crit), res("tls.certificate", net, fail, "TLS_HANDSHAKE_FAILED", crit), true},
		{"proxy failure does not explain a locked account",
			res("proxy.route", net, fail, "PROXY_DENIED", crit), res("account.status", acc, fail, "ACCOUNT_LOCKED", crit), false},
		{"unreachable server explains TLS failure",
			res("net.reach", net, fail, "NET_REFUSED", crit), res("http.login", net, fail, "TLS_HANDSHAKE_FAILED", crit), true},
		{"unreachable server explains HTTP timeout",
			res("net.reach", net, fail, "NET_UNREACHABLE", crit), res("http.login", net, fail, "HTTP_TIMEOUT", crit), true},
		{"unreachable server explains browser timeout",
			res("net.reach", net, fail, "NET_TIMEOUT", crit), res("browser.page", brw, fail, "BROWSER_TIMEOUT", crit), true},
		{"a crashed reachability check explains nothing",
			res("net.reach", net, checks.StatusError, "CHECK_ERROR", high), res("http.login", net, fail, "HTTP_TIMEOUT", crit), false},
		{"bad certificate explains the browser's certificate error",
			res("tls.certificate", net, fail, "TLS_EXPIRED", crit), res("browser.page", brw, fail, "BROWSER_CERT_ERROR", crit), true},
		{"bad certificate explains HTTP failures",
			res("tls.certificate", net, fail, "TLS_UNTRUSTED", crit), res("http.login", net, fail, "HTTP_STATUS", crit), true},
		{"bad certificate does not explain a JS error",
			res("tls.certificate", net, fail, "TLS_UNTRUSTED", crit), res("browser.page", brw, fail, "BROWSER_JS_ERROR", high), false},
		{"an expiring certificate (warning) explains nothing",
			res("tls.certificate", net, warn, "TLS_EXPIRING_SOON", low), res("browser.page", brw, fail, "BROWSER_CERT_ERROR", crit), false},
		{"inspection CA explains the browser's certificate error",
			res("tls.certificate", net, warn, "TLS_INTERCEPTED", low), res("browser.page", brw, fail, "BROWSER_CERT_ERROR", crit), true},
		{"inspection CA does not explain HTTP status",
			res("tls.certificate", net, warn, "TLS_INTERCEPTED", low), res("http.login", net, fail, "HTTP_STATUS", high), false},
		{"a path-MTU black hole explains the browser's timeout on that host",
			res("tls.certificate", net, fail, "NET_PATH_MTU", crit).WithParam("host", "crm.test"),
			res("browser.page", brw, fail, "BROWSER_TIMEOUT", crit).WithParam("host", "crm.test"), true},
		{"a path-MTU black hole explains a slow download",
			res("tls.certificate", net, fail, "NET_PATH_MTU", crit).WithParam("host", "crm.test"),
			res("net.quality", net, warn, "NET_SLOW_LINK", low).WithParam("host", "crm.test"), true},
		{"a path-MTU black hole to the SSO host does not explain a slow download from the CRM",
			res("tls.certificate", net, fail, "NET_PATH_MTU", crit).WithParam("host", "sso.test"),
			res("net.quality", net, warn, "NET_SLOW_LINK", low).WithParam("host", "crm.test"), false},
		{"a path-MTU black hole does not explain a locked account",
			res("tls.certificate", net, fail, "NET_PATH_MTU", crit), res("account.status", acc, fail, "ACCOUNT_LOCKED", crit), false},
		{"a required client certificate explains the browser's failure",
			res("tls.certificate", net, fail, "TLS_CLIENT_CERT_REQUIRED", crit), res("browser.page", brw, fail, "BROWSER_TIMEOUT", crit), true},
		{"a required client certificate on the SSO hop explains the browser's certificate error",
			res("http.login", net, fail, "TLS_CLIENT_CERT_REQUIRED", crit), res("browser.page", brw, fail, "BROWSER_CERT_ERROR", crit), true},
		{"a required client certificate does not explain a wrong clock",
			res("tls.certificate", net, fail, "TLS_CLIENT_CERT_REQUIRED", crit), res(clock, dev, fail, "CLOCK_SKEW", crit), false},
		{"a missing intermediate explains http.login's untrusted certificate (Go does not fetch it)",
			res("tls.certificate", net, warn, "TLS_INCOMPLETE_CHAIN", high).WithParam("host", "crm.test"),
			res("http.login", net, fail, "TLS_UNTRUSTED", crit).WithParam("host", "crm.test"), true},
		{"a missing intermediate on one host does not explain another host's untrusted certificate",
			res("tls.certificate", net, warn, "TLS_INCOMPLETE_CHAIN", high).WithParam("host", "crm.test"),
			res("http.login", net, fail, "TLS_UNTRUSTED", crit).WithParam("host", "sso.test"), false},
		{"a missing intermediate does not explain the browser's certificate error (browsers fetch it)",
			res("tls.certificate", net, warn, "TLS_INCOMPLETE_CHAIN", high), res("browser.page", brw, fail, "BROWSER_CERT_ERROR", crit), false},
		{"a plain-http login page explains nothing",
			res("tls.certificate", net, warn, "TLS_PLAINTEXT", high), res("http.login", net, fail, "HTTP_STATUS", crit), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The symptom comes first in registry order, so only the
			// rule (not the input order) can put the cause first.
			r := Build([]checks.Result{tt.symptom, tt.cause}, Options{Lang: "en", ReportID: "LD-TEST22"})
			if len(r.Fixes) != 2 {
				t.Fatalf("got %d fixes, want 2", len(r.Fixes))
			}
			sym := fixFor(t, r, tt.symptom.Check)
			if got := sym.ExplainedBy != ""; got != tt.explains {
				t.Fatalf("symptom explained_by = %q, want explained: %v", sym.ExplainedBy, tt.explains)
			}
			if !tt.explains {
				return
			}
			if sym.ExplainedBy != tt.cause.Check {
				t.Errorf("explained_by = %q, want %q", sym.ExplainedBy, tt.cause.Check)
			}
			if r.Fixes[0].Check != tt.cause.Check {
				t.Errorf("first fix is %s, want the cause %s", r.Fixes[0].Check, tt.cause.Check)
			}
			if !strings.Contains(sym.Title, "probably caused by") || !strings.Contains(sym.Title, "see fix 1") {
				t.Errorf("symptom title %q lacks the cause suffix", sym.Title)
			}
			if c := fixFor(t, r, tt.cause.Check); c.ExplainedBy != "" || strings.Contains(c.Title, "probably caused by") {
				t.Errorf("cause got explained_by %q / title %q", c.ExplainedBy, c.Title)
			}
		})
	}
}

func fixFor(t *testing.T, r *Report, check string) Fix {
	t.Helper()
	for _, f := range r.Fixes {
		if f.Check == check {
			return f
		}
	}
	t.Fatalf("no fix for %s in %+v", check, r.Fixes)
	return Fix{}
}

func TestFixOrder(t *testing.T) {
	blocked := checks.Skip(checks.CodeBlocked, "not run: net.reach did not pass")
	blocked.Check, blocked.Stage, blocked.BlockedBy = "http.login", net, "net.reach"
	notConf := checks.NotConfigured("account.provider")
	notConf.Check, notConf.Stage = "account.status", acc
	pass := checks.Pass("fine")
	pass.Check, pass.Stage = "policy.hours", pol
	errored := checks.Errored("the check crashed")
	errored.Check, errored.Stage = "device.browsers", dev

	tests := []struct {
		name    string
		results []checks.Result
		want    []string // check IDs in fix order
		explain map[string]string
	}{
		{"clock skew before the certificate it breaks",
			[]checks.Result{res(clock, dev, fail, "CLOCK_SKEW", crit), res("tls.certificate", net, fail, "TLS_NOT_YET_VALID", crit)},
			[]string{clock, "tls.certificate"}, map[string]string{"tls.certificate": clock}},
		{"hosts override before a critical hostname mismatch in the same stage",
			[]checks.Result{res("dns.resolve", net, warn, "DNS_HOSTS_OVERRIDE", low), res("tls.certificate", net, fail, "TLS_HOSTNAME_MISMATCH", crit)},
			[]string{"dns.resolve", "tls.certificate"}, map[string]string{"tls.certificate": "dns.resolve"}},
		{"stage order holds: a low device warning before a critical network failure",
			[]checks.Result{res("device.browsers", dev, warn, "DEVICE_BROWSER_OUTDATED", low), res("net.reach", net, fail, "NET_TIMEOUT", crit)},
			[]string{"device.browsers", "net.reach"}, nil},
		{"stage order beats registry order",
			[]checks.Result{res("policy.hours", pol, fail, "POLICY_OUTSIDE_HOURS", crit), res("account.status", acc, fail, "ACCOUNT_LOCKED", crit)},
			[]string{"account.status", "policy.hours"}, nil},
		{"severity within a stage: critical first",
			[]checks.Result{res("dns.resolve", net, warn, "DNS_MISMATCH", low), res("http.login", net, fail, "HTTP_STATUS", crit)},
			[]string{"http.login", "dns.resolve"}, nil},
		{"registry order breaks ties",
			[]checks.Result{res("policy.hours", pol, fail, "POLICY_OUTSIDE_HOURS", high), res("policy.network", pol, fail, "POLICY_IP_NOT_ALLOWED", high)},
			[]string{"policy.hours", "policy.network"}, nil},
		{"symptoms after every root cause, explained by the deepest root",
			[]checks.Result{
				res(clock, dev, warn, "CLOCK_SKEW_WARN", low),
				res("tls.certificate", net, fail, "TLS_EXPIRED", crit),
				res("account.status", acc, fail, "ACCOUNT_LOCKED", crit),
				res("browser.page", brw, fail, "BROWSER_CERT_ERROR", crit),
			},
			[]string{clock, "account.status", "tls.certificate", "browser.page"},
			map[string]string{"tls.certificate": clock, "browser.page": clock}},
		{"skips, blocked checks and passes never become fixes; errors do",
			[]checks.Result{errored, res("net.reach", net, fail, "NET_REFUSED", crit), blocked, notConf, pass},
			[]string{"device.browsers", "net.reach"}, nil},
		{"no findings, no fixes", []checks.Result{pass, notConf}, []string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(tt.results, Options{Lang: "en", ReportID: "LD-TEST22"})
			got := []string{}
			for i, f := range r.Fixes {
				got = append(got, f.Check)
				if f.Rank != i+1 {
					t.Errorf("fix %d has rank %d", i, f.Rank)
				}
				if want := tt.explain[f.Check]; f.ExplainedBy != want {
					t.Errorf("%s explained_by = %q, want %q", f.Check, f.ExplainedBy, want)
				}
				if f.Code == checks.CodeBlocked || f.Code == checks.CodeNotConfigured {
					t.Errorf("skip code %s became a fix", f.Code)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fix order = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCauseSuffixLocalized(t *testing.T) {
	results := []checks.Result{res(clock, dev, fail, "CLOCK_SKEW", crit), res("tls.certificate", net, fail, "TLS_NOT_YET_VALID", crit)}
	for lang, want := range map[string]string{"en": "your computer clock", "zh": "电脑时间不准"} {
		r := Build(results, Options{Lang: lang, ReportID: "LD-TEST22"})
		if title := fixFor(t, r, "tls.certificate").Title; !strings.Contains(title, want) {
			t.Errorf("%s: symptom title %q does not name the cause %q", lang, title, want)
		}
	}
}

func TestFollowToRootStopsOnCycles(t *testing.T) {
	parent := []int{1, 0, 0, -1}
	if got := followToRoot(parent, 0); got != -1 {
		t.Errorf("cycle 0↔1: root of 0 = %d, want -1", got)
	}
	if got := followToRoot(parent, 3); got != -1 {
		t.Errorf("root of a root = %d, want -1", got)
	}
	if got := followToRoot([]int{-1, 0, 1}, 2); got != 0 {
		t.Errorf("chain 2→1→0: root = %d, want 0", got)
	}
}

// skewed is a clock finding with its measured offset (positive: fast).
func skewed(seconds float64, code string) checks.Result {
	st := fail
	if code == "CLOCK_SKEW_WARN" {
		st = warn
	}
	return res(clock, dev, st, code, crit).With("skew_s", seconds)
}

func withDays(r checks.Result, days string) checks.Result { return r.WithParam("days", days) }
