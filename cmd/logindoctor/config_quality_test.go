package main

import (
	"strings"
	"testing"
	"time"
)

// TestQualityKeys: quality.latency_warn and quality.min_bandwidth reach the
// Target (defaults 250 ms and 2 Mbit/s), and bad values name their key.
func TestQualityKeys(t *testing.T) {
	s, err := load(t, "url: https://a.example\n", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q := s.Target.Quality; q.LatencyWarn != 250*time.Millisecond || q.MinBandwidth != 2_000_000 {
		t.Errorf("defaults = %+v, want 250ms and 2 Mbit/s", q)
	}
	s, err = load(t, "url: https://a.example\nquality:\n  latency_warn: 400ms\n  min_bandwidth: 10Mbit/s\n",
		map[string]string{"LOGINDOCTOR_QUALITY_MIN_BANDWIDTH": "500kbit"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q := s.Target.Quality; q.LatencyWarn != 400*time.Millisecond || q.MinBandwidth != 500_000 {
		t.Errorf("got %+v, want 400ms and the environment's 500 kbit/s", q)
	}
	for key, yaml := range map[string]string{
		"quality.latency_warn":  "quality:\n  latency_warn: slow\n",
		"quality.min_bandwidth": "quality:\n  min_bandwidth: 2MB\n",
	} {
		if _, err := load(t, "url: https://a.example\n"+yaml, nil, nil); err == nil || !strings.Contains(err.Error(), `"`+key+`"`) {
			t.Errorf("error = %v, want one naming %q", err, key)
		}
	}
}
