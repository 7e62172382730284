//go:build !windows

package dnsresolve

import "errors"

// osNameservers: on Unix the nameservers come from resolv.conf.
func osNameservers() ([]string, error) {
	return nil, errors.New("no OS nameserver list on this system: resolv.conf is read instead")
}
