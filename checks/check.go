// Package checks holds the Check contract, the registry of checks, the
// concurrent runner and the facts every check shares (Target, Env, Route).
//
// Each built-in check lives in its own sub-package under checks/; the one
// explicit list of them is checks/builtin. Checks never import viper, cobra
// or report: data flows one way, config → Target → runner → []Result.
package checks

import (
	"context"
	"time"
)

// Status is the outcome of one check.
type Status string

// The statuses of the report contract (docs/architecture.md).
const (
	StatusPass  Status = "pass"
	StatusWarn  Status = "warn"
	StatusFail  Status = "fail"
	StatusSkip  Status = "skip"
	StatusError Status = "error"
)

// Rank orders statuses by how much they need attention: fail and error 2,
// warn 1, pass and skip 0.
func (s Status) Rank() int {
	switch s {
	case StatusFail, StatusError:
		return 2
	case StatusWarn:
		return 1
	}
	return 0
}

// Actionable reports whether a finding of this status needs a fix: warn,
// fail or error. It is the one definition the report, the ranking and the
// exit code share.
func (s Status) Actionable() bool { return s.Rank() > 0 }

// Worse reports whether a finding (status a, severity as) needs attention
// before one of status b and severity bs: status first, then severity.
func Worse(a Status, as Severity, b Status, bs Severity) bool {
	if a.Rank() != b.Rank() {
		return a.Rank() > b.Rank()
	}
	return as.Rank() > bs.Rank()
}

// Severity says how badly a finding hurts the login.
type Severity string

// The severities of the report contract; critical means the login cannot work.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities: info 0 … critical 3; unknown values rank -1.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 0
	case SeverityLow:
		return 1
	case SeverityHigh:
		return 2
	case SeverityCritical:
		return 3
	}
	return -1
}

// Stage is a step of the guide's pre-login checklist.
type Stage string

// The stages in the guide's order, which is also the report's order.
const (
	StageDevice  Stage = "device"
	StageNetwork Stage = "network"
	StageAccount Stage = "account"
	StageBrowser Stage = "browser"
	StagePolicy  Stage = "policy"
)

// Stages lists the stages in the guide's order.
var Stages = []Stage{StageDevice, StageNetwork, StageAccount, StageBrowser, StagePolicy}

// Index is the stage's position in the guide's order (-1 if unknown).
func (s Stage) Index() int {
	for i, st := range Stages {
		if st == s {
			return i
		}
	}
	return -1
}

// Owner says who can fix a finding.
type Owner string

// The owners of a finding: who can fix it.
const (
	OwnerYou   Owner = "you"   // the person at the keyboard
	OwnerIT    Owner = "it"    // IT / the network team
	OwnerAdmin Owner = "admin" // the CRM or identity administrator
)

// Codes every check may use.
const (
	CodeOK            = "OK"
	CodeBlocked       = "BLOCKED"
	CodeNotConfigured = "NOT_CONFIGURED"
	CodeCheckError    = "CHECK_ERROR"
)

// Info describes a check: its stable ID, stage, the checks it depends on and
// the configuration keys it needs to run at all (empty: always runs).
type Info struct {
	ID        string
	Stage     Stage
	DependsOn []string
	Needs     []string
	// StartAllowance is time the runner adds to check_timeout for this
	// check's own start-up (browser.page: Chrome starting on a busy PC), so
	// that it does not eat the time the check_timeout is meant for.
	StartAllowance time.Duration
}

// Check is one diagnostic. Run must honour ctx's deadline and return a
// Result; it never needs to set Check, Stage or Duration (the runner does).
type Check interface {
	Info() Info
	Run(ctx context.Context, env *Env, deps Deps) Result
}

// Deps holds the results of a check's dependencies, by check ID.
type Deps map[string]Result

// BlockDecider is implemented by checks whose blocking rule is not the
// default one (see DefaultBlockedBy). It returns the ID of the dependency
// that blocks the check, or "" to run it.
type BlockDecider interface {
	BlockedBy(deps Deps) string
}

// DefaultBlockedBy returns the first dependency (in ids order) that failed,
// errored or was itself blocked.
func DefaultBlockedBy(ids []string, deps Deps) string {
	for _, id := range ids {
		r, ok := deps[id]
		if ok && r.Blocks() {
			return id
		}
	}
	return ""
}

// Attachment is a file a check produced (e.g. the login page screenshot).
// Attachments travel with the report to the ticket bundle, never into JSON.
type Attachment struct {
	Name string // file name inside the bundle, e.g. "screenshot.png"
	MIME string
	Data []byte
}

// Result is what one check found.
//
// Title and fix steps are not in the Result: the report looks them up in its
// message catalogs by Code (and Variant), filling in Params, so that every
// language gets the same finding. Summary is the technical English line.
type Result struct {
	Check    string
	Stage    Stage
	Status   Status
	Code     string
	Severity Severity
	Owner    Owner
	// Summary is a one-line technical statement of the finding in English.
	Summary string
	// Params fill the placeholders of the localized title and steps.
	Params map[string]string
	// Variant selects a variant of the fix steps (e.g. "windows", "darwin").
	Variant string
	// Evidence are facts for the helpdesk; never secrets.
	Evidence  map[string]any
	BlockedBy string
	Duration  time.Duration
	// Attachments are files for the bundle (not serialised to JSON).
	Attachments []Attachment
	// Data carries typed facts for dependent checks (not serialised).
	Data any
}

// Blocks reports whether a dependent check must not run after this result.
func (r Result) Blocks() bool {
	switch r.Status {
	case StatusFail, StatusError:
		return true
	case StatusSkip:
		return r.Code == CodeBlocked
	}
	return false
}

// Actionable reports whether the result needs a fix: warn, fail, or an
// error (the check could not run, which someone must look at).
func (r Result) Actionable() bool { return r.Status.Actionable() }

// Pass returns a passing result.
func Pass(summary string) Result {
	return Result{Status: StatusPass, Code: CodeOK, Severity: SeverityInfo, Summary: summary}
}

// Finding returns a warn or fail result with a reason code.
func Finding(status Status, code string, sev Severity, owner Owner, summary string) Result {
	return Result{Status: status, Code: code, Severity: sev, Owner: owner, Summary: summary}
}

// Skip returns a skipped result with a code (e.g. NOT_CONFIGURED).
func Skip(code, summary string) Result {
	return Result{Status: StatusSkip, Code: code, Severity: SeverityInfo, Summary: summary}
}

// NotConfigured is the skip of a check that needs settings; setting names the
// configuration key that would enable it.
func NotConfigured(setting string) Result {
	return Skip(CodeNotConfigured, "not configured: set "+setting+" to enable this check").
		WithParam("setting", setting)
}

// Errored returns an error result: the check itself could not run.
func Errored(summary string) Result {
	return Result{Status: StatusError, Code: CodeCheckError, Severity: SeverityHigh, Owner: OwnerIT, Summary: summary}
}

// With returns r with one more evidence fact.
func (r Result) With(key string, value any) Result {
	ev := make(map[string]any, len(r.Evidence)+1)
	for k, v := range r.Evidence {
		ev[k] = v
	}
	ev[key] = value
	r.Evidence = ev
	return r
}

// WithParam returns r with one more message parameter.
func (r Result) WithParam(key, value string) Result {
	p := make(map[string]string, len(r.Params)+1)
	for k, v := range r.Params {
		p[k] = v
	}
	p[key] = value
	r.Params = p
	return r
}
