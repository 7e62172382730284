package browser

import (
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/checks"
)

// checks.Env.BrowserHostRules reaches Chrome's command line, so names that
// live in a run's private resolver (the demo's) resolve in the browser too.
func TestLauncherHostResolverRules(t *testing.T) {
	spec := launchSpec{Bin: "/usr/bin/chromium", Route: checks.Route{Source: checks.SourceDirect}, HostRules: "MAP crm.demo.test 127.0.0.1"}
	args := strings.Join(launcherFor(spec, "/tmp/p").FormatArgs(), " ")
	if !strings.Contains(args, "--host-resolver-rules=MAP crm.demo.test 127.0.0.1") {
		t.Errorf("no host resolver rules in %s", args)
	}
	spec.HostRules = ""
	if args := strings.Join(launcherFor(spec, "/tmp/p").FormatArgs(), " "); strings.Contains(args, "host-resolver-rules") {
		t.Errorf("host resolver rules without any set: %s", args)
	}
}
