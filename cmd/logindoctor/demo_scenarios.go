package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/logindoctor/logindoctor/fixtures/dnsserver"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/idp"
	ldapfix "github.com/logindoctor/logindoctor/fixtures/ldap"
	"github.com/logindoctor/logindoctor/fixtures/loginpages"
	"github.com/logindoctor/logindoctor/fixtures/proxy"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

// demoScenario is one fault the demo can show.
type demoScenario struct {
	name  string
	setup func(w *demoWorld) error
}

// demoScenarios lists every scenario, healthy first. Their descriptions
// are the messages demo.<name> in both languages.
func demoScenarios() []demoScenario {
	return []demoScenario{
		{"healthy", crmWith(certs.Valid, crm.Options{})},
		{"expired-cert", crmWith(certs.Expired, crm.Options{})},
		{"wrong-host", crmWith(certs.WrongHost, crm.Options{})},
		{"unknown-ca", crmWith(certs.UnknownCA, crm.Options{})},
		{"maintenance", crmWith(certs.Valid, crm.Options{Maintenance: crm.MaintenanceRetryAfter})},
		{"server-error", crmWith(certs.Valid, crm.Options{Status: 500})},
		{"redirect-loop", crmWith(certs.Valid, crm.Options{RedirectLoop: true})},
		{"slow", crmWith(certs.Valid, crm.Options{Delay: 3500 * time.Millisecond})},
		{"windows-signin", crmWith(certs.Valid, crm.Options{Negotiate: true})},
		{"clock-skew", clockSkew},
		{"clock-behind", clockBehind},
		{"sso-expired", ssoExpired},
		{"port-closed", portClosed},
		{"firewall", firewall},
		{"dns-nxdomain", dnsNXDomain},
		{"hosts-override", hostsOverride},
		{"dns-servfail", dnsFails(dnsserver.ServFail)},
		{"dns-timeout", dnsFails(dnsserver.Silent)},
		{"account-locked", accountLocked},
		{"domain-account-locked", domainAccountLocked},
		{"password-expired", passwordExpired},
		{"outside-hours", outsideHours},
		{"ip-not-allowed", ipNotAllowed},
		{"proxy-auth", proxyAuth},
		{"proxy-denied", proxyDenied},
		{"proxy-down", proxyDown},
		{"pac-broken", pacBroken},
		{"pac-unreachable", pacUnreachable},
		{"via-pac-proxy", viaPACProxy},
		{"cookie-rejected", loginPage(loginpages.CookieRejected)},
		{"script-error", loginPage(loginpages.ScriptError)},
		{"blocked-file", loginPage(loginpages.BlockedScript)},
		{"no-form", loginPage(loginpages.NoForm)},
		{"popup-blocked", loginPage(loginpages.Popup)},
		{"captive-portal", captivePortal},
		{"wrong-dns-answer", wrongDNSAnswer},
		{"high-latency", highLatency},
		{"slow-link", slowLink},
		{"packet-loss", packetLoss},
		{"incomplete-chain", incompleteChain},
		{"client-certificate", crmWith(certs.Valid, crm.Options{ClientAuth: tls.RequireAnyClientCert})},
		{"plain-http", plainHTTP},
		{"proxy-windows-signin", proxyWindowsSignin},
		{"pac-failover", pacFailover},
	}
}

func findScenario(name string) (demoScenario, bool) {
	for _, s := range demoScenarios() {
		if s.name == name {
			return s, true
		}
	}
	return demoScenario{}, false
}

// crmWith is a scenario of one fake CRM with a certificate of kind k.
func crmWith(k certs.Kind, opts crm.Options) func(w *demoWorld) error {
	return func(w *demoWorld) error {
		_, err := w.startCRMWith(k, opts)
		return err
	}
}

// clockSkew: this computer's clock is 4 min 12 s fast — the CRM and the
// time server both say it is earlier than the computer thinks.
func clockSkew(w *demoWorld) error {
	const skew = -(4*time.Minute + 12*time.Second)
	if err := w.startNTP(skew); err != nil {
		return err
	}
	return crmWith(certs.Valid, crm.Options{DateSkew: skew})(w)
}

// ssoExpired: the CRM is fine but its single sign-on server's certificate
// has expired.
func ssoExpired(w *demoWorld) error {
	idpCert, err := w.certs.Leaf(certs.Expired, "localhost")
	if err != nil {
		return err
	}
	idp, err := crm.Start(crm.Options{Cert: &idpCert, IdP: true, Hosts: []string{"localhost"}})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, idp.Close)
	return crmWith(certs.Valid, crm.Options{SSO: idp.BaseURL()})(w)
}

// demoHost is the CRM's name in the DNS scenarios.
const demoHost = "crm.demo.test"

// dnsNXDomain: the CRM's name does not exist in DNS (a typo, or a moved CRM).
func dnsNXDomain(w *demoWorld) error {
	if err := w.useDNS(dnsserver.Zone{demoHost: dnsserver.Fail(dnsserver.NXDomain)}, ""); err != nil {
		return err
	}
	return crmNamed(w, certs.Valid, crm.Options{})
}

// dnsFails: the company's DNS server fails (SERVFAIL) or does not answer.
func dnsFails(mode dnsserver.Mode) func(w *demoWorld) error {
	return func(w *demoWorld) error {
		w.target.CheckTimeout = 3 * time.Second
		if err := w.useDNS(dnsserver.Zone{demoHost: dnsserver.Fail(mode)}, ""); err != nil {
			return err
		}
		return crmNamed(w, certs.Valid, crm.Options{})
	}
}

// hostsOverride: an old hosts-file line sends the CRM's name to the wrong
// server (127.0.0.2, where nothing listens).
func hostsOverride(w *demoWorld) error {
	if err := w.useDNS(dnsserver.Zone{demoHost: dnsserver.Addrs("127.0.0.1")}, "127.0.0.2 "+demoHost+"\n"); err != nil {
		return err
	}
	return crmNamed(w, certs.Valid, crm.Options{})
}

// crmNamed starts the CRM under demoHost (for the DNS scenarios).
func crmNamed(w *demoWorld, k certs.Kind, opts crm.Options) error {
	cert, err := w.certs.Leaf(k, demoHost)
	if err != nil {
		return err
	}
	opts.Cert, opts.Hosts = &cert, []string{demoHost}
	_, err = w.startCRM(opts)
	return err
}

// accountLocked: the network is fine; zhangsan's account was locked after
// five wrong passwords (Keycloak's brute-force detection).
func accountLocked(w *demoWorld) error {
	now := time.Now()
	dir := idp.DefaultDirectory(now)
	dir.Keycloak = append(dir.Keycloak, idp.KeycloakUser{
		ID: "k0000001-0000-4000-8000-00000000d3m0", Username: "zhangsan", Enabled: true, TOTP: true,
		PasswordCreated: now.AddDate(0, 0, -20), Locked: true, NumFailures: 5,
		LastFailure: now.Add(-4 * time.Minute), LastIP: "10.20.30.40", NotBefore: now.Add(11 * time.Minute),
	})
	return withAccount(w, "keycloak", "zhangsan", &dir)
}

// domainAccountLocked: the Windows domain account (Active Directory, asked
// over LDAPS by a small in-process directory) was locked five minutes ago;
// the domain unlocks it by itself after 30 minutes.
func domainAccountLocked(w *demoWorld) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	cert, err := w.leaf(certs.Valid)
	if err != nil {
		return err
	}
	const password = "demo-service-password"
	dir, err := ldapfix.Start(ldapfix.LockedDomain(*cert, password, time.Now()))
	if err != nil {
		return err
	}
	w.closers = append(w.closers, dir.Close)
	w.target.Account = checks.AccountConfig{Provider: "ldap", BaseURL: dir.URL(), User: ldapfix.LockedUser, Token: password,
		LDAP: checks.LDAPAccount{BindDN: ldapfix.ServiceDN, BaseDN: ldapfix.DomainDN}}
	w.withChecks("account.status")
	return nil
}

// passwordExpired: the Okta password has expired.
func passwordExpired(w *demoWorld) error { return withAccount(w, "okta", "expired@example.com", nil) }

func withAccount(w *demoWorld, provider, user string, dir *idp.Directory) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	api, err := idp.Start(idp.Options{Directory: dir})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, api.Close)
	w.target.Account = checks.AccountConfig{Provider: provider, BaseURL: api.URL(), Realm: api.Realm(), User: user, Token: api.Token()}
	w.withChecks("account.status")
	return nil
}

// outsideHours: the company allows logins in a window that starts two hours
// from now.
func outsideHours(w *demoWorld) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	now := time.Now().UTC()
	from, to := now.Add(2*time.Hour), now.Add(10*time.Hour)
	w.target.Policy.LoginHours = fmt.Sprintf("Mon-Sun %s-%s UTC", from.Format("15:04"), to.Format("15:04"))
	w.withChecks("policy.hours")
	return nil
}

// ipNotAllowed: the CRM accepts logins only from the office network, and
// this computer is elsewhere.
func ipNotAllowed(w *demoWorld) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(rw, "198.51.100.23")
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	w.closers = append(w.closers, srv.Close)
	w.target.Policy.AllowedNetworks = []string{"203.0.113.0/24"}
	w.target.Policy.EgressIPURL = "http://" + ln.Addr().String() + "/"
	w.withChecks("policy.network")
	return nil
}

// loginPage: the network and the login page's server are fine, but the page
// itself fails in the browser in the way f describes.
func loginPage(f loginpages.Fault) func(w *demoWorld) error {
	return func(w *demoWorld) error {
		cert, err := w.leaf(certs.Valid)
		if err != nil {
			return err
		}
		srv, err := loginpages.Start(loginpages.Options{Cert: cert})
		if err != nil {
			return err
		}
		w.closers = append(w.closers, srv.Close)
		w.target.URL, err = parseLoginURL(srv.URL(f))
		return err
	}
}

// proxyAuth: the company proxy wants a user name and password, and this
// computer's settings give none.
func proxyAuth(w *demoWorld) error {
	return viaProxy(proxy.Config{User: "demo", Password: "not-shown"})(w)
}

// viaProxy is a healthy CRM behind a company proxy started with cfg, which
// the profile names.
func viaProxy(cfg proxy.Config) func(*demoWorld) error {
	return func(w *demoWorld) error {
		if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
			return err
		}
		p, err := proxy.Start(cfg)
		if err != nil {
			return err
		}
		w.closers = append(w.closers, p.Close)
		w.target.Proxy.URL = p.URL().String()
		return nil
	}
}

// pacBroken: IT's proxy auto-configuration (PAC) file has a bug.
func pacBroken(w *demoWorld) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	pac, err := proxy.StartPAC(proxy.PACConfig{Script: "function FindProxyForURL(url, host) { return proxyFor(host); }"})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, pac.Close)
	w.target.Proxy.PACURL = pac.URL()
	return nil
}

// viaPACProxy: a working PAC file sends the CRM through the company proxy —
// everything passes, and the report says which way the traffic went.
func viaPACProxy(w *demoWorld) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	p, err := proxy.Start(proxy.Config{})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, p.Close)
	script := fmt.Sprintf("function FindProxyForURL(url, host) { return \"PROXY %s; DIRECT\"; }", p.Addr())
	pac, err := proxy.StartPAC(proxy.PACConfig{Script: script})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, pac.Close)
	w.target.Proxy.PACURL = pac.URL()
	return nil
}

// clockBehind: this computer's clock is three days behind, so the CRM's
// good certificate looks "not yet valid" — the clock is the root cause and
// ranks first; the certificate finding says it is probably caused by it.
func clockBehind(w *demoWorld) error {
	const behind = -3 * 24 * time.Hour
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	w.tweak = append(w.tweak, func(env *checks.Env) {
		env.Now = func() time.Time { return time.Now().Add(behind) }
	})
	return nil
}

// portClosed: the CRM's server is there, but nothing answers on its port
// (the service is down, or a firewall rejects the connection).
func portClosed(w *demoWorld) error {
	addr, err := w.refusingAddr()
	if err != nil {
		return err
	}
	w.target.URL, err = parseLoginURL("https://" + addr + "/login")
	return err
}

// firewall: a firewall silently drops the connection to the CRM.
func firewall(w *demoWorld) error {
	srv, err := w.startCRMWith(certs.Valid, crm.Options{})
	if err != nil {
		return err
	}
	addr := srv.Addr()
	w.target.CheckTimeout = 2 * time.Second
	w.tweak = append(w.tweak, func(env *checks.Env) {
		env.Dialer = faultnet.ByAddr{Rules: map[string]faultnet.Dialer{addr: faultnet.BlackHole{}}, Default: env.Dialer}
	})
	return nil
}

// proxyDenied: the company proxy does not allow the CRM's address.
func proxyDenied(w *demoWorld) error {
	srv, err := w.startCRMWith(certs.Valid, crm.Options{})
	if err != nil {
		return err
	}
	p, err := proxy.Start(proxy.Config{Deny: []string{srv.Addr()}})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, p.Close)
	w.target.Proxy.URL = p.URL().String()
	return nil
}

// proxyDown: the proxy this computer is set to use does not answer.
func proxyDown(w *demoWorld) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	addr, err := w.refusingAddr() // a proxy address where nothing listens
	if err != nil {
		return err
	}
	w.target.Proxy.URL = "http://" + addr
	return nil
}

// pacUnreachable: the PAC file's server answers 404.
func pacUnreachable(w *demoWorld) error {
	if err := crmWith(certs.Valid, crm.Options{})(w); err != nil {
		return err
	}
	pac, err := proxy.StartPAC(proxy.PACConfig{Status: 404})
	if err != nil {
		return err
	}
	w.closers = append(w.closers, pac.Close)
	w.target.Proxy.PACURL = pac.URL()
	return nil
}
