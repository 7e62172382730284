package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/hostile"
)

// staffUpload is a failing run by a person on a terminal whose profile
// names the inbox at uploadURL, with token in LD_UPLOAD_TOKEN.
type staffUpload struct {
	code        int
	out, errOut string
	home        string
	took        time.Duration
}

func runStaffUpload(t *testing.T, w world, uploadURL, token string, env map[string]string, args ...string) staffUpload {
	t.Helper()
	home := t.TempDir()
	profile := filepath.Join(t.TempDir(), "profile.yaml")
	yaml := "helpdesk:\n  upload_url: " + uploadURL + "\n  token_env: LD_UPLOAD_TOKEN\n"
	if err := os.WriteFile(profile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	e := map[string]string{"HOME": home, "NO_COLOR": "1", "LD_UPLOAD_TOKEN": token}
	for k, v := range env {
		e[k] = v
	}
	ios, out, errOut := ttyStreams(w.env(e), "")
	start := time.Now()
	code := runWith(t, ios, nil, quick(w, append([]string{"--config", profile}, args...)...)...)
	return staffUpload{code: code, out: out.String(), errOut: errOut.String(), home: home, took: time.Since(start)}
}

var reportIDRe = regexp.MustCompile(`LD-[0-9A-Z]{6}`)

// savedBundles lists the bundles saved in home.
func savedBundles(t *testing.T, home string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(home, "logindoctor-LD-*.zip"))
	return m
}

// noToken fails when the token shows in the run's output (without
// printing either).
func noToken(t *testing.T, r staffUpload, token string) {
	t.Helper()
	if strings.Contains(r.out+r.errOut, token) {
		t.Error("the upload token shows in the output")
	}
}

// TestUploadToTheInbox: a failing staff run whose profile names a real
// `serve` inbox sends its bundle there, stored by its report id, says in
// the reader's language that IT has it, and saves nothing locally.
func TestUploadToTheInbox(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	ts, dir := startInbox(t)
	for _, c := range []struct{ lang, says string }{
		{"en", "IT has received your report "},
		{"zh", "IT 部门已收到您的报告 "},
	} {
		r := runStaffUpload(t, w, ts.base, testUploadToken, nil, "--lang", c.lang)
		if r.code != exitFail {
			t.Fatalf("%s: exit %d\n%s", c.lang, r.code, r.errOut)
		}
		id := reportIDRe.FindString(r.out)
		if id == "" {
			t.Fatalf("%s: no report id in the report:\n%s", c.lang, r.out)
		}
		if !strings.Contains(r.errOut, c.says+id) {
			t.Errorf("%s: no %q%s line:\n%s", c.lang, c.says, id, r.errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, id, "report.json")); err != nil {
			t.Errorf("%s: the inbox does not hold %s: %v", c.lang, id, err)
		}
		if saved := savedBundles(t, r.home); len(saved) != 0 || strings.Contains(r.errOut, "Send this file") {
			t.Errorf("%s: saved locally although the upload worked: %v\n%s", c.lang, saved, r.errOut)
		}
		noToken(t, r, testUploadToken)
	}

	// --bundle still writes its file; the inbox gets the report too.
	path := filepath.Join(t.TempDir(), "ticket.zip")
	r := runStaffUpload(t, w, ts.base, testUploadToken, nil, "--bundle", path)
	id := reportIDRe.FindString(r.out)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("--bundle: no file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, id, "report.json")); id == "" || err != nil || !strings.Contains(r.errOut, "IT has received your report "+id) {
		t.Errorf("--bundle: report %q not uploaded (%v):\n%s", id, err, r.errOut)
	}

	// Not a person: CI uploads nothing.
	r = runStaffUpload(t, w, ts.base, testUploadToken, map[string]string{"CI": "true"})
	if id := reportIDRe.FindString(r.out); id == "" || strings.Contains(r.errOut, "IT has received") {
		t.Errorf("CI: uploaded:\n%s", r.errOut)
	} else if _, err := os.Stat(filepath.Join(dir, id)); err == nil {
		t.Errorf("CI: the inbox holds %s", id)
	}
}

// TestUploadWithAWrongTokenSavesLocally: the inbox refuses the token, so
// the bundle is saved on the desktop and the run says both why (one line,
// no token) and which file to send.
func TestUploadWithAWrongTokenSavesLocally(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	ts, dir := startInbox(t)
	const wrong = "wrong-upload-token-0123456789"
	r := runStaffUpload(t, w, ts.base, wrong, nil)
	if r.code != exitFail {
		t.Fatalf("exit %d\n%s", r.code, r.errOut)
	}
	if !strings.Contains(r.errOut, "could not be sent to IT") || !strings.Contains(r.errOut, "HTTP 401") {
		t.Errorf("no line saying the upload failed and why:\n%s", r.errOut)
	}
	saved := savedBundles(t, r.home)
	if len(saved) != 1 || !strings.Contains(r.errOut, "Send this file to IT: "+saved[0]) {
		t.Errorf("bundle not saved locally and named (%v):\n%s", saved, r.errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the inbox stored %d reports with a wrong token", len(entries))
	}
	noToken(t, r, wrong)

	// No token at all: says which variable, saves locally.
	r = runStaffUpload(t, w, ts.base, "", nil)
	if !strings.Contains(r.errOut, "LD_UPLOAD_TOKEN is not set") || len(savedBundles(t, r.home)) != 1 {
		t.Errorf("missing token: not said or not saved:\n%s", r.errOut)
	}
}

// TestUploadToAnInboxThatIsDown: a refusing port, and a server that
// accepts and never answers: the bundle is saved locally, within the run's
// --timeout.
func TestUploadToAnInboxThatIsDown(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := "http://" + ln.Addr().String()
	ln.Close()
	silent := startHostile(t, hostile.Options{Mode: hostile.Silent})
	for _, c := range []struct{ name, url, says string }{
		{"refused", refusing, "refused the connection"},
		{"silent", "http://" + silent.Addr(), "did not answer in time"},
	} {
		r := runStaffUpload(t, w, c.url, testUploadToken, nil, "--timeout", "6s")
		if r.code != exitFail {
			t.Fatalf("%s: exit %d\n%s", c.name, r.code, r.errOut)
		}
		if r.took > 6*time.Second+500*time.Millisecond {
			t.Errorf("%s: the run took %s, beyond its --timeout 6s", c.name, r.took)
		}
		if !strings.Contains(r.errOut, c.says) {
			t.Errorf("%s: does not say %q:\n%s", c.name, c.says, r.errOut)
		}
		if saved := savedBundles(t, r.home); len(saved) != 1 || !strings.Contains(r.errOut, "Send this file to IT: "+saved[0]) {
			t.Errorf("%s: bundle not saved locally (%v):\n%s", c.name, saved, r.errOut)
		}
	}
}

// TestUploadTokenEchoedByTheServerIsRedacted: an inbox that answers with
// the token in its error message never gets it printed.
func TestUploadTokenEchoedByTheServerIsRedacted(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	echo := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Error(rw, "no such inbox for "+r.Header.Get("Authorization"), http.StatusBadGateway)
	}))
	defer echo.Close()
	r := runStaffUpload(t, w, echo.URL, testUploadToken, nil)
	if !strings.Contains(r.errOut, "HTTP 502") || !strings.Contains(r.errOut, redacted) {
		t.Errorf("the server's answer is not shown redacted:\n%s", strings.ReplaceAll(r.errOut, testUploadToken, "<TOKEN>"))
	}
	noToken(t, r, testUploadToken)
	if len(savedBundles(t, r.home)) != 1 {
		t.Error("bundle not saved locally")
	}
}
