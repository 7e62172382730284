package main

import (
	"context"
	"errors"
	"fmt"
)

// The exit codes (README: Exit codes).
const (
	exitPass   = 0 // verdict pass (warnings allowed unless --strict)
	exitFail   = 1 // verdict fail (or warn with --strict / --fail-on)
	exitUsage  = 2 // usage or configuration error
	exitBroken = 3 // the tool itself failed
)

// verdictError carries a run whose findings fail it (exit 1).
type verdictError struct{ reason string }

func (e *verdictError) Error() string { return e.reason }

// interruptedError is a run cancelled by Ctrl-C, SIGTERM or SIGHUP
// (exit 3); the interruption was already said in the user's language.
type interruptedError struct{ cause error }

func (e *interruptedError) Error() string { return fmt.Sprintf("interrupted (%v)", e.cause) }
func (e *interruptedError) Unwrap() error { return context.Canceled }

// usageError is a bad command line (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitCode maps an error returned by a command to the process exit code.
// It is the only place that decides exit codes.
func exitCode(err error) int {
	var (
		ve *verdictError
		ce *configError
		ue *usageError
	)
	switch {
	case err == nil:
		return exitPass
	case errors.As(err, &ve):
		return exitFail
	case errors.As(err, &ce), errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitBroken
	}
	return exitBroken
}
