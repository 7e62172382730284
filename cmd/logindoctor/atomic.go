package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// streamWriteTimeout bounds a write to a device or pipe when the caller
// has no deadline of its own (a reader that never reads must not hang us).
const streamWriteTimeout = 10 * time.Second

// writeFileAtomic writes data to path as writeOutput does, under
// streamWriteTimeout.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	ctx, cancel := context.WithTimeout(context.Background(), streamWriteTimeout)
	defer cancel()
	return writeOutput(ctx, path, data, perm)
}

// writeOutput writes data to path: a regular file (or a new one) through a
// temporary file in the same directory and a rename, so a reader never sees
// half a report; a character device or named pipe (/dev/null, /dev/stdout)
// in place, never replaced. perm is filtered by the umask. It refuses what
// checkOutputPath refuses, checked again now since the run took a while.
func writeOutput(ctx context.Context, path string, data []byte, perm os.FileMode) error {
	kind, err := classifyOutput(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if kind == outputStream {
		return writeStream(ctx, path, data)
	}
	return replaceFile(path, data, perm)
}

// replaceFile is the atomic write of a regular file.
func replaceFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := createTemp(path, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	defer func() { _ = os.Remove(name) }() // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// createTemp creates a fresh hidden file beside path with mode perm, which
// the kernel filters through the umask (os.CreateTemp would force 0600, and
// a chmod afterwards would ignore the umask).
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	prefix := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	for range 100 {
		name := prefix + strconv.FormatUint(rand.Uint64(), 36)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot create a temporary file")
}

// writeStream writes data into a device or pipe that exists, without
// creating or truncating anything, and gives up when ctx ends. The pipe is
// opened non-blocking: open() would otherwise wait, out of Ctrl-C's reach,
// for a reader that may never come.
func writeStream(ctx context.Context, path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w (is anyone reading it?)", path, err)
	}
	defer f.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = f.SetWriteDeadline(dl) // not every device supports deadlines; those do not block
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
