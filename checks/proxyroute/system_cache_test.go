package proxyroute

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSettingsCacheReusesFreshReads(t *testing.T) {
	var c settingsCache
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	var reads atomic.Int32
	read := func(context.Context) (SystemSettings, error) {
		reads.Add(1)
		return SystemSettings{From: "GNOME proxy settings", Proxies: map[string]string{"http": "p:8080"}}, nil
	}
	ctx := context.Background()
	for range 3 {
		if s, err := c.get(ctx, clock, read); err != nil || s.Proxies["http"] != "p:8080" {
			t.Fatalf("get: %+v %v", s, err)
		}
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("%d reads within the TTL, want 1", n)
	}
	now = now.Add(systemSettingsTTL)
	if _, err := c.get(ctx, clock, read); err != nil || reads.Load() != 2 {
		t.Errorf("after the TTL: %d reads, %v; want a second read", reads.Load(), err)
	}
}

func TestSettingsCacheForgetsFailures(t *testing.T) {
	var c settingsCache
	clock := func() time.Time { return time.Unix(1000, 0) }
	fail := true
	read := func(context.Context) (SystemSettings, error) {
		if fail {
			return SystemSettings{}, errors.New("gsettings: exit 1")
		}
		return SystemSettings{From: "x"}, nil
	}
	if _, err := c.get(context.Background(), clock, read); err == nil {
		t.Fatal("a failed read succeeded")
	}
	fail = false
	if s, err := c.get(context.Background(), clock, read); err != nil || s.From != "x" {
		t.Errorf("a failed read was remembered: %+v %v", s, err)
	}
}

func TestSettingsCacheSharesOneReadInFlight(t *testing.T) {
	var c settingsCache
	release := make(chan struct{})
	var reads atomic.Int32
	read := func(context.Context) (SystemSettings, error) {
		reads.Add(1)
		<-release
		return SystemSettings{From: "x"}, nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if s, err := c.get(context.Background(), time.Now, read); err != nil || s.From != "x" {
				t.Errorf("get: %+v %v", s, err)
			}
		})
	}
	// A caller whose context ends stops waiting for the read in flight.
	for reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.get(ctx, time.Now, read); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled caller waited: %v", err)
	}
	close(release)
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Errorf("%d reads for 8 concurrent callers, want 1", n)
	}
}
