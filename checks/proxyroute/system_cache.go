package proxyroute

import (
	"context"
	"sync"
	"time"
)

// systemSettingsTTL is how long a read of the machine's proxy settings is
// reused. A run reads them once anyway (Env memoises routes per host); this
// spares `serve`, which runs a probe every few seconds, a gsettings or
// scutil process per probe (~15–20 ms of fork/exec on the critical path of
// dns.resolve, proxy.route and clock.skew). Ten seconds is below
// Prometheus' shortest usual scrape interval (15 s), so a changed setting
// is seen by the next scrape, as before.
const systemSettingsTTL = 10 * time.Second

// osSettings is the process's one cache of the machine's settings.
var osSettings settingsCache

// settingsCache remembers the last successful read for systemSettingsTTL
// and lets concurrent callers share one read in flight. A failed read is
// not remembered.
type settingsCache struct {
	mu      sync.Mutex
	s       SystemSettings
	readAt  time.Time
	pending chan struct{} // closed when the read in flight ends
}

// get returns the remembered settings while fresh, else reads them with
// read (once, for every caller waiting meanwhile). A caller whose ctx ends
// first stops waiting; the read itself runs under the first caller's ctx.
func (c *settingsCache) get(ctx context.Context, now func() time.Time, read func(context.Context) (SystemSettings, error)) (SystemSettings, error) {
	for {
		c.mu.Lock()
		if !c.readAt.IsZero() && now().Sub(c.readAt) < systemSettingsTTL {
			s := c.s
			c.mu.Unlock()
			return s, nil
		}
		if wait := c.pending; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue // fresh now, or that read failed: try again
			case <-ctx.Done():
				return SystemSettings{}, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.pending = done
		c.mu.Unlock()
		s, err := read(ctx)
		c.mu.Lock()
		if err == nil {
			c.s, c.readAt = s, now()
		}
		c.pending = nil
		close(done)
		c.mu.Unlock()
		return s, err
	}
}
