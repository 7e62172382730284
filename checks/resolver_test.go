package checks

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// fakeResolver answers from a map; a name not in it is an error.
type fakeResolver map[string][]net.IPAddr

func (f fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	a, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return a, nil
}

// TestDialerResolvesThroughEnvResolver: the run's dialer asks env.Resolver
// even when it is not a *net.Resolver, tries its addresses in turn, keeps
// to the network's family and reports a name that does not resolve.
func TestDialerResolvesThroughEnvResolver(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	env := NewEnv(Target{})
	env.Resolver = fakeResolver{
		"crm.test":  {{IP: net.ParseIP("::1")}, {IP: net.ParseIP("127.0.0.1")}},
		"v6.test":   {{IP: net.ParseIP("::1")}},
		"dead.test": {{IP: net.ParseIP("127.0.0.2")}, {IP: net.ParseIP("127.0.0.1")}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	c, err := env.Dialer.DialContext(ctx, "tcp4", "crm.test:"+port)
	if err != nil {
		t.Fatalf("dial crm.test over tcp4: %v", err)
	}
	if got := c.RemoteAddr().String(); got != "127.0.0.1:"+port {
		t.Errorf("connected to %s, want the IPv4 address", got)
	}
	c.Close()

	// Nothing listens on 127.0.0.2 (the listener is on 127.0.0.1 only).
	if c, err := env.Dialer.DialContext(ctx, "tcp", "dead.test:"+port); err != nil {
		t.Errorf("the second address was not tried: %v", err)
	} else {
		c.Close()
	}

	var dnsErr *net.DNSError
	if _, err := env.Dialer.DialContext(ctx, "tcp", "gone.test:"+port); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("gone.test: %v, want the resolver's not-found error", err)
	}
	if _, err := env.Dialer.DialContext(ctx, "tcp4", "v6.test:"+port); !errors.As(err, &dnsErr) {
		t.Errorf("v6.test over tcp4: %v, want a DNS error (no IPv4 address)", err)
	}
}
