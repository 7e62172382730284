package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

// The demo's captive portal: its probe and sign-in page live under names
// only the demo's DNS knows (.test is never a real domain), so that even
// a probe that missed the demo's resolver could not leave the machine.
const (
	portalProbeHost = "connectivity-check.demo.test"
	portalLoginHost = "wifi-login.demo.test"
)

// captivePortal: this computer is on a Wi-Fi that wants its sign-in page
// first. The Wi-Fi's DNS answers every name with the portal's address,
// the portal redirects every plain-HTTP page to its sign-in page, and the
// CRM's HTTPS goes nowhere.
func captivePortal(w *demoWorld) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	signIn := "http://" + net.JoinHostPort(portalLoginHost, port) + "/login"
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Host == net.JoinHostPort(portalLoginHost, port) {
			fmt.Fprintln(rw, "<!doctype html><title>Guest Wi-Fi</title><p>Accept the terms to use the Wi-Fi.</p>")
			return
		}
		http.Redirect(rw, r, signIn+"?continue=http://"+r.Host+r.URL.Path, http.StatusFound)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	w.closers = append(w.closers, srv.Close)
	if err := w.useDNS(dnsserver.Zone{dnsserver.Wildcard: dnsserver.Addrs("127.0.0.1")}, ""); err != nil {
		return err
	}
	w.portalProbes = []reach.PortalProbe{{URL: "http://" + net.JoinHostPort(portalProbeHost, port) + "/generate_204", Status: http.StatusNoContent}}
	// The CRM's port at the portal's address: the portal drops it.
	crmAddr, err := w.refusingAddr()
	if err != nil {
		return err
	}
	_, crmPort, _ := net.SplitHostPort(crmAddr)
	w.target.URL, err = parseLoginURL("https://" + net.JoinHostPort(demoHost, crmPort) + "/login")
	if err != nil {
		return err
	}
	w.target.CheckTimeout = 3 * time.Second
	dropped(w, crmAddr, net.JoinHostPort(demoHost, crmPort))
	return nil
}

// dropped makes every connect to addrs hang until given up.
func dropped(w *demoWorld, addrs ...string) {
	w.tweak = append(w.tweak, func(env *checks.Env) {
		rules := map[string]faultnet.Dialer{}
		for _, a := range addrs {
			rules[a] = faultnet.BlackHole{}
		}
		env.Dialer = faultnet.ByAddr{Rules: rules, Default: env.Dialer}
	})
}

// wrongDNSAnswer: the company's DNS gives the CRM's old address (nothing
// listens there any more); a reference resolver gives the right one.
func wrongDNSAnswer(w *demoWorld) error {
	if err := w.useDNS(dnsserver.Zone{demoHost: dnsserver.Addrs("127.0.0.2")}, ""); err != nil {
		return err
	}
	ref, err := dnsserver.Start(dnsserver.Zone{demoHost: dnsserver.Addrs("127.0.0.1")})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, ref.Close)
	w.target.DNS.ReferenceResolvers = []string{ref.Addr()}
	return crmNamed(w, certs.Valid, crm.Options{})
}

// viaRelay starts the CRM and points the login URL at a relay in front
// of it that degrades the path as cfg says.
func viaRelay(w *demoWorld, opts crm.Options, cfg faultnet.RelayConfig) error {
	srv, err := w.startCRMWith(certs.Valid, opts)
	if err != nil {
		return err
	}
	cfg.Target = srv.Addr()
	relay, err := faultnet.StartRelay(cfg)
	if err != nil {
		return err
	}
	w.closers = append(w.closers, relay.Close)
	w.target.URL, err = parseLoginURL("https://" + relay.Addr() + crm.LoginPath)
	w.withChecks("net.quality")
	return err
}

// highLatency: every answer from the CRM arrives 400 ms late (a
// satellite link, a VPN through another continent).
func highLatency(w *demoWorld) error {
	return viaRelay(w, crm.Options{}, faultnet.RelayConfig{Latency: 400 * time.Millisecond})
}

// slowLink: the connection carries only 1 Mbit/s, and the login page
// weighs 160 KiB.
func slowLink(w *demoWorld) error {
	return viaRelay(w, crm.Options{PadBytes: 160 << 10}, faultnet.RelayConfig{Rate: 1_000_000})
}

// packetLoss: the network loses packets. A lost connection request is
// sent again after a second (TCP's first retransmit), so every second
// connect to the CRM takes over a second: the logins work, slowly.
func packetLoss(w *demoWorld) error {
	srv, err := w.startCRMWith(certs.Valid, crm.Options{})
	if err != nil {
		return err
	}
	addr := srv.Addr()
	w.withChecks("net.quality")
	w.tweak = append(w.tweak, func(env *checks.Env) {
		env.Dialer = faultnet.ByAddr{Rules: map[string]faultnet.Dialer{addr: &retransmitting{next: env.Dialer}}, Default: env.Dialer}
	})
	return nil
}

// synRetransmit is how late a connect whose first SYN was lost completes.
const synRetransmit = 1100 * time.Millisecond

// retransmitting connects through next, every second connect only after
// synRetransmit, as when its first packet was lost.
type retransmitting struct {
	next faultnet.Dialer
	n    atomic.Int64
}

func (r *retransmitting) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if r.n.Add(1)%2 == 0 {
		t := time.NewTimer(synRetransmit)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, fmt.Errorf("dial %s %s: %w", network, address, ctx.Err())
		}
	}
	return r.next.DialContext(ctx, network, address)
}

// incompleteChain: the CRM's server sends its own certificate without the
// intermediate that links it to a trusted root. Browsers fetch the missing
// link from the address in the certificate; apps and curl fail.
func incompleteChain(w *demoWorld) error {
	issuer, err := certs.ServeIssuer(w.certs.Inter)
	if err != nil {
		return err
	}
	w.closers = append(w.closers, issuer.Close)
	cert, err := w.certs.IncompleteChain(issuer.URL, "127.0.0.1", "localhost")
	if err != nil {
		return err
	}
	_, err = w.startCRM(crm.Options{Cert: &cert})
	return err
}

// plainHTTP: the login page is served over plain http://.
func plainHTTP(w *demoWorld) error {
	_, err := w.startCRM(crm.Options{})
	return err
}

// proxyWindowsSignin: the company proxy signs in Windows accounts only
// (Negotiate, NTLM), which this computer — not in the domain — cannot do.
func proxyWindowsSignin(w *demoWorld) error {
	return viaProxy(proxy.Config{AuthSchemes: []string{"Negotiate", "NTLM"}})(w)
}

// pacFailover: the PAC file lists a dead proxy first; the browser waits
// for it, then takes the next one, which works.
func pacFailover(w *demoWorld) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	dead, err := w.refusingAddr()
	if err != nil {
		return err
	}
	p, err := proxy.Start(proxy.Config{})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, p.Close)
	script := fmt.Sprintf("function FindProxyForURL(url, host) { return \"PROXY %s; PROXY %s; DIRECT\"; }", dead, p.Addr())
	pac, err := proxy.StartPAC(proxy.PACConfig{Script: script})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, pac.Close)
	w.target.Proxy.PACURL = pac.URL()
	return nil
}
