package report

import (
	"crypto/rand"
	"strings"
)

// idAlphabet has no characters people confuse when reading an id aloud
// (no 0/O, 1/I/L).
const idAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// idLength is the number of random characters after "LD-".
const idLength = 6

// NewReportID returns a fresh report id such as "LD-7K3QX9", drawn from
// crypto/rand without modulo bias.
func NewReportID() string {
	// The largest multiple of len(idAlphabet) that fits a byte; bytes at
	// or above it are drawn again so every character is equally likely.
	limit := byte(256 - 256%len(idAlphabet))
	out := make([]byte, 0, idLength)
	buf := make([]byte, 16)
	for len(out) < idLength {
		rand.Read(buf) // never fails (crypto/rand panics on a broken source)
		for _, b := range buf {
			if b < limit && len(out) < idLength {
				out = append(out, idAlphabet[int(b)%len(idAlphabet)])
			}
		}
	}
	return "LD-" + string(out)
}

// ValidReportID reports whether id has the form NewReportID makes.
func ValidReportID(id string) bool {
	if len(id) != 3+idLength || id[:3] != "LD-" {
		return false
	}
	for i := 3; i < len(id); i++ {
		if strings.IndexByte(idAlphabet, id[i]) < 0 {
			return false
		}
	}
	return true
}
