package report

import (
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

// TestExpiredCertificateStepsKnowTheClock: when clock.skew found the
// computer's clock right in the same run, an expired (or not yet valid)
// certificate's steps do not ask the person to look at their clock; when
// the clock was not checked they do, in both languages.
func TestExpiredCertificateStepsKnowTheClock(t *testing.T) {
	cert := checks.Result{Check: "tls.certificate", Stage: checks.StageNetwork, Status: checks.StatusFail, Code: "TLS_EXPIRED",
		Severity: checks.SeverityCritical, Owner: checks.OwnerAdmin,
		Params: map[string]string{"host": "crm.example.com", "not_after": "2026-11-24", "days": "8"}}
	clock := checks.Result{Check: "clock.skew", Stage: checks.StageDevice, Status: checks.StatusPass, Code: checks.CodeOK}
	for _, lang := range Languages() {
		checked := Build([]checks.Result{clock, cert}, Options{Lang: lang})
		unchecked := Build([]checks.Result{cert}, Options{Lang: lang})
		if len(checked.Fixes) != 1 || len(unchecked.Fixes) != 1 {
			t.Fatalf("%s: fixes %d / %d, want 1 each", lang, len(checked.Fixes), len(unchecked.Fixes))
		}
		look := map[string]string{"en": "First look at the date and time", "zh": "先看一下电脑右下角的日期和时间"}[lang]
		done := map[string]string{"en": "logindoctor checked it", "zh": "logindoctor 已检查"}[lang]
		withClock, without := strings.Join(checked.Fixes[0].Steps, "\n"), strings.Join(unchecked.Fixes[0].Steps, "\n")
		if strings.Contains(withClock, look) || !strings.Contains(checked.Fixes[0].Steps[0], done) {
			t.Errorf("%s, clock checked and right: steps\n%s", lang, withClock)
		}
		if !strings.Contains(without, look) || strings.Contains(without, done) {
			t.Errorf("%s, clock not checked: steps\n%s", lang, without)
		}
	}
}
