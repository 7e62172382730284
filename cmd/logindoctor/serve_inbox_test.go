package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

const (
	testUploadToken = "upload-token-0123456789"
	testReadToken   = "read-token-9876543210"
)

// startInbox starts a serve with an inbox in a temp dir, an upload token
// and a separate read token.
func startInbox(t *testing.T) (*testServe, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "inbox")
	env := map[string]string{"LD_UPLOAD": testUploadToken, "LD_READ": testReadToken}
	ios, _, _ := testStreams(env)
	a, err := newApp(ios, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := writeModules(t, "modules:\n  default: {}\n")
	ts := startServeApp(t, a, path, func(o *serveOptions) {
		o.Inbox, o.InboxTokenEnv, o.InboxReadTokenEnv = dir, "LD_UPLOAD", "LD_READ"
	})
	return ts, dir
}

// do sends a request with an Authorization header ("" for none).
func (ts *testServe) do(t *testing.T, method, path, auth string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/zip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// realBundle makes a ticket bundle the way staff do: `logindoctor --bundle`
// against a CRM whose certificate expired.
func realBundle(t *testing.T) []byte {
	t.Helper()
	w := newWorld(t, certs.Expired, crm.Options{})
	path := filepath.Join(t.TempDir(), "ticket.zip")
	if code, _, errOut := runCLI(t, w.env(nil), quick(w, "--bundle", path)...); code != exitFail {
		t.Fatalf("logindoctor --bundle: exit %d\n%s", code, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type zipEntry struct {
	name string
	data []byte
	mode fs.FileMode
}

func makeZip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// reportJSON is report.json of a real bundle.
func reportJSON(t *testing.T, bundle []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "report.json" {
			rc, _ := f.Open()
			defer rc.Close()
			data, _ := io.ReadAll(rc)
			return data
		}
	}
	t.Fatal("no report.json in the bundle")
	return nil
}

func TestServeInboxStoresAndShowsABundle(t *testing.T) {
	ts, dir := startInbox(t)
	bundle := realBundle(t)
	code, body := ts.do(t, http.MethodPost, "/api/v1/reports", "Bearer "+testUploadToken, bundle)
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	var created struct {
		ReportID string `json:"report_id"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.ReportID == "" {
		t.Fatalf("upload answer %q", body)
	}
	id := created.ReportID
	if _, err := os.Stat(filepath.Join(dir, id, "report.json")); err != nil {
		t.Fatalf("not stored: %v", err)
	}
	if code, _ := ts.do(t, http.MethodPost, "/api/v1/reports", "Bearer "+testUploadToken, bundle); code != http.StatusConflict {
		t.Errorf("second upload of %s: %d, want 409", id, code)
	}

	read := "Bearer " + testReadToken
	for _, c := range []struct {
		query string
		shown bool
	}{
		{"", true},
		{"?code=TLS_EXPIRED", true},
		{"?code=DNS_NXDOMAIN", false},
		{"?owner=admin", true},
		{"?owner=you", false},
		{"?stage=network", true},
		{"?stage=account", false},
		{"?id=" + strings.ToLower(id), true},
	} {
		code, page := ts.do(t, http.MethodGet, "/reports"+c.query, read, nil)
		if code != http.StatusOK || strings.Contains(page, id) != c.shown {
			t.Errorf("/reports%s: %d, shows %s: %v, want %v", c.query, code, id, !c.shown, c.shown)
		}
	}
	if _, page := ts.do(t, http.MethodGet, "/reports?lang=zh", read, nil); !strings.Contains(page, "报告收件箱") || !strings.Contains(page, `lang="zh"`) {
		t.Errorf("the Chinese list is not Chinese")
	}
	// The helpdesk's page names owners from the helpdesk's side: the
	// staff's own word for themself ("you", "您自己") would mean the reader.
	for lang, want := range map[string]string{"en": `<option value="you">the employee</option>`, "zh": `<option value="you">员工本人</option>`} {
		_, page := ts.do(t, http.MethodGet, "/reports?lang="+lang, read, nil)
		if !strings.Contains(page, want) || strings.Contains(page, ">you<") || strings.Contains(page, "您自己") {
			t.Errorf("/reports?lang=%s: owner filter does not say %s", lang, want)
		}
	}
	code, page := ts.do(t, http.MethodGet, "/reports/"+id, read, nil)
	if code != http.StatusOK || !strings.Contains(page, id) || !strings.Contains(page, "TLS_EXPIRED") || !strings.Contains(page, `href="/reports?lang=en"`) {
		t.Errorf("/reports/%s: %d\n%s", id, code, page)
	}
	// The read token reads; the upload token does not (they differ here).
	if code, _ := ts.do(t, http.MethodGet, "/reports", "Bearer "+testUploadToken, nil); code != http.StatusUnauthorized {
		t.Errorf("the upload token read the inbox: %d", code)
	}
	req, _ := http.NewRequest(http.MethodGet, ts.base+"/reports", nil)
	req.SetBasicAuth("helpdesk", testReadToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Basic auth with the read token: %d", resp.StatusCode)
	}
	if code, _ := ts.do(t, http.MethodGet, "/reports/LD-222222", read, nil); code != http.StatusNotFound {
		t.Errorf("unknown report: %d", code)
	}
}

func TestServeInboxRefusesBadUploads(t *testing.T) {
	ts, dir := startInbox(t)
	good := reportJSON(t, realBundle(t))
	upload := "Bearer " + testUploadToken
	huge := bytes.Repeat([]byte{0}, maxBundleFileBytes+1)
	for _, c := range []struct {
		name string
		auth string
		body []byte
		want int
	}{
		{"no token", "", makeZip(t, zipEntry{name: "report.json", data: good}), http.StatusUnauthorized},
		{"wrong token", "Bearer not-the-token-at-all", makeZip(t, zipEntry{name: "report.json", data: good}), http.StatusUnauthorized},
		{"read token", "Bearer " + testReadToken, makeZip(t, zipEntry{name: "report.json", data: good}), http.StatusUnauthorized},
		{"oversized", upload, bytes.Repeat([]byte("x"), maxBundleBytes+1), http.StatusRequestEntityTooLarge},
		{"not a zip", upload, []byte("hello"), http.StatusBadRequest},
		{"zip slip", upload, makeZip(t, zipEntry{name: "report.json", data: good}, zipEntry{name: "../../etc/cron.d/x", data: []byte("x")}), http.StatusBadRequest},
		{"path inside", upload, makeZip(t, zipEntry{name: "sub/report.json", data: good}), http.StatusBadRequest},
		{"symlink", upload, makeZip(t, zipEntry{name: "report.json", data: good}, zipEntry{name: "screenshot.png", data: []byte("/etc/shadow"), mode: fs.ModeSymlink | 0o777}), http.StatusBadRequest},
		{"directory", upload, makeZip(t, zipEntry{name: "report.json", data: good}, zipEntry{name: "README.txt", mode: fs.ModeDir | 0o755}), http.StatusBadRequest},
		{"twice", upload, makeZip(t, zipEntry{name: "report.json", data: good}, zipEntry{name: "report.json", data: good}), http.StatusBadRequest},
		{"zip bomb", upload, makeZip(t, zipEntry{name: "report.json", data: good}, zipEntry{name: "report.md", data: huge}), http.StatusBadRequest},
		{"no report", upload, makeZip(t, zipEntry{name: "README.txt", data: []byte("hi")}), http.StatusBadRequest},
		{"bad json", upload, makeZip(t, zipEntry{name: "report.json", data: []byte(`{"schema":"logindoctor/report/v1",`)}), http.StatusBadRequest},
		{"other schema", upload, makeZip(t, zipEntry{name: "report.json", data: []byte(`{"schema":"logindoctor/report/v9"}`)}), http.StatusBadRequest},
		{"bad id", upload, makeZip(t, zipEntry{name: "report.json", data: bytes.Replace(good, []byte(`"report_id": "LD-`), []byte(`"report_id": "../LD-`), 1)}), http.StatusBadRequest},
		{"screenshot not PNG", upload, makeZip(t, zipEntry{name: "report.json", data: good}, zipEntry{name: "screenshot.png", data: []byte("<svg onload=alert(1)>")}), http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			if code, body := ts.do(t, http.MethodPost, "/api/v1/reports", c.auth, c.body); code != c.want {
				t.Fatalf("%d %s, want %d", code, body, c.want)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("refused uploads left %d entries in the inbox", len(entries))
	}
	if !bytes.Contains(good, []byte(`"report_id": "LD-`)) {
		t.Errorf("the bad-id case did not change the id: report.json has another layout")
	}
}

func TestServeInboxNeedsAToken(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, env string }{{"no flag", ""}, {"unset", "LD_NOTHING"}, {"short", "LD_SHORT"}} {
		_, err := newInbox(dir, c.env, "", func(k string) string { return map[string]string{"LD_SHORT": "abc"}[k] })
		if err == nil || exitCode(err) != exitUsage {
			t.Errorf("%s: %v, want a configuration error", c.name, err)
		}
	}
}
