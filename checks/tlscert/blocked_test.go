package tlscert

import (
	"testing"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/reach"
)

func TestBlockedOnlyWhenTheLoginHostIsUnreachable(t *testing.T) {
	failed := func(eps ...reach.EndpointFacts) checks.Result {
		r := checks.Finding(checks.StatusFail, "NET_TIMEOUT", checks.SeverityCritical, checks.OwnerIT, "x")
		r.Data = reach.Facts{Endpoints: eps}
		return r
	}
	login := func(code string) reach.EndpointFacts { return reach.EndpointFacts{Role: "login", Code: code} }
	sso := func(code string) reach.EndpointFacts { return reach.EndpointFacts{Role: "endpoint", Code: code} }
	tests := []struct {
		name string
		deps checks.Deps
		want string
	}{
		{"net.reach passed", checks.Deps{"net.reach": checks.Pass("ok")}, ""},
		{"net.reach not selected", checks.Deps{}, ""},
		{"only the SSO endpoint failed", checks.Deps{"net.reach": failed(login("OK"), sso("NET_TIMEOUT"))}, ""},
		{"the login host failed", checks.Deps{"net.reach": failed(login("NET_REFUSED"), sso("OK"))}, "net.reach"},
		{"no facts", checks.Deps{"net.reach": failed()}, "net.reach"},
		{"net.reach crashed", checks.Deps{"net.reach": checks.Errored("boom")}, "net.reach"},
		{"net.reach blocked", checks.Deps{"net.reach": checks.Skip(checks.CodeBlocked, "")}, "net.reach"},
	}
	for _, tt := range tests {
		if got := (&Check{}).BlockedBy(tt.deps); got != tt.want {
			t.Errorf("%s: BlockedBy = %q, want %q", tt.name, got, tt.want)
		}
	}
}
