package browser

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// maxCAFile bounds how much of ca_file is read.
const maxCAFile = 4 << 20

// trustCA makes Chromium trust ca_file's roots the way the system would,
// without masking expiry or hostname errors (which an SPKI allow-list
// would): a private HOME whose NSS database is a copy of the user's, plus
// the roots. It returns that HOME ("" if not applied) and a note for the
// evidence saying what happened.
func trustCA(ctx context.Context, caFile, root, realHome, certutilName string) (home, note string) {
	if runtime.GOOS != "linux" {
		return "", "ca_file could not be applied to the browser on " + runtime.GOOS + ": install the CA in the system certificate store"
	}
	certutil, err := exec.LookPath(certutilName)
	if err != nil {
		return "", "ca_file could not be applied to the browser: certutil not found (install libnss3-tools)"
	}
	ders, err := readPEMCerts(caFile)
	if err != nil {
		return "", "ca_file could not be applied to the browser: " + err.Error()
	}
	home = filepath.Join(root, "home")
	db := filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(db, 0o700); err != nil {
		return "", "ca_file could not be applied to the browser: " + err.Error()
	}
	if !copyNSSDB(filepath.Join(realHome, ".pki", "nssdb"), db) {
		if out, err := exec.CommandContext(ctx, certutil, "-d", "sql:"+db, "-N", "--empty-password").CombinedOutput(); err != nil {
			return "", fmt.Sprintf("ca_file could not be applied to the browser: certutil -N: %v: %s", err, clip(string(out), 200))
		}
	}
	for i, der := range ders {
		f := filepath.Join(root, fmt.Sprintf("ca-%d.pem", i))
		if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			return "", "ca_file could not be applied to the browser: " + err.Error()
		}
		out, err := exec.CommandContext(ctx, certutil, "-d", "sql:"+db, "-A", "-t", "C,,",
			"-n", fmt.Sprintf("logindoctor-ca-%d", i), "-i", f).CombinedOutput()
		if err != nil {
			return "", fmt.Sprintf("ca_file could not be applied to the browser: certutil -A: %v: %s", err, clip(string(out), 200))
		}
	}
	return home, fmt.Sprintf("ca_file trusted by the browser for this run (%d certificate(s), private NSS database)", len(ders))
}

// readPEMCerts returns the DER certificates of a PEM file.
func readPEMCerts(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading ca_file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCAFile))
	if err != nil {
		return nil, fmt.Errorf("reading ca_file: %w", err)
	}
	var ders [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			ders = append(ders, b.Bytes)
		}
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("no certificate in ca_file %s", filepath.Base(path))
	}
	return ders, nil
}

// copyNSSDB copies the user's NSS database (so company CAs installed there
// keep working); false if there is none.
func copyNSSDB(from, to string) bool {
	if _, err := os.Stat(filepath.Join(from, "cert9.db")); err != nil {
		return false
	}
	for _, name := range []string{"cert9.db", "key4.db", "pkcs11.txt"} {
		data, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			if name == "pkcs11.txt" {
				continue
			}
			return false
		}
		if err := os.WriteFile(filepath.Join(to, name), data, 0o600); err != nil {
			return false
		}
	}
	return true
}
