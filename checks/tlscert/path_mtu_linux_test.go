//go:build linux

package tlscert_test

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/tlscert"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/netns"
)

// Ports of the path-MTU test inside its own namespace: packets of the
// black-holed server longer than mtuDropFrom bytes are dropped; the
// control server's are not.
const (
	mtuPort     = "8443"
	controlPort = "8444"
	mtuDropFrom = "1300"
)

// TestPathMTUBlackHole: in a namespace whose loopback behaves like a
// 1500-byte link, a server whose large packets are dropped (a path-MTU
// black hole) stalls the handshake; the retry with a small MSS completes
// it, and the finding is NET_PATH_MTU naming the host and the size that
// works. The same server without the drop rule passes.
func TestPathMTUBlackHole(t *testing.T) {
	if netns.Inside() {
		innerPathMTU(t)
		return
	}
	netns.Require(t, "ip", "iptables")
	ns := netns.New(t)
	ns.Run(t, "ip", "link", "set", "dev", "lo", "mtu", "1500", "gso_max_segs", "1")
	ns.Run(t, "iptables", "-A", "OUTPUT", "-p", "tcp", "--sport", mtuPort,
		"-m", "length", "--length", mtuDropFrom+":65535", "-j", "DROP")
	ns.Exec(t, t.Name())
}

// innerPathMTU is the part of TestPathMTUBlackHole that runs inside the
// namespace.
func innerPathMTU(t *testing.T) {
	f := newFactory(t)
	// An RSA-2048 leaf makes the server's first flight about 2 kB.
	c, err := f.Inter.Leaf(certs.LeafSpec{Hosts: []string{"127.0.0.1"}, NotBefore: f.Now.Add(-time.Hour), NotAfter: f.Now.AddDate(0, 1, 0), RSA: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			holed := startCRM(t, crm.Options{Listen: "127.0.0.1:" + mtuPort, Cert: &c, MaxTLSVersion: v})
			control := startCRM(t, crm.Options{Listen: "127.0.0.1:" + controlPort, Cert: &c, MaxTLSVersion: v})

			res := runFor(t, envFor(t, control.URL(), f), 4*time.Second)
			if res.Code != checks.CodeOK {
				t.Fatalf("control server: got %s (%s)", res.Code, res.Summary)
			}
			res = runFor(t, envFor(t, holed.URL(), f), 4*time.Second)
			if res.Status != checks.StatusFail || res.Code != tlscert.CodePathMTU || res.Owner != checks.OwnerIT {
				t.Fatalf("got %s/%s owner %s (%s)", res.Status, res.Code, res.Owner, res.Summary)
			}
			if res.Params["host"] != "127.0.0.1" || res.Params["mss"] != "1000" {
				t.Errorf("params %v", res.Params)
			}
			if res.Evidence["small_packet_verdict"] != checks.CodeOK || res.Evidence["working_mss"] != 1000 {
				t.Errorf("evidence %v", res.Evidence)
			}
		})
	}
}

// runFor runs tls.certificate under a deadline of d.
func runFor(t *testing.T, env *checks.Env, d time.Duration) checks.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return tlscert.New().Run(ctx, env, checks.Deps{})
}
