package dnsresolve

// SystemNameservers lists the DNS servers the operating system itself
// uses, as host:53: on Windows those of the network adapters that are up
// (GetAdaptersAddresses); elsewhere an error (resolv.conf is the list).
// The CLI's ticket bundle reports them as an environment fact.
func SystemNameservers() ([]string, error) { return osNameservers() }
