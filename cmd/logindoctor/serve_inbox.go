package main

// The helpdesk inbox of `logindoctor serve --inbox DIR`: ticket bundles
// (the zip of `--bundle`) arrive by POST /api/v1/reports with a bearer
// token, are validated whole before anything is stored, and are kept as
// DIR/LD-XXXXXX/. GET /reports lists them and GET /reports/LD-XXXXXX shows
// one, re-rendered from its report.json: a bundle's own HTML and Markdown
// are stored for the record but never served, so an upload cannot put
// markup or script in front of the helpdesk.

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Inbox limits.
const (
	// maxBundleBytes bounds an upload (a bundle with a screenshot is a
	// few hundred KiB).
	maxBundleBytes = 20 << 20
	// maxBundleFileBytes bounds one uncompressed file of a bundle, and
	// maxBundleTotalBytes all of them (a zip bomb stops here).
	maxBundleFileBytes  = 16 << 20
	maxBundleTotalBytes = 40 << 20
)

// inboxFileNames are the names a ticket bundle may hold (see bundle.go);
// report.json is required.
var inboxFileNames = []string{"report.json", "report.html", "report.md", "environment.json", "README.txt", "screenshot.png"}

// errUnauthorized: no token, or the wrong one.
var errUnauthorized = errors.New("a valid token is required")

// inbox stores and shows ticket bundles.
type inbox struct {
	dir string
	// upload and read are the SHA-256 of the tokens (compared in
	// constant time, of equal length whatever the token's).
	upload, read [32]byte
}

// newInbox checks the directory and reads the tokens from the
// environment variables named by the flags; an inbox without a token is
// refused.
func newInbox(dir, uploadEnv, readEnv string, getenv func(string) string) (*inbox, error) {
	if uploadEnv == "" {
		return nil, configErrorf("--inbox needs --inbox-token-env: the name of the environment variable holding the upload token")
	}
	up := strings.TrimSpace(getenv(uploadEnv))
	if len(up) < 16 {
		return nil, configErrorf("environment variable %s (the inbox upload token) is unset or shorter than 16 characters", uploadEnv)
	}
	rd := up
	if readEnv != "" {
		rd = strings.TrimSpace(getenv(readEnv))
		if len(rd) < 16 {
			return nil, configErrorf("environment variable %s (the inbox read token) is unset or shorter than 16 characters", readEnv)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, configErrorf("--inbox %s: %v", dir, err)
	}
	return &inbox{dir: dir, upload: sha256.Sum256([]byte(up)), read: sha256.Sum256([]byte(rd))}, nil
}

// authorized accepts "Authorization: Bearer TOKEN", or Basic with the
// token as the password (what a browser can send for the pages).
func authorized(r *http.Request, want [32]byte) bool {
	token := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	} else if _, pw, ok := r.BasicAuth(); ok {
		token = pw
	}
	if token == "" {
		return false
	}
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func (s *server) handleUpload(w http.ResponseWriter, r *http.Request) {
	if !authorized(r, s.inbox.upload) {
		s.metrics.inboxUploads.WithLabelValues("unauthorized").Inc()
		w.Header().Set("WWW-Authenticate", `Bearer realm="logindoctor inbox"`)
		http.Error(w, errUnauthorized.Error(), http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBundleBytes))
	if err != nil {
		s.metrics.inboxUploads.WithLabelValues("too_large").Inc()
		http.Error(w, fmt.Sprintf("bundle larger than %d MiB", maxBundleBytes>>20), http.StatusRequestEntityTooLarge)
		return
	}
	b, err := readBundle(body)
	if err != nil {
		s.metrics.inboxUploads.WithLabelValues("invalid").Inc()
		http.Error(w, "bundle refused: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.inbox.store(b); err != nil {
		if errors.Is(err, os.ErrExist) {
			s.metrics.inboxUploads.WithLabelValues("duplicate").Inc()
			http.Error(w, "report "+b.id+" is already in the inbox", http.StatusConflict)
			return
		}
		s.metrics.inboxUploads.WithLabelValues("error").Inc()
		s.log.Error("inbox: cannot store a bundle", "report_id", b.id, "error", err)
		http.Error(w, "cannot store the bundle", http.StatusInternalServerError)
		return
	}
	s.metrics.inboxUploads.WithLabelValues("stored").Inc()
	s.log.Info("inbox: report received", "report_id", b.id)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", "/reports/"+b.id)
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"report_id": b.id, "url": "/reports/" + b.id})
}

// bundle is a validated upload: its files by name and its report id.
type bundle struct {
	id    string
	files map[string][]byte
}

// readBundle validates a zip: only inboxFileNames' names, each once, plain
// files (no directories, no symlinks, no paths), bounded uncompressed
// sizes, a report.json that ReadJSON accepts with a valid report id, and a
// screenshot that is a PNG.
func readBundle(data []byte) (*bundle, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errors.New("not a zip file")
	}
	b := &bundle{files: map[string][]byte{}}
	var total int64
	for _, f := range zr.File {
		if !slices.Contains(inboxFileNames, f.Name) {
			return nil, fmt.Errorf("unexpected file %q (a bundle holds %s)", truncateName(f.Name), strings.Join(inboxFileNames, ", "))
		}
		if !f.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a plain file", f.Name)
		}
		if _, dup := b.files[f.Name]; dup {
			return nil, fmt.Errorf("%s appears twice", f.Name)
		}
		if f.UncompressedSize64 > maxBundleFileBytes {
			return nil, fmt.Errorf("%s is larger than %d MiB", f.Name, maxBundleFileBytes>>20)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f.Name, err)
		}
		content, err := io.ReadAll(io.LimitReader(rc, maxBundleFileBytes+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f.Name, err)
		}
		if len(content) > maxBundleFileBytes {
			return nil, fmt.Errorf("%s is larger than %d MiB", f.Name, maxBundleFileBytes>>20)
		}
		if total += int64(len(content)); total > maxBundleTotalBytes {
			return nil, fmt.Errorf("the bundle unpacks to more than %d MiB", maxBundleTotalBytes>>20)
		}
		b.files[f.Name] = content
	}
	raw, ok := b.files["report.json"]
	if !ok {
		return nil, errors.New("report.json is missing")
	}
	rep, err := readReport(raw)
	if err != nil {
		return nil, err
	}
	b.id = rep.ReportID
	if png, ok := b.files["screenshot.png"]; ok && !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		return nil, errors.New("screenshot.png is not a PNG image")
	}
	return b, nil
}

// truncateName keeps an uploaded file name short in error messages.
func truncateName(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// store writes the bundle to DIR/ID atomically: into a temporary
// directory beside it, renamed into place. An id already there is
// os.ErrExist.
func (in *inbox) store(b *bundle) error {
	final := filepath.Join(in.dir, b.id)
	if _, err := os.Lstat(final); err == nil {
		return os.ErrExist
	}
	tmp, err := os.MkdirTemp(in.dir, ".upload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, data := range b.files {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o600); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o700); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		if _, statErr := os.Lstat(final); statErr == nil {
			return os.ErrExist
		}
		return err
	}
	return nil
}
