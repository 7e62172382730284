package main

import (
	"time"

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
		{"sso-expired", ssoExpired},
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
		cert, err := w.leaf(k)
		if err != nil {
			return err
		}
		opts.Cert = cert
		_, err = w.startCRM(opts)
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
