package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxCAFileBytes bounds ca_file: a bundle of every public root CA is about
// 200 KiB.
const maxCAFileBytes = 4 << 20

// openRegular opens path for reading if it is a regular file. A named pipe,
// device or directory given as a profile, CA file, token file or saved
// report would otherwise block in open() until someone writes to it (where
// Ctrl-C cannot reach), or be read without end.
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file", path, fileKind(st.Mode()))
	}
	return os.Open(path)
}

// readRegular reads the regular file at path, refusing one larger than
// limit bytes.
func readRegular(path string, limit int64) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d KiB", path, limit>>10)
	}
	return data, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return "a device"
	}
	return "a special file"
}
