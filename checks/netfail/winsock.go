package netfail

import "syscall"

// Winsock error numbers (winerror.h). Windows reports socket errors with
// these, and Go's syscall names only some of them. The table is compiled
// on every system so that it can be tested everywhere; only the Windows
// build reads errors with it.
const (
	wsaEACCES       syscall.Errno = 10013
	wsaENETDOWN     syscall.Errno = 10050
	wsaENETUNREACH  syscall.Errno = 10051
	wsaECONNABORTED syscall.Errno = 10053
	wsaECONNRESET   syscall.Errno = 10054
	wsaETIMEDOUT    syscall.Errno = 10060
	wsaECONNREFUSED syscall.Errno = 10061
	wsaEHOSTDOWN    syscall.Errno = 10064
	wsaEHOSTUNREACH syscall.Errno = 10065
)

// winsockKind reads a Winsock error number.
func winsockKind(errno syscall.Errno) (Kind, bool) {
	switch errno {
	case wsaECONNREFUSED:
		return KindRefused, true
	case wsaECONNRESET, wsaECONNABORTED:
		return KindReset, true
	case wsaETIMEDOUT:
		return KindTimeout, true
	case wsaEHOSTUNREACH, wsaENETUNREACH, wsaEHOSTDOWN, wsaENETDOWN:
		return KindNoRoute, true
	case wsaEACCES:
		return KindFirewall, true
	}
	return "", false
}
