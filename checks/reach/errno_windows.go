//go:build windows

package reach

import (
	"errors"
	"syscall"
)

// Winsock error numbers (winerror.h); Go's syscall names only some.
const (
	wsaECONNREFUSED syscall.Errno = 10061
	wsaECONNRESET   syscall.Errno = 10054
	wsaECONNABORTED syscall.Errno = 10053
	wsaEHOSTUNREACH syscall.Errno = 10065
	wsaENETUNREACH  syscall.Errno = 10051
	wsaEHOSTDOWN    syscall.Errno = 10064
	wsaENETDOWN     syscall.Errno = 10050
	wsaETIMEDOUT    syscall.Errno = 10060
	wsaEACCES       syscall.Errno = 10013
)

func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

func isRefused(err error) bool { return isAny(err, syscall.ECONNREFUSED, wsaECONNREFUSED) }

func isReset(err error) bool {
	return isAny(err, syscall.ECONNRESET, syscall.ECONNABORTED, wsaECONNRESET, wsaECONNABORTED)
}

func isUnreachable(err error) bool {
	return isAny(err, syscall.EHOSTUNREACH, syscall.ENETUNREACH, wsaEHOSTUNREACH, wsaENETUNREACH, wsaEHOSTDOWN, wsaENETDOWN)
}

func isTimedOut(err error) bool { return isAny(err, syscall.ETIMEDOUT, wsaETIMEDOUT) }

func isBlockedLocally(err error) bool { return isAny(err, syscall.EACCES, wsaEACCES) }
