package tlscert

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// Reason codes of tls.certificate (also used by http.login for a redirect hop).
const (
	CodeExpired          = "TLS_EXPIRED"
	CodeNotYetValid      = "TLS_NOT_YET_VALID"
	CodeExpiringSoon     = "TLS_EXPIRING_SOON"
	CodeHostnameMismatch = "TLS_HOSTNAME_MISMATCH"
	CodeUntrusted        = "TLS_UNTRUSTED"
	CodeIntercepted      = "TLS_INTERCEPTED"
	CodeOldProtocol      = "TLS_OLD_PROTOCOL"
	CodeHandshakeFailed  = "TLS_HANDSHAKE_FAILED"
	// CodeIncompleteChain: the server does not send its intermediate
	// certificate; browsers that download it (AIA) cope, other clients fail.
	CodeIncompleteChain = "TLS_INCOMPLETE_CHAIN"
	// CodeClientCertRequired: the server admits only clients that show a
	// certificate (managed, MDM-enrolled devices).
	CodeClientCertRequired = "TLS_CLIENT_CERT_REQUIRED"
	// CodePlaintext: the login page is plain http://.
	CodePlaintext = "TLS_PLAINTEXT"
	// CodePathMTU: the connection opens but stalls once the server sends
	// large packets (a path-MTU black hole); a small MSS gets through.
	CodePathMTU = "NET_PATH_MTU"
)

// DefaultWarnDays is tls.warn_days when it is not set.
const DefaultWarnDays = 21

const day = 24 * time.Hour

// Options are what a certificate is judged against.
type Options struct {
	// Now is the local clock's time: certificates must be valid then.
	Now time.Time
	// Roots are the trusted roots; nil means the system's.
	Roots *x509.CertPool
	// ExtraRoots are the ca_file roots only (to say "trusted via ca_file").
	ExtraRoots *x509.CertPool
	// WarnDays: TLS_EXPIRING_SOON below this many days (default 21).
	WarnDays int
	// ExpectedIssuers may sign the certificate; when set, any other trusted
	// issuer is TLS_INTERCEPTED.
	ExpectedIssuers []string
}

// OptionsFor returns the Options of a run.
func OptionsFor(env *checks.Env) Options {
	now := time.Now
	if env.Now != nil {
		now = env.Now
	}
	return Options{
		Now:             now(),
		Roots:           env.RootCAs,
		ExtraRoots:      env.ExtraRoots,
		WarnDays:        env.Target.TLS.WarnDays,
		ExpectedIssuers: env.Target.TLS.ExpectedIssuers,
	}
}

// problem is one thing wrong with a handshake; Classify reports the first.
type problem struct {
	code    string
	status  checks.Status
	sev     checks.Severity
	owner   checks.Owner
	variant string
	summary string
	params  map[string]string
}

// Classify judges a handshake: validity window of every certificate in the
// chain at o.Now, host name, trust (and by which issuer), protocol version,
// and days left. It returns a pass, or the most basic problem as a finding
// (time before name before trust before protocol before warnings), with
// every problem found listed in evidence.problems.
func Classify(h Handshake, o Options) checks.Result {
	if o.WarnDays <= 0 {
		o.WarnDays = DefaultWarnDays
	}
	if len(h.Certificates) == 0 {
		return HandshakeFailure(h, errors.New("the server sent no certificate"))
	}
	leaf := h.Certificates[0]
	var trustErr error
	chains := h.trusted.chainsFor(o)
	if chains == nil {
		chains, trustErr = verifyTrust(h.Certificates, nil, o)
	}
	viaAIA := false
	if trustErr != nil && len(h.Fetched) > 0 {
		if c, err := verifyTrust(h.Certificates, h.Fetched, o); err == nil {
			chains, trustErr, viaAIA = c, nil, true
		}
	}
	chain := h.Certificates
	if trustErr == nil {
		chain = chains[0]
	}
	var probs []problem
	probs = append(probs, windowProblems(h.Host, chain, o.Now)...)
	if err := leaf.VerifyHostname(h.Host); err != nil {
		probs = append(probs, hostnameProblem(h.Host, leaf))
	}
	if trustErr != nil {
		probs = append(probs, untrustedProblem(h.Host, h.Certificates, trustErr))
	}
	if h.Version != 0 && h.Version < tls.VersionTLS12 {
		probs = append(probs, oldProtocolProblem(h))
	}
	if viaAIA {
		probs = append(probs, incompleteChainProblem(h, chain))
	}
	if trustErr == nil {
		if p, ok := interceptedProblem(h.Host, chain, o.ExpectedIssuers); ok {
			probs = append(probs, p)
		}
	}
	if p, ok := expiringProblem(h.Host, chain, o); ok {
		probs = append(probs, p)
	}
	res := passResult(h, leaf, o.Now)
	if len(probs) > 0 {
		p := worstProblem(probs)
		res = checks.Finding(p.status, p.code, p.sev, p.owner, p.summary)
		res.Variant = p.variant
		res.Params = p.params
		codes := make([]string, len(probs))
		for i, q := range probs {
			codes[i] = q.code
		}
		res = res.With("problems", codes)
	}
	res = withChainEvidence(res, h, chain, trustErr == nil, o)
	if viaAIA {
		res = withAIAEvidence(res, h)
	} else if h.AIAError != "" {
		res = res.With("aia_error", h.AIAError)
	}
	return res
}

// worstProblem is the first of the problems with the worst status: a
// failure found later still outranks an earlier warning.
func worstProblem(probs []problem) problem {
	best := probs[0]
	for _, p := range probs[1:] {
		if p.status.Rank() > best.status.Rank() {
			best = p
		}
	}
	return best
}

// verifyTrust builds the chain the system would build, at a moment when
// every presented certificate is valid, so that trust is judged apart from
// the validity window (which windowProblems judges at o.Now). extra are
// intermediates from elsewhere than the handshake (downloaded via AIA).
func verifyTrust(certs, extra []*x509.Certificate, o Options) ([][]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	for _, c := range extra {
		inter.AddCert(c)
	}
	return certs[0].Verify(x509.VerifyOptions{
		Roots:         o.Roots,
		Intermediates: inter,
		CurrentTime:   trustTime(append(append([]*x509.Certificate{}, certs...), extra...), o.Now),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
}

// verified is a successful verifyTrust of the presented certificates
// alone, with the roots and time it was made for: checking an ECDSA or RSA
// signature is the costliest step of judging a handshake, and Classify
// would otherwise repeat CompleteChain's.
type verified struct {
	roots  *x509.CertPool
	now    time.Time
	chains [][]*x509.Certificate
}

// chainsFor is v's chains when o asks for the same verification (nil
// otherwise: verify afresh).
func (v *verified) chainsFor(o Options) [][]*x509.Certificate {
	if v == nil || v.roots != o.Roots || !v.now.Equal(o.Now) {
		return nil
	}
	return v.chains
}

// trustTime is now, moved into the window where all certs are valid if now
// is outside it and such a window exists.
func trustTime(certs []*x509.Certificate, now time.Time) time.Time {
	from, to := certs[0].NotBefore, certs[0].NotAfter
	for _, c := range certs[1:] {
		if c.NotBefore.After(from) {
			from = c.NotBefore
		}
		if c.NotAfter.Before(to) {
			to = c.NotAfter
		}
	}
	switch {
	case from.After(to):
		return now
	case now.Before(from):
		return from.Add(time.Second)
	case now.After(to):
		return to.Add(-time.Second)
	}
	return now
}

func windowProblems(host string, chain []*x509.Certificate, now time.Time) []problem {
	var probs []problem
	for i, c := range chain {
		which := certRole(i, len(chain))
		switch {
		case now.Before(c.NotBefore):
			days := daysBetween(now, c.NotBefore.Add(day-time.Second)) // rounded up
			probs = append(probs, problem{
				code: CodeNotYetValid, status: checks.StatusFail, sev: checks.SeverityCritical, owner: checks.OwnerAdmin,
				summary: fmt.Sprintf("%s %s is not valid before %s (%s from now); check this computer's clock",
					which, Name(c.Subject), date(c.NotBefore), plural(days, "day")),
				params: map[string]string{"host": host, "not_before": date(c.NotBefore), "days": strconv.Itoa(days), "cert": Name(c.Subject)},
			})
		case now.After(c.NotAfter):
			days := daysBetween(c.NotAfter, now)
			probs = append(probs, problem{
				code: CodeExpired, status: checks.StatusFail, sev: checks.SeverityCritical, owner: checks.OwnerAdmin,
				summary: fmt.Sprintf("%s %s expired %s (%s ago); it must be valid now",
					which, Name(c.Subject), date(c.NotAfter), plural(days, "day")),
				params: map[string]string{"host": host, "not_after": date(c.NotAfter), "days": strconv.Itoa(days), "cert": Name(c.Subject)},
			})
		}
	}
	// Not-yet-valid first: a clock set in the past shows as "not yet valid"
	// and the clock check explains it; otherwise chain order.
	for i, p := range probs {
		if p.code == CodeNotYetValid && i > 0 {
			probs[0], probs[i] = probs[i], probs[0]
			break
		}
	}
	return probs
}

func hostnameProblem(host string, leaf *x509.Certificate) problem {
	names := strings.Join(SANs(leaf), ", ")
	summary := fmt.Sprintf("the certificate is for %s, not for %s", names, host)
	if names == "" {
		names = Name(leaf.Subject)
		summary = fmt.Sprintf("the certificate names %s only as its common name, without subject alternative names, which browsers require", names)
	}
	return problem{
		code: CodeHostnameMismatch, status: checks.StatusFail, sev: checks.SeverityCritical, owner: checks.OwnerAdmin,
		summary: summary,
		params:  map[string]string{"host": host, "names": names},
	}
}

func untrustedProblem(host string, certs []*x509.Certificate, err error) problem {
	top := certs[len(certs)-1]
	issuer := Name(top.Issuer)
	p := problem{
		code: CodeUntrusted, status: checks.StatusFail, sev: checks.SeverityCritical, owner: checks.OwnerAdmin,
		params: map[string]string{"host": host, "issuer": issuer},
	}
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var sr x509.SystemRootsError
	switch {
	case errors.As(err, &ua) && selfSigned(top) && len(certs) == 1:
		p.summary = fmt.Sprintf("the certificate for %s is self-signed (%s); this computer does not trust it", host, issuer)
		p.variant = "self_signed"
	case errors.As(err, &ua):
		p.summary = fmt.Sprintf("the certificate for %s is signed by %q, which this computer does not trust", host, issuer)
	case errors.As(err, &ci):
		p.summary = fmt.Sprintf("the certificate chain for %s is not valid: %v", host, ci)
	case errors.As(err, &sr):
		p.summary = fmt.Sprintf("this computer has no trusted root certificates to check %s against", host)
		p.owner = checks.OwnerIT
	default:
		p.summary = fmt.Sprintf("the certificate for %s is not trusted: %v", host, err)
	}
	if LooksLikeInspection(chainNames(certs)...) {
		p.owner = checks.OwnerIT
		p.variant = "inspection"
		p.summary += " (it looks like a company TLS inspection certificate)"
	}
	return p
}

func oldProtocolProblem(h Handshake) problem {
	v := h.VersionName()
	return problem{
		code: CodeOldProtocol, status: checks.StatusFail, sev: checks.SeverityCritical, owner: checks.OwnerAdmin,
		summary: fmt.Sprintf("%s only speaks %s; current browsers require TLS 1.2 or newer", h.Host, v),
		params:  map[string]string{"host": h.Host, "version": v},
	}
}

// interceptedProblem: the chain is trusted, but by an issuer that is not
// expected — or, with no expectation configured, one that is named like a
// TLS inspection product.
func interceptedProblem(host string, chain []*x509.Certificate, expected []string) (problem, bool) {
	if len(chain) < 2 {
		return problem{}, false
	}
	cas := chain[1:]
	root := Name(chain[len(chain)-1].Subject)
	switch {
	case len(expected) > 0 && !issuedByExpected(cas, expected):
	case len(expected) == 0 && LooksLikeInspection(chainNames(cas)...):
	default:
		return problem{}, false
	}
	why := "named like a TLS inspection product"
	if len(expected) > 0 {
		why = "not one of the expected issuers (" + strings.Join(expected, ", ") + ")"
	}
	return problem{
		code: CodeIntercepted, status: checks.StatusWarn, sev: checks.SeverityLow, owner: checks.OwnerIT,
		summary: fmt.Sprintf("the certificate for %s is trusted only because of %q, %s: a company TLS inspection CA reads this connection",
			host, root, why),
		params: map[string]string{"host": host, "issuer": root},
	}, true
}

func expiringProblem(host string, chain []*x509.Certificate, o Options) (problem, bool) {
	var soonest *x509.Certificate
	for _, c := range chain {
		if o.Now.After(c.NotAfter) || o.Now.Before(c.NotBefore) {
			return problem{}, false // already reported as a window problem
		}
		if soonest == nil || c.NotAfter.Before(soonest.NotAfter) {
			soonest = c
		}
	}
	days := daysBetween(o.Now, soonest.NotAfter)
	if days >= o.WarnDays {
		return problem{}, false
	}
	sev := checks.SeverityLow
	if days <= 7 {
		sev = checks.SeverityHigh
	}
	return problem{
		code: CodeExpiringSoon, status: checks.StatusWarn, sev: sev, owner: checks.OwnerAdmin,
		summary: fmt.Sprintf("certificate %s for %s expires %s (in %s; warning below %d days)",
			Name(soonest.Subject), host, date(soonest.NotAfter), plural(days, "day"), o.WarnDays),
		params: map[string]string{"host": host, "not_after": date(soonest.NotAfter), "days": strconv.Itoa(days), "cert": Name(soonest.Subject)},
	}, true
}

func passResult(h Handshake, leaf *x509.Certificate, now time.Time) checks.Result {
	days := daysBetween(now, leaf.NotAfter)
	return checks.Pass(fmt.Sprintf("certificate for %s valid until %s (%s left), issued by %s; %s %s",
		h.Host, date(leaf.NotAfter), plural(days, "day"), Name(leaf.Issuer), h.VersionName(), tls.CipherSuiteName(h.CipherSuite))).
		WithParam("host", h.Host).WithParam("not_after", date(leaf.NotAfter)).WithParam("days", strconv.Itoa(days))
}

func issuedByExpected(cas []*x509.Certificate, expected []string) bool {
	for _, c := range cas {
		subject := strings.ToLower(c.Subject.String())
		for _, e := range expected {
			e = strings.ToLower(strings.TrimSpace(e))
			if e == "" {
				continue
			}
			if strings.EqualFold(c.Subject.CommonName, e) || strings.Contains(subject, e) {
				return true
			}
			for _, o := range c.Subject.Organization {
				if strings.EqualFold(o, e) {
					return true
				}
			}
		}
	}
	return false
}

func chainNames(certs []*x509.Certificate) []string {
	var names []string
	for _, c := range certs {
		names = append(names, c.Subject.String(), c.Issuer.String())
	}
	return names
}

// selfSigned reports whether c names itself as issuer and its own key
// verifies its signature (CheckSignatureFrom would also demand a CA).
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func certRole(i, n int) string {
	switch {
	case i == 0:
		return "the certificate"
	case i == n-1 && n > 2:
		return "the root certificate"
	}
	return "the intermediate certificate"
}

// daysBetween counts whole days from a to b (0 if b is before a).
func daysBetween(a, b time.Time) int {
	if b.Before(a) {
		return 0
	}
	return int(b.Sub(a) / day)
}

func date(t time.Time) string { return t.UTC().Format("2006-01-02") }

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
