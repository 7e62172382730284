package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// outputKind is how a report or bundle reaches its path.
type outputKind int

const (
	// outputReplace: a regular file, or none yet: written atomically.
	outputReplace outputKind = iota
	// outputStream: a character device or named pipe: written in place.
	outputStream
)

// isStream reports whether m is a character device or a named pipe.
func isStream(m fs.FileMode) bool {
	return m&fs.ModeCharDevice != 0 || m&fs.ModeNamedPipe != 0
}

// classifyOutput decides how path may be written, or why it may not.
func classifyOutput(path string) (outputKind, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return outputReplace, nil // a new file: checkWritableDir looks at its folder
	}
	if err != nil {
		return 0, pathCause(err)
	}
	m := st.Mode()
	switch {
	case m&fs.ModeSymlink != 0:
		// A link is written through only to a device or pipe (/dev/stdout): replacing it would break
		// the link, and writing through it to a file lets whoever made the link choose what we overwrite.
		if t, err := os.Stat(path); err == nil && isStream(t.Mode()) {
			return outputStream, nil
		}
		return 0, errors.New("it is a symbolic link: give the path of the file itself")
	case isStream(m):
		return outputStream, nil
	case m.IsRegular():
		return outputReplace, nil
	}
	return 0, fmt.Errorf("it is %s, not a file", fileKind(m))
}

// checkOutputPath validates --output or --bundle before the run, so that a
// long diagnosis is never thrown away at the end: the path must be
// something classifyOutput accepts and, unless it is a device or pipe, its
// folder must exist and accept a new file.
func checkOutputPath(flag, path string) error {
	if path == "" {
		return nil
	}
	kind, err := classifyOutput(path)
	if err != nil {
		return &usageError{err: fmt.Errorf("--%s %s: %w", flag, path, err)}
	}
	if kind == outputStream {
		return nil
	}
	if err := checkWritableDir(filepath.Dir(path)); err != nil {
		return &usageError{err: fmt.Errorf("--%s %s: %w", flag, path, err)}
	}
	return nil
}

// checkWritableDir requires dir to be a folder in which a file can be
// created, by creating (and removing) one: permission bits do not tell
// about read-only file systems, ACLs or root.
func checkWritableDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("the folder %s does not exist", dir)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	f, err := os.CreateTemp(dir, ".logindoctor-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write in the folder %s: %w", dir, pathCause(err))
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("cannot write in the folder %s: %w", dir, err)
	}
	return nil
}

// pathCause is the system's reason inside a *fs.PathError (without the
// probe file's name), or err itself.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
