package main

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/idp"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

// canaryToken has the characters that URL-encoding and base64 change.
const canaryToken = "CANARY/tok+9fQ2=zX"

// tokenEchoes are the forms in which an API may echo a token back.
func tokenEchoes(tok string) map[string]func(string) string {
	b64 := func(enc *base64.Encoding, prefix string) func(string) string {
		return func(t string) string { return enc.EncodeToString([]byte(prefix + t)) }
	}
	return map[string]func(string) string{
		"plain":             func(t string) string { return t },
		"query-escaped":     url.QueryEscape,
		"path-escaped":      url.PathEscape,
		"base64":            b64(base64.StdEncoding, ""),
		"base64url":         b64(base64.URLEncoding, ""),
		"base64 raw":        b64(base64.RawStdEncoding, ""),
		"base64url raw":     b64(base64.RawURLEncoding, ""),
		"bearer base64":     b64(base64.StdEncoding, "Bearer "),
		"basic auth":        b64(base64.StdEncoding, "svc:"),
		"basic auth url":    b64(base64.RawURLEncoding, "u:"),
		"after one byte":    b64(base64.StdEncoding, "x"),
		"after two bytes":   b64(base64.StdEncoding, "xy"),
		"after three bytes": b64(base64.StdEncoding, "xyz"),
	}
}

// tokenShown reports whether out still carries echo (or, for an echo
// longer than the token's own encoding, its middle half, which encodes
// token bytes only).
func tokenShown(out, echo, tok string) bool {
	if strings.Contains(out, tok) || strings.Contains(out, echo) {
		return true
	}
	mid := echo[len(echo)/4 : 3*len(echo)/4]
	return len(mid) >= 8 && strings.Contains(out, mid)
}

// TestRedactorTokenEncodings: the token is scrubbed plain, URL-encoded,
// base64-encoded in every variant, and inside a longer base64 string at
// every byte alignment.
func TestRedactorTokenEncodings(t *testing.T) {
	s := &settings{Target: checks.Target{Account: checks.AccountConfig{Token: canaryToken}}}
	red := newRedactor(s, func(string) string { return "" })
	for name, enc := range tokenEchoes(canaryToken) {
		echo := enc(canaryToken)
		out := string(red.scrub([]byte(`{"error":"invalid credential ` + echo + `","n":1}`)))
		if tokenShown(out, echo, canaryToken) {
			t.Errorf("%s: the token survives the redactor (%d bytes of output)", name, len(out))
		}
		if !strings.Contains(out, `"n":1`) {
			t.Errorf("%s: the redactor damaged the text around the token", name)
		}
	}
}

// TestTokenEchoedEncodedNeverAppears runs account.status against a
// loopback API that echoes the token, encoded each way, into the state
// value the check reports, and scans every format and the bundle.
func TestTokenEchoedEncodedNeverAppears(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	for name, enc := range tokenEchoes(canaryToken) {
		t.Run(name, func(t *testing.T) {
			api, err := idp.Start(idp.Options{Token: canaryToken, EchoToken: enc})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { api.Close() })
			profile := writeConfig(t, []byte("account:\n  provider: generic\n  base_url: "+api.URL()+
				"\n  user: zhangsan\n  generic:\n    url: /generic/users/{user}\n    status_path: data.status\n    states: {\"1\": active}\n"))
			env := w.env(map[string]string{"LOGINDOCTOR_ACCOUNT_TOKEN": canaryToken})
			echo := enc(canaryToken)
			for _, format := range []string{"json", "text", "markdown", "html", "junit"} {
				bundle := filepath.Join(t.TempDir(), "b.zip")
				_, out, errOut := runCLI(t, env, quick(w, "--config", profile, "--only", "account.status", "--format", format, "-v", "--bundle", bundle)...)
				if format == "json" && !strings.Contains(out, "ACCOUNT_API_UNREACHABLE") {
					t.Fatalf("the API's echo did not reach the report (no ACCOUNT_API_UNREACHABLE)")
				}
				if tokenShown(out+errOut, echo, canaryToken) {
					t.Errorf("%s: the echoed token appears in the output", format)
				}
				for file, data := range bundleFiles(t, bundle) {
					if tokenShown(data, echo, canaryToken) {
						t.Errorf("%s: bundle file %s carries the echoed token", format, file)
					}
				}
			}
		})
	}
}

// bundleFiles reads every file of a bundle.
func bundleFiles(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(data)
	}
	return files
}

// TestRedactorURLParams: the login and PAC URLs' query values and
// fragment are scrubbed from any text (a console line, an error), plain
// or escaped; short values and the URLs' hosts stay readable.
func TestRedactorURLParams(t *testing.T) {
	login, err := url.Parse("https://crm.example.com/login?token=SECRETTOK%2Fx&lang=en&tenant=crm.example.com#frag=SECRETFRAG")
	if err != nil {
		t.Fatal(err)
	}
	s := &settings{Target: checks.Target{URL: login, Proxy: checks.ProxyConfig{PACURL: "http://wpad.example.com/proxy.pac?key=SECRETKEY"}}}
	red := newRedactor(s, func(string) string { return "" })
	in := "console: token=SECRETTOK/x (SECRETTOK%2Fx) hash frag=SECRETFRAG; pac key SECRETKEY; lang=en; host crm.example.com"
	out := string(red.scrub([]byte(in)))
	if strings.Contains(out, "SECRET") {
		t.Errorf("a URL secret survives: %q", out)
	}
	for _, keep := range []string{"lang=en", "host crm.example.com", "token=", "key "} {
		if !strings.Contains(out, keep) {
			t.Errorf("%q is gone: %q", keep, out)
		}
	}
}

// TestURLSecretsNeverLeaveTheRun: with a login URL and a PAC URL that
// carry secrets in their query and fragment, no output format and no file
// of the bundle shows them; the parameter names stay.
func TestURLSecretsNeverLeaveTheRun(t *testing.T) {
	w := newWorld(t, certs.Valid, crm.Options{})
	pac, err := proxy.StartPAC(proxy.PACConfig{Script: `function FindProxyForURL(url, host) { return "DIRECT"; }`})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pac.Close() })
	login := w.url + "?token=SECRETTOK#frag=SECRETFRAG"
	profile := writeConfig(t, []byte("proxy:\n  pac_url: \""+pac.URL()+"?key=SECRETKEY\"\n"))
	args := []string{login, "--config", profile, "--ca-file", w.caFile, "--check-timeout", "3s", "--skip", "browser.page,device.browsers"}
	for _, format := range []string{"json", "text", "markdown", "html", "junit"} {
		bundle := filepath.Join(t.TempDir(), "b.zip")
		_, out, errOut := runCLI(t, w.env(nil), append(args, "--format", format, "-v", "--bundle", bundle)...)
		if strings.Contains(out+errOut, "SECRET") {
			t.Errorf("%s: a URL secret appears in the output", format)
		}
		if !strings.Contains(out, "token=") {
			t.Errorf("%s: the login URL's parameter name is gone:\n%s", format, out)
		}
		if format == "json" && !strings.Contains(out, "key=") {
			t.Errorf("json: the PAC URL's parameter name is gone:\n%s", out)
		}
		files := bundleFiles(t, bundle)
		for file, data := range files {
			if strings.Contains(data, "SECRET") {
				t.Errorf("%s: bundle file %s shows a URL secret", format, file)
			}
		}
		if !strings.Contains(files["report.json"], "token=") {
			t.Errorf("%s: the bundle's report.json lost the parameter name", format)
		}
	}
	if pac.Requests() == 0 {
		t.Error("the PAC file was never fetched: the run did not use the PAC URL")
	}
}

// craftedJSON is a saved report whose free text tries to drive the
// terminal (clipboard, window title, clear screen) and plant active
// Markdown; id, verdict and code are the given ones.
func craftedJSON(id, verdict, code string) []byte {
	evil := `\u001b]52;c;ZXZpbA==\u0007 \u001b]0;title\u0007 \u001b[2J \u009b2J ![x](http://evil/x.png) <img src=x onerror=alert(1)> \u202egpj.exe`
	return []byte(`{"schema":"logindoctor/report/v1","report_id":"` + id + `","verdict":"` + verdict + `","lang":"en",
"target":"https://crm.example.com/` + evil + `",
"results":[{"check":"tls.certificate","stage":"network","status":"fail","code":"` + code + `","severity":"critical","owner":"admin",
  "summary":"` + evil + `","evidence":{"issuer":"` + evil + `"}}],
"fixes":[{"rank":1,"check":"tls.certificate","code":"` + code + `","severity":"critical","owner":"admin","title":"` + evil + `","steps":["` + evil + `"]}]}`)
}

// TestRenderCraftedReport: `report render` of a crafted report writes no
// terminal control and no active Markdown; one with an invalid report
// id, verdict or code is refused with exit 2.
func TestRenderCraftedReport(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "crafted.json")
	if err := os.WriteFile(good, craftedJSON("LD-7K3QX9", "fail", "TLS_UNTRUSTED"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "markdown", "html", "junit", "json"} {
		code, out, errOut := runCLI(t, cleanEnv(nil), "report", "render", good, "--format", format, "-v")
		if code != exitFail && code != exitPass {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		if strings.ContainsAny(out, "\x1b\x07\u009b\u202e") {
			t.Errorf("%s: the rendering carries a terminal or bidi control character", format)
		}
		if format == "markdown" {
			var doc bytes.Buffer
			gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
			if err := gm.Convert([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(doc.String(), "<img") || strings.Contains(doc.String(), "href") {
				t.Errorf("markdown: an image, a link or raw HTML survives:\n%s", doc.String())
			}
		}
	}
	for name, data := range map[string][]byte{
		"report_id": craftedJSON(`LD-7K3QX9\u001b]0;x\u0007`, "fail", "TLS_UNTRUSTED"),
		"verdict":   craftedJSON("LD-7K3QX9", `fail\u001b[2J`, "TLS_UNTRUSTED"),
		"code":      craftedJSON("LD-7K3QX9", "fail", `![x](http://evil/x.png)`),
	} {
		bad := filepath.Join(dir, name+".json")
		if err := os.WriteFile(bad, data, 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCLI(t, cleanEnv(nil), "report", "render", bad)
		if code != exitUsage || !strings.Contains(errOut, "not a logindoctor report") {
			t.Errorf("%s: exit %d, stderr %q; want 2 and 'not a logindoctor report'", name, code, errOut)
		}
		if strings.ContainsAny(out+errOut, "\x1b\x07") {
			t.Errorf("%s: the refusal repeats control characters", name)
		}
	}
}
