package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

// screenshotCheck fails and attaches a screenshot, as browser.page does,
// without a browser.
type screenshotCheck struct{ png []byte }

func (screenshotCheck) Info() checks.Info {
	return checks.Info{ID: "test.screenshot", Stage: checks.StageBrowser}
}

func (c screenshotCheck) Run(context.Context, *checks.Env, checks.Deps) checks.Result {
	r := checks.Finding(checks.StatusFail, "BROWSER_NO_LOGIN_FORM", checks.SeverityCritical, checks.OwnerAdmin,
		"no login form").WithParam("host", "127.0.0.1").WithParam("selector", "input[type=password]")
	r.Attachments = []checks.Attachment{{Name: "screenshot.png", MIME: "image/png", Data: c.png}}
	return r
}

// captureInbox is a loopback inbox that keeps every bundle POSTed to it
// and answers status.
type captureInbox struct {
	mu      sync.Mutex
	bundles [][]byte
}

func startCaptureInbox(t *testing.T, status int) (*captureInbox, string) {
	t.Helper()
	c := &captureInbox{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bundles = append(c.bundles, body)
		c.mu.Unlock()
		w.WriteHeader(status)
		if status == http.StatusCreated {
			_, _ = w.Write([]byte(`{"url":"/reports/x"}`))
		}
	}))
	t.Cleanup(ts.Close)
	return c, ts.URL
}

func (c *captureInbox) only(t *testing.T) []byte {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bundles) != 1 {
		t.Fatalf("the inbox got %d bundles, want 1", len(c.bundles))
	}
	return c.bundles[0]
}

// zipEntries counts the bundle's files by name.
func zipEntries(t *testing.T, data []byte) map[string]int {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	n := map[string]int{}
	for _, f := range zr.File {
		n[f.Name]++
	}
	return n
}

// TestBundleIsBuiltOnce: a failing staff run that writes --bundle and
// sends the bundle to the inbox (or, when the inbox refuses it, saves it
// on the desktop) builds it once: the file, the upload and the desktop
// copy are the same bytes, with the screenshot in it once.
func TestBundleIsBuiltOnce(t *testing.T) {
	png := bytes.Repeat([]byte("\x89PNG screenshot "), 4096)
	for _, c := range []struct {
		name        string
		status      int
		bundle      bool
		wantDesktop bool
	}{
		{"upload and --bundle", http.StatusCreated, true, false},
		{"refused upload and --bundle", http.StatusServiceUnavailable, true, false},
		{"refused upload, saved on the desktop", http.StatusServiceUnavailable, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			inbox, base := startCaptureInbox(t, c.status)
			home := t.TempDir()
			profile := filepath.Join(t.TempDir(), "profile.yaml")
			yaml := "helpdesk:\n  upload_url: " + base + "\n  token_env: LD_UPLOAD_TOKEN\n"
			if err := os.WriteFile(profile, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			ios, _, errOut := ttyStreams(map[string]string{"HOME": home, "NO_COLOR": "1", "LD_UPLOAD_TOKEN": testUploadToken}, "")
			args := []string{"https://127.0.0.1:9/login", "--config", profile}
			path := filepath.Join(t.TempDir(), "ticket.zip")
			if c.bundle {
				args = append(args, "--bundle", path)
			}
			builds := new(atomic.Int32)
			code := runWith(t, ios, func(a *app) {
				reg, err := checks.NewRegistry(screenshotCheck{png: png})
				if err != nil {
					t.Fatal(err)
				}
				a.registry = reg
				a.bundleBuilds = builds
			}, args...)
			if code != exitFail {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			if n := builds.Load(); n != 1 {
				t.Errorf("the bundle was built %d times, want 1", n)
			}
			sent := inbox.only(t)
			var copies [][]byte
			if c.bundle {
				file, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				copies = append(copies, file)
			}
			saved := savedBundles(t, home)
			if c.wantDesktop != (len(saved) == 1) || len(saved) > 1 {
				t.Fatalf("saved on the desktop: %v\n%s", saved, errOut)
			}
			for _, p := range saved {
				file, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				copies = append(copies, file)
			}
			for _, file := range copies {
				if !bytes.Equal(file, sent) {
					t.Errorf("the saved bundle (%d bytes) differs from the uploaded one (%d bytes)", len(file), len(sent))
				}
			}
			if n := zipEntries(t, sent)["screenshot.png"]; n != 1 {
				t.Errorf("the bundle holds the screenshot %d times, want 1", n)
			}
		})
	}
}
