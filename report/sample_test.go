package report

import (
	"flag"
	"io/fs"
	"os"
	"path"
	"testing"
	"testing/fstest"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// sampleStart and sampleID make every rendering of the sample stable.
var sampleStart = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

const sampleID = "LD-7K3QX9"

// sampleResults covers every status: pass, warn, fail, skip (BLOCKED and
// NOT_CONFIGURED) and error, with hostile characters in the evidence.
func sampleResults() []checks.Result {
	at := func(r checks.Result, id string, stage checks.Stage, ms int) checks.Result {
		r.Check, r.Stage, r.Duration = id, stage, time.Duration(ms)*time.Millisecond
		return r
	}
	blocked := func(id string, stage checks.Stage, by string) checks.Result {
		r := at(checks.Skip(checks.CodeBlocked, "not run: "+by+" did not pass"), id, stage, 0)
		r.BlockedBy = by
		return r.WithParam("blocked_by", by)
	}
	crashed := checks.Errored("the check crashed: boom").With("panic", "boom")
	return []checks.Result{
		at(checks.Finding(checks.StatusFail, "CLOCK_SKEW", checks.SeverityCritical, checks.OwnerYou,
			"local clock is 241s ahead of NTP 127.0.0.1:123").
			WithParam("offset", "4 min").With("offset_s", 241).With("source", "ntp 127.0.0.1:123"), "clock.skew", checks.StageDevice, 35),
		at(checks.Finding(checks.StatusWarn, "DEVICE_BROWSER_OUTDATED", checks.SeverityLow, checks.OwnerYou,
			"chrome 96 is older than the minimum 120").
			WithParam("browser", "Chrome").WithParam("version", "96").WithParam("minimum", "120").
			With("browsers", []map[string]any{{"family": "chrome", "version": "96.0.4664.45"}}), "device.browsers", checks.StageDevice, 4),
		at(checks.Pass("crm.example.com resolves to 203.0.113.10").
			With("addresses", []string{"203.0.113.10"}).With("resolver", "10.0.0.2:53"), "dns.resolve", checks.StageNetwork, 12),
		at(checks.Pass("direct"), "proxy.route", checks.StageNetwork, 1),
		at(checks.Pass("crm.example.com:443 reachable over IPv4 in 8 ms"), "net.reach", checks.StageNetwork, 9),
		at(checks.Finding(checks.StatusFail, "TLS_NOT_YET_VALID", checks.SeverityCritical, checks.OwnerAdmin,
			"certificate for crm.example.com is not valid before 2026-11-28T09:10:00Z").
			WithParam("host", "crm.example.com").WithParam("not_before", "2026-11-28 09:10 UTC").
			With("issuer", `CN=Evil <script>alert("x")</script> & | pipe `+"`tick` \x1b[31mred"), "tls.certificate", checks.StageNetwork, 48),
		blocked("http.login", checks.StageNetwork, "tls.certificate"),
		at(checks.NotConfigured("account.provider"), "account.status", checks.StageAccount, 0),
		blocked("browser.page", checks.StageBrowser, "http.login"),
		at(crashed, "policy.hours", checks.StagePolicy, 2),
		at(checks.Finding(checks.StatusWarn, "POLICY_IP_UNKNOWN", checks.SeverityLow, checks.OwnerIT,
			"could not learn the public IP: egress_ip_url not reachable"), "policy.network", checks.StagePolicy, 300),
	}
}

// testCatalog is the embedded core catalog plus testdata's sample area
// messages, so goldens do not change when real area catalogs do.
func testCatalog(t testing.TB) *catalog {
	t.Helper()
	m := fstest.MapFS{}
	add := func(fsys fs.FS, dir string) {
		files, err := fs.Glob(fsys, dir+"/*/*.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			buf, err := fs.ReadFile(fsys, f)
			if err != nil {
				t.Fatal(err)
			}
			if path.Base(f) == "core.yaml" || dir == "testdata/catalog" {
				m["i18n/"+path.Base(path.Dir(f))+"/"+path.Base(f)] = &fstest.MapFile{Data: buf}
			}
		}
	}
	add(catalogFiles, "i18n")
	add(os.DirFS("."), "testdata/catalog")
	cat := newCatalog(m)
	if cat.err != nil {
		t.Fatalf("test catalog: %v", cat.err)
	}
	if p := catalogProblems(cat.msgs); len(p) > 0 {
		t.Fatalf("test catalog languages disagree: %v", p)
	}
	return cat
}

func sampleOptions(cat *catalog, lang string) Options {
	return Options{
		Lang: lang, ToolName: "logindoctor", ToolVersion: "0.1.0",
		Target: "https://crm.example.com/login", StartedAt: sampleStart.Add(123 * time.Millisecond),
		Duration: 1840 * time.Millisecond, ReportID: sampleID, GOOS: "windows", catalog: cat,
	}
}

func sampleReport(t testing.TB, lang string) *Report {
	t.Helper()
	return Build(sampleResults(), sampleOptions(testCatalog(t), lang))
}
