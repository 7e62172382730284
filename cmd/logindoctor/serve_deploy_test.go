package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks/builtin"
)

// deployDir is the repository's deploy/ directory.
const deployDir = "../../deploy"

// needTool returns the path of a program the test drives. Outside CI a
// missing one skips the test (make test installs it); under CI=true it
// fails it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: make test installs it (Debian package prometheus)", name)
		}
		t.Skipf("%s not found (Debian: apt-get install prometheus); make test installs it", name)
	}
	return path
}

// serveMetricNames are the metrics serve writes; deploy/ may use no other
// logindoctor_* name.
var serveMetricNames = []string{
	"logindoctor_probe_success", "logindoctor_probe_duration_seconds", "logindoctor_check_status",
	"logindoctor_check_duration_seconds", "logindoctor_top_fix_info", "logindoctor_tls_not_after_timestamp_seconds",
	"logindoctor_clock_skew_seconds", "logindoctor_rtt_seconds",
	"logindoctor_serve_probes_total", "logindoctor_serve_probe_duration_seconds", "logindoctor_serve_probe_queue_length",
	"logindoctor_serve_probes_in_flight", "logindoctor_config_last_reload_successful",
	"logindoctor_config_last_reload_success_timestamp_seconds", "logindoctor_serve_bad_requests_total",
	"logindoctor_inbox_uploads_total",
}

func TestServeDeployPromtool(t *testing.T) {
	promtool := needTool(t, "promtool")
	dir := filepath.Join(deployDir, "prometheus")
	for _, args := range [][]string{
		{"check", "config", "prometheus.yml"},
		{"check", "rules", "rules.yml"},
		{"test", "rules", "rules_test.yml"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, promtool, args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
}

func TestServeDeployModulesExampleLoads(t *testing.T) {
	reg, err := builtin.Registry()
	if err != nil {
		t.Fatal(err)
	}
	set, err := loadModules(filepath.Join(deployDir, "modules.example.yml"), reg)
	if err != nil {
		t.Fatal(err)
	}
	if got := set.names(); !slices.Equal(got, []string{"beijing", "shanghai", "shanghai_browser"}) {
		t.Errorf("modules %v", got)
	}
	if !set.Modules["shanghai_browser"].Browser || set.Modules["shanghai"].Browser {
		t.Errorf("browser modules wrong")
	}
}

// The dashboard is JSON, and it and the rules name only metrics serve writes.
func TestServeDeployNamesOnlyServeMetrics(t *testing.T) {
	dash, err := os.ReadFile(filepath.Join(deployDir, "grafana", "logindoctor.json"))
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(dash, &parsed); err != nil {
		t.Fatalf("dashboard is not JSON: %v", err)
	}
	if len(parsed.Panels) == 0 {
		t.Fatal("dashboard has no panels")
	}
	rules, err := os.ReadFile(filepath.Join(deployDir, "prometheus", "rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`logindoctor_[a-z_]+`)
	for _, text := range []string{string(dash), string(rules)} {
		for _, n := range name.FindAllString(text, -1) {
			if !slices.Contains(serveMetricNames, n) && !slices.Contains(serveMetricNames, strings.TrimSuffix(n, "_bucket")) {
				t.Errorf("deploy/ names %s, which serve does not write", n)
			}
		}
	}
	for _, p := range parsed.Panels {
		for _, tg := range p.Targets {
			if tg.Expr == "" {
				t.Errorf("panel %q has a target without a query", p.Title)
			}
		}
	}
}
