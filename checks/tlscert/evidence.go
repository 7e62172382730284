package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// CertInfo describes one certificate for the evidence.
type CertInfo struct {
	Subject   string   `json:"subject"`
	Issuer    string   `json:"issuer"`
	NotBefore string   `json:"not_before"`
	NotAfter  string   `json:"not_after"`
	DaysLeft  int      `json:"days_left"` // negative once expired
	SANs      []string `json:"sans,omitempty"`
}

// String is a one-line form for text renderers.
func (c CertInfo) String() string {
	s := fmt.Sprintf("%s (issuer %s, valid %s – %s, %d days left)", c.Subject, c.Issuer, c.NotBefore, c.NotAfter, c.DaysLeft)
	if len(c.SANs) > 0 {
		s += " for " + strings.Join(c.SANs, ", ")
	}
	return s
}

// Describe returns the CertInfo of c as seen at now.
func Describe(c *x509.Certificate, now time.Time) CertInfo {
	left := int(c.NotAfter.Sub(now) / day)
	return CertInfo{
		Subject:   Name(c.Subject),
		Issuer:    Name(c.Issuer),
		NotBefore: c.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:  c.NotAfter.UTC().Format(time.RFC3339),
		DaysLeft:  left,
		SANs:      SANs(c),
	}
}

// Name is a certificate name as people say it: the common name, else the
// organisation, else the full distinguished name.
func Name(n pkix.Name) string {
	switch {
	case n.CommonName != "":
		return n.CommonName
	case len(n.Organization) > 0:
		return n.Organization[0]
	}
	return n.String()
}

// SANs lists the DNS names and IP addresses a certificate is valid for.
func SANs(c *x509.Certificate) []string {
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}

// inspectionMarks are words in CA names of TLS inspection products and
// company "SSL inspection" setups.
func inspectionMarks() []string {
	return []string{
		"zscaler", "fortinet", "fortigate", "palo alto", "paloalto", "blue coat", "bluecoat",
		"netskope", "forcepoint", "websense", "sophos", "kaspersky", "eset ssl", "avast",
		"bitdefender", "mcafee", "skyhigh", "check point", "checkpoint", "barracuda",
		"watchguard", "sonicwall", "cisco umbrella", "untangle", "mitmproxy", "charles proxy",
		"fiddler", "portswigger", "iboss", "lightspeed", "securly", "smoothwall", "cyberoam",
		"sangfor", "深信服", "qi-anxin", "奇安信", "inspection", "ssl proxy", "tls proxy",
		"decrypt", "interception",
	}
}

// LooksLikeInspection reports whether any of the names (subjects or issuers)
// looks like a TLS inspection CA of a security product or company proxy.
func LooksLikeInspection(names ...string) bool {
	for _, n := range names {
		n = strings.ToLower(n)
		for _, m := range inspectionMarks() {
			if strings.Contains(n, m) {
				return true
			}
		}
	}
	return false
}

// withChainEvidence adds the handshake and chain facts: the leaf and each
// intermediate separately, the chain as the system builds it (or as
// presented when it does not verify), version and cipher.
func withChainEvidence(r checks.Result, h Handshake, chain []*x509.Certificate, trusted bool, o Options) checks.Result {
	r = r.With("host", h.Host)
	if h.Addr != "" {
		r = r.With("address", h.Addr)
	}
	if h.Version != 0 {
		r = r.With("tls_version", h.VersionName()).With("cipher", tls.CipherSuiteName(h.CipherSuite))
	}
	if len(h.Certificates) == 0 {
		return r
	}
	r = r.With("leaf", Describe(h.Certificates[0], o.Now))
	var inters []CertInfo
	for _, c := range h.Certificates[1:] {
		if !selfSigned(c) {
			inters = append(inters, Describe(c, o.Now))
		}
	}
	if len(inters) > 0 {
		r = r.With("intermediates", inters)
	}
	names := make([]string, len(chain))
	for i, c := range chain {
		names[i] = Name(c.Subject)
	}
	r = r.With("chain", names).With("chain_trusted", trusted)
	if trusted {
		root := chain[len(chain)-1]
		r = r.With("root", Describe(root, o.Now)).With("trusted_via", trustedVia(root, o))
	}
	if h.ClientCertRequested {
		r = r.With("client_certificate_requested", true)
	}
	return r
}

// trustedVia says whether the root came from ca_file or the system store.
func trustedVia(root *x509.Certificate, o Options) string {
	if o.ExtraRoots != nil {
		if _, err := root.Verify(x509.VerifyOptions{Roots: o.ExtraRoots, CurrentTime: root.NotBefore.Add(time.Second)}); err == nil {
			return "ca_file"
		}
	}
	if o.Roots != nil {
		return "configured roots"
	}
	return "system"
}
