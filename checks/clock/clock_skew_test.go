package clock

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/fixtures/faultnet"
	"github.com/logindoctor/logindoctor/fixtures/ntpserver"
)

// ntpAt starts an NTP fixture whose clock is skew ahead of true time.
func ntpAt(t *testing.T, opt ntpserver.Options) string {
	t.Helper()
	s, err := ntpserver.Start(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.Addr()
}

// dateServer is a real loopback web server whose Date header is skew ahead
// of true time ("" date: the real one; "garbage": unreadable).
func dateServer(t *testing.T, tlsOn bool, skew time.Duration, garbage bool) *httptest.Server {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := time.Now().Add(skew).UTC().Format(http.TimeFormat)
		if garbage {
			d = "yesterday-ish"
		}
		w.Header().Set("Date", d)
		w.WriteHeader(http.StatusOK)
	})
	var s *httptest.Server
	if tlsOn {
		s = httptest.NewTLSServer(h) // its certificate is trusted only via trustServer
	} else {
		s = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

// trustServer makes env's run trust s's certificate, as --ca-file would.
func trustServer(env *checks.Env, s *httptest.Server) {
	if env.RootCAs == nil {
		env.RootCAs = x509.NewCertPool()
	}
	env.RootCAs.AddCert(s.Certificate())
}

// hangServer accepts TCP connections and never answers.
func hangServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
			close(done)
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

func newEnv(crm string, ntp ...string) *checks.Env {
	env := &checks.Env{Now: time.Now, GOOS: "linux", Dialer: &net.Dialer{}, Getenv: func(string) string { return "" }}
	if crm != "" {
		env.Target.URL, _ = url.Parse(crm)
	}
	env.Target.Clock = checks.ClockConfig{NTPServers: ntp, MaxSkew: 30 * time.Second}
	return env
}

func run(t *testing.T, env *checks.Env, timeout time.Duration) (checks.Result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	r := New().Run(ctx, env, nil)
	return r, time.Since(start)
}

func TestSkew(t *testing.T) {
	tests := []struct {
		name      string
		local     time.Duration // how far the local clock is ahead
		inject    bool          // skew env.Now instead of the servers
		status    checks.Status
		code      string
		words     string
		direction string
	}{
		{"5 min fast", 5 * time.Minute, false, checks.StatusFail, CodeSkew, "5 min", "fast"},
		{"90 s slow", -90 * time.Second, false, checks.StatusFail, CodeSkew, "90 s", "slow"},
		{"20 s fast", 20 * time.Second, false, checks.StatusWarn, CodeSkewWarn, "20 s", "fast"},
		{"on time", 0, false, checks.StatusPass, checks.CodeOK, "0 s", ""},
		{"injected clock 4 min 12 s fast", 4*time.Minute + 12*time.Second, true, checks.StatusFail, CodeSkew, "4 min 12 s", "fast"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			serverSkew := -tc.local
			if tc.inject {
				serverSkew = 0
			}
			crm := dateServer(t, false, serverSkew, false)
			env := newEnv(crm.URL, ntpAt(t, ntpserver.Options{Skew: serverSkew}))
			if tc.inject {
				env.Now = func() time.Time { return time.Now().Add(tc.local) }
			}
			r, _ := run(t, env, 2*time.Second)
			if r.Status != tc.status || r.Code != tc.code {
				t.Fatalf("got %s/%s (%s), want %s/%s", r.Status, r.Code, r.Summary, tc.status, tc.code)
			}
			if r.Params["offset_words"] != tc.words || tc.direction != "" && r.Params["direction"] != tc.direction {
				t.Errorf("params %v, want %q %q", r.Params, tc.words, tc.direction)
			}
			if got := r.Evidence["skew_s"].(float64); got < tc.local.Seconds()-1 || got > tc.local.Seconds()+1 {
				t.Errorf("skew_s %v, want about %v", got, tc.local.Seconds())
			}
			if r.Evidence["measured_by"] != KindNTP {
				t.Errorf("measured_by %v, want ntp", r.Evidence["measured_by"])
			}
			if _, ok := r.Evidence["disagreement"]; ok {
				t.Errorf("unexpected disagreement: %s", r.Summary)
			}
			if r.Variant != "linux" {
				t.Errorf("variant %q", r.Variant)
			}
			if r.Status != checks.StatusPass && (r.Owner != checks.OwnerYou || r.Params["max_skew"] != "30") {
				t.Errorf("owner %q params %v", r.Owner, r.Params)
			}
		})
	}
}

func TestDateOnly(t *testing.T) {
	tests := []struct {
		name string
		ntp  ntpserver.Options
		kiss string
	}{
		{"udp blocked (silent NTP)", ntpserver.Options{Behaviour: ntpserver.Silent}, ""},
		{"kiss of death", ntpserver.Options{Behaviour: ntpserver.Kiss, KissCode: "DENY", Skew: time.Hour}, "DENY"},
		{"malformed NTP reply", ntpserver.Options{Behaviour: ntpserver.Garbage}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			crm := dateServer(t, false, -5*time.Minute, false)
			sso := dateServer(t, true, -5*time.Minute, false)
			env := newEnv(crm.URL, ntpAt(t, tc.ntp))
			env.Target.Endpoints = []string{sso.Listener.Addr().String()}
			trustServer(env, sso)
			r, d := run(t, env, time.Second)
			if r.Code != CodeSkew || r.Params["offset_words"] != "5 min" || r.Params["direction"] != "fast" {
				t.Fatalf("got %s %v (%s)", r.Code, r.Params, r.Summary)
			}
			if r.Evidence["measured_by"] != KindDate {
				t.Errorf("measured_by %v, want http-date", r.Evidence["measured_by"])
			}
			if d > time.Second {
				t.Errorf("took %v", d)
			}
			srcs := r.Evidence["sources"].([]map[string]any)
			if len(srcs) != 3 {
				t.Fatalf("sources %v", srcs)
			}
			if srcs[0]["state"] == StateOK || srcs[0]["reason"] == "" {
				t.Errorf("NTP source %v should have failed with a reason", srcs[0])
			}
			if tc.kiss != "" && (srcs[0]["state"] != StateRefused || srcs[0]["kiss_code"] != tc.kiss ||
				!strings.Contains(srcs[0]["reason"].(string), "source refused")) {
				t.Errorf("kiss not reported: %v", srcs[0])
			}
			if srcs[1]["state"] != StateOK || srcs[2]["state"] != StateOK {
				t.Errorf("Date sources (plain, and TLS with a certificate trusted via the run's roots) should answer: %v", srcs[1:])
			}
			if u := r.Evidence["uncertainty_s"].(float64); u < 0.5 || u > 1 {
				t.Errorf("Date uncertainty %v, want 0.5 s + rtt/2", u)
			}
		})
	}
}

func TestAllSourcesDead(t *testing.T) {
	hang := hangServer(t)
	blackholed := "192.0.2.1:443" // never dialled: the black hole takes it
	env := newEnv("http://"+hang+"/login",
		ntpAt(t, ntpserver.Options{Behaviour: ntpserver.Silent}),
		ntpAt(t, ntpserver.Options{Behaviour: ntpserver.Kiss}))
	env.Target.Endpoints = []string{blackholed}
	env.Dialer = faultnet.ByAddr{Rules: map[string]faultnet.Dialer{blackholed: faultnet.BlackHole{}}}
	const deadline = 800 * time.Millisecond
	r, d := run(t, env, deadline)
	if r.Status != checks.StatusSkip || r.Code != CodeUnverified {
		t.Fatalf("got %s/%s (%s), want skip/%s", r.Status, r.Code, r.Summary, CodeUnverified)
	}
	if d > deadline {
		t.Errorf("took %v, beyond the check deadline %v", d, deadline)
	}
	srcs := r.Evidence["sources"].([]map[string]any)
	if len(srcs) != 4 {
		t.Fatalf("want 4 sources, got %v", srcs)
	}
	for _, s := range srcs {
		if s["state"] == StateOK || s["reason"] == "" || s["reason"] == nil {
			t.Errorf("source without a reason: %v", s)
		}
	}
	for _, want := range []string{"timed out", "kiss-of-death RATE"} {
		if !strings.Contains(r.Summary, want) {
			t.Errorf("summary %q lacks %q", r.Summary, want)
		}
	}
	if r.Params["sources"] == "" {
		t.Error("no sources param")
	}
}

func TestNothingConfigured(t *testing.T) {
	r, _ := run(t, newEnv(""), time.Second)
	if r.Status != checks.StatusSkip || r.Code != CodeUnverified {
		t.Fatalf("got %s/%s", r.Status, r.Code)
	}
}

func TestDisagreement(t *testing.T) {
	t.Run("CRM Date disagrees with NTP", func(t *testing.T) {
		crm := dateServer(t, false, 5*time.Minute, false)
		env := newEnv(crm.URL, ntpAt(t, ntpserver.Options{}))
		r, _ := run(t, env, time.Second)
		if r.Code != checks.CodeOK {
			t.Fatalf("NTP must win over Date: got %s (%s)", r.Code, r.Summary)
		}
		dis, ok := r.Evidence["disagreement"].([]map[string]any)
		if !ok || len(dis) != 1 || dis[0]["kind"] != KindDate {
			t.Fatalf("disagreement %v", r.Evidence["disagreement"])
		}
		if !strings.Contains(r.Summary, "5 min slow") {
			t.Errorf("summary %q should say what the Date source claims", r.Summary)
		}
	})
	t.Run("one NTP server against two", func(t *testing.T) {
		env := newEnv("",
			ntpAt(t, ntpserver.Options{Skew: 0}),
			ntpAt(t, ntpserver.Options{Skew: 10 * time.Minute}),
			ntpAt(t, ntpserver.Options{Skew: 500 * time.Millisecond}))
		r, _ := run(t, env, time.Second)
		if r.Code != checks.CodeOK {
			t.Fatalf("majority says on time: got %s (%s)", r.Code, r.Summary)
		}
		dis, _ := r.Evidence["disagreement"].([]map[string]any)
		if len(dis) != 1 || dis[0]["source"] != env.Target.Clock.NTPServers[1] {
			t.Fatalf("disagreement %v", dis)
		}
		if sk := r.Evidence["skew_s"].(float64); sk > 0 || sk < -0.6 {
			t.Errorf("median of the agreeing pair: skew_s %v", sk)
		}
	})
}

func TestGarbageDate(t *testing.T) {
	crm := dateServer(t, false, 0, true)
	r, _ := run(t, newEnv(crm.URL), time.Second)
	if r.Code != CodeUnverified || !strings.Contains(r.Summary, "unreadable Date header") {
		t.Fatalf("got %s (%s)", r.Code, r.Summary)
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		d     time.Duration
		words string
		parts offsetParts
	}{
		{252 * time.Second, "4 min 12 s", offsetParts{Minutes: "4", Seconds: "12"}},
		{-90 * time.Second, "90 s", offsetParts{Seconds: "90"}},
		{5 * time.Minute, "5 min", offsetParts{Minutes: "5"}},
		{3*time.Hour + 5*time.Minute + 10*time.Second, "3 h 5 min", offsetParts{Hours: "3", Minutes: "5"}},
		{50 * time.Hour, "2 days 2 h", offsetParts{Days: "2", Hours: "2"}},
		{24*time.Hour + 20*time.Minute, "24 h 20 min", offsetParts{Hours: "24", Minutes: "20"}},
		{-(72*time.Hour + 20*time.Minute), "3 days", offsetParts{Days: "3"}},
		{0, "0 s", offsetParts{Seconds: "0"}},
	}
	for _, tc := range tests {
		p := splitOffset(tc.d)
		if p != tc.parts || p.words() != tc.words {
			t.Errorf("%v: %+v %q, want %+v %q", tc.d, p, p.words(), tc.parts, tc.words)
		}
	}
	for skew, want := range map[time.Duration]time.Duration{
		8*time.Hour + 40*time.Second: 8 * time.Hour, -time.Hour: -time.Hour, 5 * time.Minute: 0,
		90 * time.Minute: 90 * time.Minute, 5*time.Hour + 31*time.Minute: 330 * time.Minute, 100 * time.Minute: 0,
		-14 * time.Hour: -14 * time.Hour, 15 * time.Hour: 0, -72 * time.Hour: 0, 72*time.Hour + time.Minute: 0,
	} {
		if got := zoneLikeOffset(skew); got != want {
			t.Errorf("zoneLikeOffset(%v) = %v, want %v", skew, got, want)
		}
	}
	if utcOffset(8*3600) != "+08:00" || utcOffset(-(5*3600+1800)) != "-05:30" {
		t.Error("utcOffset")
	}
}

func TestZoneSuspect(t *testing.T) {
	crm := dateServer(t, false, -8*time.Hour, false)
	r, _ := run(t, newEnv(crm.URL), time.Second)
	if r.Code != CodeSkew || r.Evidence["time_zone_suspect"] != true || !strings.Contains(r.Summary, "time zone") {
		t.Fatalf("got %s %v (%s)", r.Code, r.Evidence["time_zone_suspect"], r.Summary)
	}
	if r.Params["offset_hours"] != "8" || r.Params["offset_words"] != "8 h" {
		t.Errorf("params %v", r.Params)
	}
}

func TestEndpointURL(t *testing.T) {
	for in, want := range map[string]string{
		"sso.example.com:443":    "https://sso.example.com/",
		"sso.example.com":        "https://sso.example.com/",
		"api.example.com:8443":   "https://api.example.com:8443/",
		"push.example.com:80":    "http://push.example.com/",
		"[2001:db8::1]:443":      "https://[2001:db8::1]/",
		"https://idp.example/x?": "https://idp.example/",
	} {
		if u := endpointURL(in); u == nil || u.String() != want {
			t.Errorf("endpointURL(%q) = %v, want %s", in, u, want)
		}
	}
	env := newEnv("https://user:pw@crm.example.com/login")
	env.Target.Endpoints = []string{"crm.example.com:443", "sso.example.com:443"}
	urls := dateURLs(env.Target)
	if len(urls) != 2 || urls[0].User != nil {
		t.Errorf("dateURLs %v", urls)
	}
}

// A clock days off is not a time zone mistake, even when the offset is a
// whole number of hours.
func TestDaysOffIsNotATimeZone(t *testing.T) {
	crm := dateServer(t, false, -72*time.Hour, false)
	r, _ := run(t, newEnv(crm.URL), time.Second)
	if r.Code != CodeSkew || r.Evidence["time_zone_suspect"] != nil || strings.Contains(r.Summary, "time zone") {
		t.Fatalf("got %s %v (%s)", r.Code, r.Evidence["time_zone_suspect"], r.Summary)
	}
}
