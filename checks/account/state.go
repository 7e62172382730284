package account

import (
	"errors"
	"net/http"
	"time"
)

// Kind is the account's state as far as logging in goes.
type Kind string

// The kinds. The generic provider's account.generic.states map values to
// these names.
const (
	KindActive          Kind = "active"
	KindNotFound        Kind = "not_found"
	KindDisabled        Kind = "disabled"
	KindLocked          Kind = "locked"
	KindPasswordExpired Kind = "password_expired"
	KindMustChange      Kind = "must_change_password"
	// KindNotActivated: the account exists but its first sign-in
	// (activation, initial password) has not happened yet.
	KindNotActivated Kind = "not_activated"
	// KindStaged: the account exists but the administrator has not
	// activated it yet (nothing the user can do).
	KindStaged Kind = "staged"
)

// GenericStates lists the state names account.generic.states may use.
func GenericStates() []Kind {
	return []Kind{KindActive, KindNotFound, KindDisabled, KindLocked, KindPasswordExpired, KindMustChange, KindNotActivated}
}

// Tri is a fact that may be unknown.
type Tri int

// The values of Tri; the zero value is unknown.
const (
	Unknown Tri = iota
	Yes
	No
)

// State is what a provider's API says about one account.
type State struct {
	Kind Kind
	// Raw is the provider's own word for the state ("LOCKED_OUT",
	// "enabled=false", "status=2").
	Raw string
	// Reason is a short machine word for how Kind was reached ("frozen",
	// "suspended", "brute_force").
	Reason string

	LockedSince   time.Time
	UnlockAt      time.Time // zero: unknown or only an administrator can unlock
	Failures      int       // wrong passwords in a row; 0: unknown
	LastFailure   time.Time
	LastFailureIP string

	// PasswordExpires is when the password expires (zero: never or
	// unknown); NotifyDays is the provider's warning window in days.
	PasswordExpires time.Time
	NotifyDays      int
	// SelfServiceReset says whether the user can reset the password alone.
	SelfServiceReset Tri
	// MFAEnrolled says whether a second factor is set up.
	MFAEnrolled Tri

	// LoginAs is, for KindNotFound, the login name of the one account
	// that the typed name matched by another attribute (e-mail, employee
	// number…): "log in as zhang.san". Empty when none or several matched.
	LoginAs string
	// AccountExpires is when a disabled account expired (zero: it was
	// switched off, not expired).
	AccountExpires time.Time
	// GraceLeft is how many logins with the expired password remain; only
	// meaningful when GraceKnown.
	GraceLeft  int
	GraceKnown bool
	// Admin overrides the provider's display name ("Active Directory").
	Admin string

	// Facts are extra evidence (never secrets).
	Facts map[string]any
}

func (s *State) fact(k string, v any) {
	if s.Facts == nil {
		s.Facts = map[string]any{}
	}
	s.Facts[k] = v
}

// Errors a Provider returns (wrapped); the check turns them into
// ACCOUNT_API_AUTH or ACCOUNT_API_UNREACHABLE.
var (
	ErrAPIAuth        = errors.New("the account API refused the token")
	ErrAPIUnreachable = errors.New("the account API cannot be reached")
	ErrAPITimeout     = errors.New("the account API did not answer in time")
	ErrAPIServer      = errors.New("the account API had a server error")
	ErrBadResponse    = errors.New("the account API's answer cannot be used")
	ErrUnmapped       = errors.New("the account API gave a state that account.generic.states does not map")
)

// HTTPError carries the HTTP status of a refused or failed API call.
type HTTPError struct {
	Status int
	Err    error // one of the Err… sentinels
}

func (e *HTTPError) Error() string { return http.StatusText(e.Status) + ": " + e.Err.Error() }

// Unwrap returns the sentinel.
func (e *HTTPError) Unwrap() error { return e.Err }
