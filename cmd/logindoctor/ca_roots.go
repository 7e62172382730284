package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"time"
)

// caRoots builds the trusted roots a ca_file gives a run: the system's
// plus the file's, and the file's alone. serve asks for them on every
// probe, so they are kept while the file's size and modification time stay
// the same; a changed file is read again. The pools are only read once
// built, so runs share them.
type caRoots struct {
	mu     sync.Mutex
	byPath map[string]caEntry
}

type caEntry struct {
	size         int64
	mod          time.Time
	roots, extra *x509.CertPool
}

// load returns path's roots (system + file) and the file's alone (a nil
// c keeps nothing).
func (c *caRoots) load(path string) (roots, extra *x509.CertPool, err error) {
	if c == nil {
		c = &caRoots{}
	}
	fi, statErr := os.Stat(path)
	if statErr == nil {
		c.mu.Lock()
		e, ok := c.byPath[path]
		c.mu.Unlock()
		if ok && e.size == fi.Size() && e.mod.Equal(fi.ModTime()) {
			return e.roots, e.extra, nil
		}
	}
	pem, err := readRegular(path, maxCAFileBytes)
	if err != nil {
		return nil, nil, err
	}
	extra = x509.NewCertPool()
	if !extra.AppendCertsFromPEM(pem) {
		return nil, nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	roots, err = x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	roots.AppendCertsFromPEM(pem)
	if statErr == nil {
		c.mu.Lock()
		if c.byPath == nil {
			c.byPath = map[string]caEntry{}
		}
		c.byPath[path] = caEntry{size: fi.Size(), mod: fi.ModTime(), roots: roots, extra: extra}
		c.mu.Unlock()
	}
	return roots, extra, nil
}
