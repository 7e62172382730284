// Package clock holds clock.skew: the local clock against NTP servers and
// the HTTP Date header of the CRM and its endpoints. One-time codes (TOTP,
// RFC 6238) use 30 s steps, and certificates are checked against the local
// clock, so a clock off by more than about 30 s breaks the login.
package clock

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// Reason codes of clock.skew.
const (
	CodeSkew       = "CLOCK_SKEW"
	CodeSkewWarn   = "CLOCK_SKEW_WARN"
	CodeUnverified = "CLOCK_UNVERIFIED"
)

const (
	// defaultMaxSkew is one TOTP step (RFC 6238).
	defaultMaxSkew = 30 * time.Second
	// agreeSlack is how far two sources may differ beyond their own
	// uncertainties and still count as agreeing.
	agreeSlack = 2 * time.Second
)

// ID is clock.skew's stable check ID.
const ID = "clock.skew"

// New returns the clock.skew check.
func New() checks.Check { return skewCheck{} }

type skewCheck struct{}

var _ checks.Check = skewCheck{}

func (skewCheck) Info() checks.Info {
	return checks.Info{ID: ID, Stage: checks.StageDevice, DependsOn: []string{}}
}

func (skewCheck) Run(ctx context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	samples := measure(ctx, env)
	r := judge(env, samples)
	r.Variant = env.GOOS
	now := nowFunc(env)()
	name, off := now.Zone()
	return r.With("sources", evidence(samples)).
		With("time_zone", name).
		With("utc_offset", utcOffset(off)).
		With("local_time", now.Format(time.RFC3339))
}

// measure asks every NTP server and every Date source at once.
func measure(ctx context.Context, env *checks.Env) []Sample {
	servers := env.Target.Clock.NTPServers
	urls := dateURLs(env.Target)
	out := make([]Sample, len(servers)+len(urls))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Go(func() { out[i] = queryNTP(ctx, env, strings.TrimSpace(s)) })
	}
	for i, u := range urls {
		wg.Go(func() { out[len(servers)+i] = queryDate(ctx, env, u) })
	}
	wg.Wait()
	return out
}

// estimate is the combined verdict of the sources.
type estimate struct {
	skew, uncertainty time.Duration
	kind              string
	agreed, disagreed []Sample
}

// combine prefers NTP over Date: it picks the NTP answer (or, without any,
// the Date answer) that the most sources agree with, and takes the median
// of the preferred kind within that group. Sources outside the group are
// reported as disagreeing, never averaged in.
func combine(samples []Sample) (estimate, bool) {
	var ok []Sample
	for _, s := range samples {
		if s.ok() {
			ok = append(ok, s)
		}
	}
	if len(ok) == 0 {
		return estimate{}, false
	}
	kind := KindDate
	if slices.ContainsFunc(ok, func(s Sample) bool { return s.Kind == KindNTP }) {
		kind = KindNTP
	}
	var best []Sample
	bestScore := [2]int{-1, -1}
	for _, c := range ok {
		if c.Kind != kind {
			continue
		}
		var group []Sample
		score := [2]int{}
		for _, s := range ok {
			if agree(c, s) {
				group = append(group, s)
				score[1]++
				if s.Kind == kind {
					score[0]++
				}
			}
		}
		if score[0] > bestScore[0] || score[0] == bestScore[0] && score[1] > bestScore[1] {
			best, bestScore = group, score
		}
	}
	e := estimate{kind: kind, agreed: best}
	var skews []time.Duration
	e.uncertainty = time.Duration(math.MaxInt64)
	for _, s := range best {
		if s.Kind == kind {
			skews = append(skews, s.Skew)
			e.uncertainty = min(e.uncertainty, s.Uncertainty)
		}
	}
	e.skew = median(skews)
	for _, s := range ok {
		if !slices.ContainsFunc(best, func(b Sample) bool { return b.Source == s.Source && b.Kind == s.Kind }) {
			e.disagreed = append(e.disagreed, s)
		}
	}
	return e, true
}

func agree(a, b Sample) bool {
	d := a.Skew - b.Skew
	if d < 0 {
		d = -d
	}
	return d <= a.Uncertainty+b.Uncertainty+agreeSlack
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// judge turns the samples into the finding.
func judge(env *checks.Env, samples []Sample) checks.Result {
	maxSkew := env.Target.Clock.MaxSkew
	if maxSkew <= 0 {
		maxSkew = defaultMaxSkew
	}
	e, ok := combine(samples)
	if !ok {
		return unverified(samples)
	}
	abs := e.skew
	if abs < 0 {
		abs = -abs
	}
	parts := splitOffset(e.skew)
	words := parts.words()
	dir := direction(e.skew)
	srcs := sourceList(e.agreed)
	var r checks.Result
	switch {
	case abs > maxSkew:
		r = checks.Finding(checks.StatusFail, CodeSkew, checks.SeverityCritical, checks.OwnerYou,
			fmt.Sprintf("local clock is %s %s (per %s; limit ±%s): one-time codes and certificates will be refused", words, dir, srcs, maxSkew))
	case abs > maxSkew/2:
		r = checks.Finding(checks.StatusWarn, CodeSkewWarn, checks.SeverityLow, checks.OwnerYou,
			fmt.Sprintf("local clock is %s %s (per %s): more than half the ±%s one-time codes allow", words, dir, srcs, maxSkew))
	default:
		r = checks.Pass(fmt.Sprintf("local clock is within %s of %s (%s %s)", maxSkew/2, srcs, words, dir))
		r = r.WithParam("offset_words", words).WithParam("direction", dir)
		if note := zoneNote(env); note != "" {
			r.Summary += "; " + note
		}
	}
	if r.Status != checks.StatusPass {
		r = withOffsetParams(r, parts, words, dir, maxSkew)
		if zone := zoneLikeOffset(e.skew); zone != 0 {
			r.Summary += fmt.Sprintf("; the offset is almost exactly %g h: the time zone setting is probably wrong and the clock was set by hand", zone.Hours())
			r = r.With("time_zone_suspect", true)
		}
	}
	if len(e.disagreed) > 0 {
		r.Summary += "; disagreeing: " + disagreement(e.disagreed)
		r = r.With("disagreement", evidence(e.disagreed))
	}
	return r.With("skew_s", seconds(e.skew)).
		With("uncertainty_s", seconds(e.uncertainty)).
		With("measured_by", e.kind).
		With("source", decidedBy(e)).
		With("agreed", sourceList(e.agreed)).
		With("max_skew_s", seconds(maxSkew))
}

func withOffsetParams(r checks.Result, p offsetParts, words, dir string, maxSkew time.Duration) checks.Result {
	return r.WithParam("offset_words", words).
		WithParam("direction", dir).
		WithParam("offset_days", p.Days).
		WithParam("offset_hours", p.Hours).
		WithParam("offset_minutes", p.Minutes).
		WithParam("offset_seconds", p.Seconds).
		WithParam("max_skew", fmt.Sprint(int(maxSkew.Round(time.Second)/time.Second)))
}

// unverified is the skip when no source answered, with each one's reason.
func unverified(samples []Sample) checks.Result {
	if len(samples) == 0 {
		return checks.Skip(CodeUnverified, "clock not verified: no NTP server and no URL configured").
			WithParam("sources", "").With("reasons", map[string]string{})
	}
	reasons := make([]string, len(samples))
	for i, s := range samples {
		reasons[i] = s.Source + ": " + s.Reason
	}
	return checks.Skip(CodeUnverified, "clock not verified: no time source answered ("+strings.Join(reasons, "; ")+")").
		WithParam("sources", sourceList(samples))
}

// maxZoneOffset is the largest offset a wrong time zone explains.
const maxZoneOffset = 14 * time.Hour

// zoneLikeOffset returns skew rounded to the half hour when it is within
// 2 min of a whole or half hour and at most maxZoneOffset (never 0): the
// mark of a wrong time zone with the wall clock set by hand. Anything else
// (a clock 3 days off) returns 0: no time zone explains it.
func zoneLikeOffset(skew time.Duration) time.Duration {
	h := skew.Round(30 * time.Minute)
	if h == 0 || h.Abs() > maxZoneOffset || (skew-h).Abs() > 2*time.Minute {
		return 0
	}
	return h
}

// zoneNote is said when the UTC clock is right but the zone is plain UTC,
// which on a desktop usually means the zone was never set.
func zoneNote(env *checks.Env) string {
	name, off := nowFunc(env)().Zone()
	if off != 0 {
		return ""
	}
	return fmt.Sprintf("time zone is %s (UTC+00:00): if the clock shows the wrong local time, only the time zone is wrong, which does not affect one-time codes", name)
}

// nowFunc is the env's clock, or the real one when none is injected.
func nowFunc(env *checks.Env) func() time.Time {
	if env.Now != nil {
		return env.Now
	}
	return time.Now
}

func sourceList(ss []Sample) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Source
	}
	return strings.Join(names, ", ")
}

// decidedBy names the sources the verdict rests on (the agreeing sources of
// the preferred kind) and why each was believed: "ntp 127.0.0.1:123",
// "https://crm.example.com (certificate verified)".
func decidedBy(e estimate) string {
	var names []string
	for _, s := range e.agreed {
		switch {
		case s.Kind != e.kind:
		case s.Kind == KindNTP:
			names = append(names, "ntp "+s.Source)
		default:
			names = append(names, s.Source+" ("+s.Trust+")")
		}
	}
	return strings.Join(names, ", ")
}

func disagreement(ss []Sample) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("%s says the clock is %s %s", s.Source, splitOffset(s.Skew).words(), direction(s.Skew))
	}
	return strings.Join(parts, ", ")
}

// evidence lists the samples with their numbers in seconds.
func evidence(ss []Sample) []map[string]any {
	out := make([]map[string]any, len(ss))
	for i, s := range ss {
		m := map[string]any{"source": s.Source, "kind": s.Kind, "state": s.State}
		if s.ok() {
			m["skew_s"] = seconds(s.Skew)
			m["uncertainty_s"] = seconds(s.Uncertainty)
		}
		if s.RTT > 0 {
			m["rtt_ms"] = s.RTT.Milliseconds()
		}
		if s.Stratum > 0 {
			m["stratum"] = s.Stratum
		}
		if s.KissCode != "" {
			m["kiss_code"] = s.KissCode
		}
		if s.Reason != "" {
			m["reason"] = s.Reason
		}
		if s.Trust != "" {
			m["trust"] = s.Trust
		}
		out[i] = m
	}
	return out
}
