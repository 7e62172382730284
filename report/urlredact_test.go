package report

import (
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

func TestRedactURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://crm.example.com/login", "https://crm.example.com/login"},
		{"https://crm/login?token=abc&tenant=acme", "https://crm/login?token=…&tenant=…"},
		{"https://crm/login?token=abc#frag=xyz", "https://crm/login?token=…#…"},
		{"https://crm/login#access_token=xyz", "https://crm/login#…"},
		{"https://crm/login?SECRET", "https://crm/login?…"},
		{"http://alice:pw@proxy:3128/x", "http://…@proxy:3128/x"},
		{"redirected to https://sso/cb?code=123. Then (see http://x/?a=b).", "redirected to https://sso/cb?code=…. Then (see http://x/?a=…)."},
		{`{"url":"https://h/p?k=v","n":1}`, `{"url":"https://h/p?k=…","n":1}`},
		{"no url here ?a=b", "no url here ?a=b"},
	}
	for _, tt := range tests {
		if got := RedactURLs(tt.in); got != tt.want {
			t.Errorf("RedactURLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// hop is a check's own evidence type (as http.login's redirect chain).
type hop struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
}

// TestURLSecretsNeverRendered: query values and fragments of the login
// URL, the PAC URL and every URL in summaries, params and evidence (typed
// or not) appear in no format; the parameter names do.
func TestURLSecretsNeverRendered(t *testing.T) {
	const login = "https://127.0.0.1:8443/login?token=SECRETTOK&tenant=SECRETTEN#frag=SECRETFRAG"
	const pac = "http://127.0.0.1:8080/proxy.pac?key=SECRETKEY"
	proxy := checks.Finding(checks.StatusWarn, "PAC_ERROR", checks.SeverityLow, checks.OwnerIT, "PAC "+pac+" failed").With("pac_url", pac).WithParam("pac_url", pac)
	proxy.Check, proxy.Stage = "proxy.route", checks.StageNetwork
	loop := checks.Finding(checks.StatusFail, "HTTP_REDIRECT_LOOP", checks.SeverityHigh, checks.OwnerAdmin, "loop at "+login).
		WithParam("url", login).
		With("hops", []hop{{URL: login, Status: 302}, {URL: "https://sso/cb?code=SECRETCODE", Status: 302}}).
		With("chain", []any{map[string]any{"url": login}})
	loop.Check, loop.Stage = "http.login", checks.StageNetwork
	for _, lang := range Languages() {
		r := Build([]checks.Result{proxy, loop}, Options{Lang: lang, Target: login, ReportID: sampleID, StartedAt: sampleStart})
		for _, format := range Formats() {
			out := string(render(t, r, format, RenderOptions{Verbose: true}))
			if strings.Contains(out, "SECRET") {
				i := strings.Index(out, "SECRET")
				t.Errorf("%s %s: a URL secret is shown: …%s…", lang, format, out[max(0, i-40):i])
			}
			for _, name := range []string{"token=", "key="} {
				if !strings.Contains(out, name) {
					t.Errorf("%s %s: the parameter name %q is gone", lang, format, name)
				}
			}
		}
	}
}
