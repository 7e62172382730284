package tlscert

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// Which clients download a missing intermediate themselves (AIA fetching)
// and which do not: the evidence of TLS_INCOMPLETE_CHAIN.
const (
	aiaClientsCope = "Chrome and Edge (on Windows, macOS and Linux) download the missing certificate; Safari and Windows apps using the system store usually do too"
	aiaClientsFail = "Go, curl, Python, Java, many mobile apps, API clients and command-line tools do not, and report an unknown certificate authority"
)

// incompleteChainProblem: the chain is trusted only with intermediates the
// server did not send. Browsers cope, so the login in a browser works: a
// warning for the administrator, not a failure.
func incompleteChainProblem(h Handshake, chain []*x509.Certificate) problem {
	missing := missingNames(h, chain)
	return problem{
		code: CodeIncompleteChain, status: checks.StatusWarn, sev: checks.SeverityHigh, owner: checks.OwnerAdmin,
		summary: fmt.Sprintf("%s does not send its intermediate certificate (%s); browsers download it, but apps, API clients and some devices fail",
			h.Host, missing),
		params: map[string]string{"host": h.Host, "missing": missing},
	}
}

// missingNames names the chain's certificates that were downloaded rather
// than sent by the server.
func missingNames(h Handshake, chain []*x509.Certificate) string {
	var names []string
	for _, c := range chain[1:] {
		for _, f := range h.Fetched {
			if c.Equal(f) {
				names = append(names, Name(c.Subject))
			}
		}
	}
	if len(names) == 0 {
		return "intermediate certificate"
	}
	return strings.Join(names, ", ")
}

// withAIAEvidence says where the missing certificates came from and which
// clients cope without them.
func withAIAEvidence(r checks.Result, h Handshake) checks.Result {
	return r.With("aia_urls", h.AIAURLs).
		With("clients_that_cope", aiaClientsCope).
		With("clients_that_fail", aiaClientsFail)
}
