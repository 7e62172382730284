package tlscert

import (
	"fmt"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// HostVerdict is one judged host in the evidence of a run that judged
// several (evidence.hosts).
type HostVerdict struct {
	Host    string        `json:"host"`
	Address string        `json:"address"`
	Role    string        `json:"role"` // login, endpoint or region
	Status  checks.Status `json:"status"`
	Code    string        `json:"code"`
	Summary string        `json:"summary"`
}

// String is a one-line form for text renderers.
func (v HostVerdict) String() string {
	return fmt.Sprintf("%s (%s): %s %s", v.Address, v.Role, v.Code, v.Summary)
}

// combine makes the check's one Result from the verdicts of every host:
// the worst finding (the login host's on a tie) is the result, and every
// host is listed in evidence.hosts when there are several.
func combine(tgs []target, results []checks.Result) checks.Result {
	worst := 0
	for i, r := range results {
		if checks.Worse(r.Status, r.Severity, results[worst].Status, results[worst].Severity) {
			worst = i
		}
	}
	out := results[worst]
	if len(results) == 1 {
		return out
	}
	verdicts := make([]HostVerdict, len(results))
	var others []string
	for i, r := range results {
		verdicts[i] = HostVerdict{Host: tgs[i].host, Address: tgs[i].hostport, Role: tgs[i].role,
			Status: r.Status, Code: r.Code, Summary: r.Summary}
		if i != worst && r.Actionable() {
			others = append(others, tgs[i].host+" "+r.Code)
		}
	}
	out = out.With("hosts", verdicts).With("judged_host_role", tgs[worst].role)
	if len(others) > 0 {
		out.Summary += " (also: " + strings.Join(others, ", ") + ")"
	}
	return out
}
