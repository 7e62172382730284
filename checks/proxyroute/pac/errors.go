package pac

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ErrTimeout means the script did not finish within the evaluation time
// limit (an endless loop, or a helper stuck on DNS).
var ErrTimeout = errors.New("PAC evaluation timed out")

// ErrTooLarge means the script is bigger than the size limit; callers that
// fetch scripts wrap it too, so that a huge download stops at the limit.
var ErrTooLarge = errors.New("PAC file is larger than the limit")

// TimeoutError is ErrTimeout with the limit that was hit.
type TimeoutError struct {
	Limit time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("PAC evaluation timed out: the script ran longer than %v", e.Limit)
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// TooLargeError is ErrTooLarge with the sizes involved.
type TooLargeError struct {
	Size  int64 // -1 when unknown (the reader stopped at Limit+1 bytes)
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return "the PAC file is larger than the " + ByteSize(e.Limit) + " limit"
	}
	return "the PAC file is " + ByteSize(e.Size) + ", larger than the " + ByteSize(e.Limit) + " limit"
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ByteSize renders n as "1 MiB", "1.5 MiB", "512 KiB" or "100 bytes".
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ErrMemoryLimit means the script allocated more memory than allowed.
var ErrMemoryLimit = errors.New("PAC script used too much memory")

// Kinds of ScriptError.
const (
	KindSyntax        = "syntax"         // the script does not compile
	KindException     = "exception"      // it threw while loading or running
	KindNoFunction    = "no_function"    // FindProxyForURL(Ex) is not defined
	KindStackOverflow = "stack_overflow" // runaway recursion
	KindMemory        = "memory"         // it allocated beyond the memory guard
	KindBadResult     = "bad_result"     // the returned value is not a valid PAC result
	KindTooComplex    = "too_complex"    // nesting too deep to parse safely
)

// ScriptError is a broken PAC script: it does not compile, throws, recurses
// without end, allocates without end or returns something that is not a
// valid proxy list.
type ScriptError struct {
	Kind    string
	Message string // bounded, printable; never longer than maxMessage
	Err     error  // the underlying cause, if any (ErrMemoryLimit, *ResultError)
}

func (e *ScriptError) Error() string {
	return "PAC script error (" + e.Kind + "): " + e.Message
}

// Unwrap returns the cause.
func (e *ScriptError) Unwrap() error { return e.Err }

// ResultError is a FindProxyForURL return value that does not follow the
// PAC result grammar.
type ResultError struct {
	Result string // the offending value, shortened
	Reason string
}

func (e *ResultError) Error() string {
	return fmt.Sprintf("invalid PAC result %q: %s", e.Result, e.Reason)
}

// maxMessage bounds every message taken from a script: a script may throw
// a megabyte-long string.
const maxMessage = 200

// clip makes s printable and at most maxMessage bytes long.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, s)
	if len(s) > maxMessage {
		cut := maxMessage
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
