package policy

import (
	"context"
	"fmt"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// CodeOutsideHours is policy.hours' finding.
const CodeOutsideHours = "POLICY_OUTSIDE_HOURS"

// HoursID is policy.hours' stable ID.
const HoursID = "policy.hours"

// NewHours returns the policy.hours check.
func NewHours() checks.Check { return hoursCheck{} }

type hoursCheck struct{}

var _ checks.Check = hoursCheck{}

func (hoursCheck) Info() checks.Info {
	return checks.Info{
		ID:        HoursID,
		Stage:     checks.StagePolicy,
		DependsOn: []string{},
		Needs:     []string{"policy.login_hours"},
	}
}

func (hoursCheck) Run(_ context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	spec := env.Target.Policy.LoginHours
	if spec == "" {
		return checks.NotConfigured("policy.login_hours")
	}
	h, err := ParseHours(spec)
	if err != nil {
		return checks.Errored("policy.login_hours: " + err.Error())
	}
	now := env.Now()
	return judgeHours(h, now).With("login_hours", h.String()).
		With("clock_note", "judged by this computer's clock; see clock.skew")
}

const stamp = "2006-01-02 15:04"

func judgeHours(h Hours, now time.Time) checks.Result {
	if open, closes, w := h.Open(now); open {
		local := now.In(w.loc(now))
		return checks.Pass(fmt.Sprintf("now (%s %s) is inside the login hours %q; this window closes at %s",
			local.Format("Mon "+stamp), zoneLabel(w, local), h.String(), closes.In(w.loc(now)).Format(stamp))).
			With("now", local.Format(time.RFC3339)).With("closes_at", closes.Format(time.RFC3339))
	}
	next, w, ok := h.NextOpen(now)
	local := now
	zone, nextText := zoneLabel(Window{}, now), ""
	if ok {
		local = now.In(w.loc(now))
		zone = zoneLabel(w, local)
		nextText = next.In(w.loc(now)).Format(stamp)
	} else if len(h.Windows) > 0 {
		local = now.In(h.Windows[0].loc(now))
		zone = zoneLabel(h.Windows[0], local)
	}
	sum := fmt.Sprintf("now (%s %s) is outside the login hours %q", local.Format("Mon "+stamp), zone, h.String())
	if ok {
		sum += fmt.Sprintf("; the next window opens %s %s (in %s)", next.In(w.loc(now)).Format("Mon "+stamp), zone, roundWait(next.Sub(now)))
	}
	res := checks.Finding(checks.StatusFail, CodeOutsideHours, checks.SeverityHigh, checks.OwnerYou, sum).
		WithParam("next_open", nextText).WithParam("zone", zone).
		WithParam("now", local.Format(stamp)).WithParam("hours", h.Canonical()).
		With("now", local.Format(time.RFC3339))
	if ok {
		res = res.With("next_open", next.Format(time.RFC3339)).With("wait", roundWait(next.Sub(now)))
	}
	return res
}

func roundWait(d time.Duration) string {
	return d.Round(time.Minute).String()
}
