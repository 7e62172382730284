package account

import (
	"strings"
	"testing"
)

// Seeds shared by the parser fuzz targets: documented shapes plus hostile ones.
func hostileSeeds() []string {
	return []string{
		"", "null", "[]", "{}", `"x"`, "12", "garbage <html>",
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		`{"status": 12345, "id": true}`, `{"records": {"a": 1}}`, `{"totalSize": "many"}`,
		"\xff\xfe\x00{", `{"a":` + strings.Repeat(`{"a":`, 500) + "1" + strings.Repeat("}", 501),
	}
}

func FuzzParseOkta(f *testing.F) {
	f.Add([]byte(`{"id":"00u1","status":"LOCKED_OUT","statusChanged":"2026-11-28T01:30:00.000Z","_links":{"forgotPassword":{"href":"x"}}}`))
	f.Add([]byte(`[{"factorType":"token:software:totp","status":"ACTIVE"}]`))
	for _, s := range hostileSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := parseOkta(b)
		if err == nil && (u.ID == "" || u.Status == "") {
			t.Fatalf("accepted a user without id or status: %q", b)
		}
		_, _ = parseOktaFactors(b)
		if err == nil {
			_, _, _ = oktaKind(u.Status)
		}
	})
}

func FuzzParseEntra(f *testing.F) {
	f.Add([]byte(`{"id":"e1","userPrincipalName":"a@b","accountEnabled":true,"passwordPolicies":"None","lastPasswordChangeDateTime":"2026-01-01T00:00:00Z","passwordProfile":{"forceChangePasswordNextSignIn":false}}`))
	f.Add([]byte(`{"passwordValidityPeriodInDays":2147483647,"passwordNotificationWindowInDays":14}`))
	f.Add([]byte(`{"passwordValidityPeriodInDays":-5,"passwordNotificationWindowInDays":99999999999}`))
	for _, s := range hostileSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if u, err := parseEntra(b); err == nil {
			entraKind(u)
		}
		v, n, err := parseEntraDomain(b)
		if err == nil && (v < 0 || n < 0) {
			t.Fatalf("negative policy %d/%d from %q", v, n, b)
		}
	})
}

func FuzzParseSalesforce(f *testing.F) {
	f.Add([]byte(`{"totalSize":1,"done":true,"records":[{"attributes":{"type":"User"},"Id":"005fixture00001AAA","IsActive":true,"Username":"a@b"}]}`))
	f.Add([]byte(`{"totalSize":1,"done":true,"records":[{"IsFrozen":true,"IsPasswordLocked":false}]}`))
	f.Add([]byte(`{"isExpired":true}`))
	for _, s := range hostileSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u, found, err := parseSalesforce(b)
		if err == nil && found && !sfID.MatchString(u.ID) {
			t.Fatalf("accepted an invalid Id %q", u.ID)
		}
		_, _ = parseSalesforceLogin(b)
		_, _ = parseSalesforcePassword(b)
	})
}

func FuzzParseKeycloak(f *testing.F) {
	f.Add([]byte(`[{"id":"k1","username":"locked","enabled":true,"totp":false,"requiredActions":["UPDATE_PASSWORD"]}]`))
	f.Add([]byte(`{"disabled":true,"numFailures":5,"lastFailure":1764293220000,"lastIPFailure":"10.1.2.3","failedLoginNotBefore":9223372036854775807}`))
	f.Add([]byte(`{"passwordPolicy":"length(8) and forceExpiredPasswordChange(90)"}`))
	f.Add([]byte(`[{"type":"password","createdDate":1764293220000}]`))
	for _, s := range hostileSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if u, found, err := parseKeycloak(b, "locked"); err == nil && found {
			br, _ := parseKeycloakBrute(b)
			keycloakKind(u, br)
		}
		if br, err := parseKeycloakBrute(b); err == nil {
			var st State
			kcLock(br, &st)
		}
		if d, err := parseKeycloakPolicy(b); err == nil && d < 0 {
			t.Fatalf("negative days %d", d)
		}
		_, _ = parseKeycloakCredentials(b)
	})
}

func FuzzParseGeneric(f *testing.F) {
	f.Add([]byte(`{"code":0,"data":{"status":1}}`), "data.status")
	f.Add([]byte(`{"data":{"list":[{"status":"2"}]}}`), "data.list.0.status")
	f.Add([]byte(`{"data":null}`), "data.status")
	for _, s := range hostileSeeds() {
		f.Add([]byte(s), "a.b.c")
	}
	states := map[string]string{"0": "disabled", "1": "active", "2": "not_activated", "null": "not_found"}
	f.Fuzz(func(t *testing.T, b []byte, path string) {
		v, err := parseGeneric(b, path)
		if err != nil {
			return
		}
		if k, err := genericKind(v, states); err == nil && k == "" {
			t.Fatalf("empty kind for %q", v)
		}
	})
}
