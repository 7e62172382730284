package quality_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/proxyroute"
	"github.com/logindoctor/logindoctor/checks/quality"
	"github.com/logindoctor/logindoctor/checks/reach"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
)

// checkTimeout is the check's deadline in these tests: room for the
// probes and the whole 3 s transfer.
const checkTimeout = 6 * time.Second

// loginServer serves a login page of size bytes on loopback (plain HTTP:
// the path, not the certificate, is under test).
func loginServer(t testing.TB, size int) string {
	t.Helper()
	body := bytes.Repeat([]byte("<p>login</p>"), size/12+1)[:size]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// relay puts a faultnet relay in front of addr.
func relay(t testing.TB, addr string, cfg faultnet.RelayConfig) string {
	t.Helper()
	cfg.Target = addr
	r, err := faultnet.StartRelay(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r.Addr()
}

// run runs net.reach and then net.quality against http://addr/login, as
// the runner would, and returns net.quality's result.
func run(t testing.TB, addr string, q checks.QualityConfig) checks.Result {
	t.Helper()
	u, _ := url.Parse("http://" + addr + "/login")
	env := checks.NewEnv(checks.Target{URL: u, Quality: q})
	route := checks.Pass("direct")
	route.Data = checks.Route{Source: checks.SourceDirect}
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	r := reach.New(reach.Options{}).Run(ctx, env, checks.Deps{proxyroute.ID: route})
	if r.Status != checks.StatusPass {
		t.Fatalf("net.reach = %s %s: %s", r.Status, r.Code, r.Summary)
	}
	res := quality.New().Run(ctx, env, checks.Deps{reach.ID: r})
	if ctx.Err() != nil {
		t.Fatalf("net.quality returned after its deadline")
	}
	return res
}

func TestCleanLinkPasses(t *testing.T) {
	res := run(t, loginServer(t, 2<<20), checks.QualityConfig{})
	if res.Status != checks.StatusPass || res.Code != checks.CodeOK {
		t.Fatalf("got %s %s: %s", res.Status, res.Code, res.Summary)
	}
	if rtt, ok := res.Evidence["rtt_ms"].(float64); !ok || rtt <= 0 || rtt > 250 {
		t.Errorf("rtt_ms = %v, want a loopback round trip", res.Evidence["rtt_ms"])
	}
	if res.Evidence["lost"] != 0 || res.Evidence["download_mbit_s"] == nil {
		t.Errorf("evidence %v: want no loss and a measured download", res.Evidence)
	}
}

func TestHighLatency(t *testing.T) {
	addr := relay(t, loginServer(t, 4<<10), faultnet.RelayConfig{Latency: 300 * time.Millisecond})
	res := run(t, addr, checks.QualityConfig{})
	if res.Status != checks.StatusWarn || res.Code != quality.CodeHighLatency {
		t.Fatalf("got %s %s: %s", res.Status, res.Code, res.Summary)
	}
	if rtt := res.Evidence["rtt_ms"].(float64); rtt < 300 {
		t.Errorf("rtt_ms = %v, want the relay's 300 ms", rtt)
	}
	if res.Params["rtt"] == "" || res.Params["limit"] != "250ms" || res.Owner != checks.OwnerYou {
		t.Errorf("params %v owner %s", res.Params, res.Owner)
	}
	// A small page says so instead of guessing a speed.
	if dl, _ := res.Evidence["download"].(string); dl == "" {
		t.Errorf("a 4 KiB page must leave the speed unmeasured, evidence %v", res.Evidence)
	}
}

func TestLatencyBelowTheConfiguredLimit(t *testing.T) {
	addr := relay(t, loginServer(t, 4<<10), faultnet.RelayConfig{Latency: 300 * time.Millisecond})
	res := run(t, addr, checks.QualityConfig{LatencyWarn: time.Second})
	if res.Code != checks.CodeOK {
		t.Fatalf("with quality.latency_warn 1s: got %s: %s", res.Code, res.Summary)
	}
}

func TestPacketLoss(t *testing.T) {
	addr := relay(t, loginServer(t, 4<<10), faultnet.RelayConfig{DropFraction: 0.3})
	res := run(t, addr, checks.QualityConfig{})
	if res.Status != checks.StatusWarn || res.Code != quality.CodePacketLoss {
		t.Fatalf("got %s %s: %s", res.Status, res.Code, res.Summary)
	}
	if lost := res.Evidence["lost"].(int); lost < 1 {
		t.Errorf("lost = %d", lost)
	}
}

func TestSlowLink(t *testing.T) {
	addr := relay(t, loginServer(t, 2<<20), faultnet.RelayConfig{Rate: 500_000})
	res := run(t, addr, checks.QualityConfig{})
	if res.Status != checks.StatusWarn || res.Code != quality.CodeSlowLink {
		t.Fatalf("got %s %s: %s", res.Status, res.Code, res.Summary)
	}
	mbit := res.Evidence["download_mbit_s"].(float64)
	if mbit > 0.6 || mbit < 0.3 {
		t.Errorf("measured %v Mbit/s through a 500 kbit/s relay", mbit)
	}
	if res.Params["speed"] == "" || res.Params["min"] != "2 Mbit/s" {
		t.Errorf("params %v", res.Params)
	}
}

func TestSlowLinkAboveTheConfiguredMinimum(t *testing.T) {
	addr := relay(t, loginServer(t, 2<<20), faultnet.RelayConfig{Rate: 500_000})
	res := run(t, addr, checks.QualityConfig{MinBandwidth: 100_000})
	if res.Code != checks.CodeOK {
		t.Fatalf("with quality.min_bandwidth 100kbit: got %s: %s", res.Code, res.Summary)
	}
}

func TestParseBandwidth(t *testing.T) {
	for in, want := range map[string]int64{"2Mbit": 2e6, "500kbit": 5e5, "10Mbit/s": 1e7, "1.5 Mbps": 1.5e6, "2000000": 2e6, "100 kbit/s": 1e5} {
		if got, err := quality.ParseBandwidth(in); err != nil || got != want {
			t.Errorf("ParseBandwidth(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "fast", "-2Mbit", "2MB", "0"} {
		if _, err := quality.ParseBandwidth(bad); err == nil {
			t.Errorf("ParseBandwidth(%q) accepted", bad)
		}
	}
}

// BenchmarkCleanLink is the check's cost on a good link (a 64 KiB page on
// loopback): it runs alongside tls.certificate and http.login.
func BenchmarkCleanLink(b *testing.B) {
	addr := loginServer(b, 64<<10)
	for b.Loop() {
		if res := run(b, addr, checks.QualityConfig{}); res.Code != checks.CodeOK {
			b.Fatal(res.Summary)
		}
	}
}

// BenchmarkOfficeLink is the check on an office link: 10 ms round trips
// (a relay delays every answer), the same 64 KiB page. The six round
// trips run two at a time, so they cost about three round trips of the
// run's critical path, not six.
func BenchmarkOfficeLink(b *testing.B) {
	addr := relay(b, loginServer(b, 64<<10), faultnet.RelayConfig{Latency: 10 * time.Millisecond})
	for b.Loop() {
		if res := run(b, addr, checks.QualityConfig{}); res.Code != checks.CodeOK {
			b.Fatal(res.Summary)
		}
	}
}
