package quality

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// The transfer: at most maxBytes within maxTransfer; below minBytes (a
// small login page) the speed cannot be told from the round trips.
const (
	maxBytes    = 2 << 20
	maxTransfer = 3 * time.Second
	minBytes    = 64 << 10
	// minRTTs: a transfer after the first byte shorter than this many
	// round trips is still in TCP's slow start, which would make a long
	// but fast path look slow.
	minRTTs      = 4
	maxRedirects = 5
	readBuf      = 32 << 10
)

// download is what fetching the login URL showed.
type download struct {
	url      string
	bytes    int64         // body bytes read
	measured int64         // bytes read after the first chunk
	elapsed  time.Duration // from the first chunk to the last
	cut      bool          // stopped at maxBytes or maxTransfer
	// skipped says why no speed can be given ("" when measured).
	skipped string
}

// bps is the measured speed in bit/s (0 when not measured).
func (d download) bps() float64 {
	if d.skipped != "" || d.elapsed <= 0 {
		return 0
	}
	return float64(d.measured*8) / d.elapsed.Seconds()
}

// measureDownload GETs the login URL along the route (following redirects
// on the login host only) and times the body after its first byte.
func measureDownload(ctx context.Context, env *checks.Env, route checks.Route, rtt time.Duration) download {
	u := *env.Target.URL
	u.User = nil
	d := download{url: u.String()}
	dctx, cancel := context.WithTimeout(ctx, maxTransfer)
	defer cancel()
	tr := env.Transport(route, env.MeasuringTLS()) // the speed, not the handshake, is measured
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: sameHost(u.Host)}
	req, err := http.NewRequestWithContext(dctx, http.MethodGet, d.url, nil)
	if err != nil {
		d.skipped = "the login URL cannot be requested: " + err.Error()
		return d
	}
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := client.Do(req)
	if err != nil {
		d.skipped = "the login page did not load: " + classify(err)
		return d
	}
	defer resp.Body.Close()
	d.read(dctx, resp.Body)
	d.judge(rtt)
	return d
}

// sameHost follows redirects that stay on host; others end the transfer
// with the redirect's own (small) body.
func sameHost(host string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects || req.URL.Host != host {
			return http.ErrUseLastResponse
		}
		return nil
	}
}

// read reads the body up to maxBytes, timing everything after the first
// chunk; the deadline ends it early.
func (d *download) read(ctx context.Context, body io.Reader) {
	buf := make([]byte, readBuf)
	var first time.Time
	for d.bytes < maxBytes {
		n, err := body.Read(buf[:min(int64(len(buf)), maxBytes-d.bytes)])
		if n > 0 {
			now := time.Now()
			if first.IsZero() {
				first = now
			} else {
				d.measured += int64(n)
				d.elapsed = now.Sub(first)
			}
			d.bytes += int64(n)
		}
		if err != nil {
			d.cut = !errors.Is(err, io.EOF) && ctx.Err() != nil
			return
		}
	}
	d.cut = true
}

// judge decides whether the transfer can tell the speed.
func (d *download) judge(rtt time.Duration) {
	switch {
	case d.bytes < minBytes && !d.cut:
		d.skipped = fmt.Sprintf("the login page is only %s: too small to measure the speed", size(d.bytes))
	case d.measured == 0 || d.elapsed <= 0:
		d.skipped = "no data arrived after the first chunk"
	case !d.cut && d.elapsed < minRTTs*rtt:
		d.skipped = fmt.Sprintf("the %s transfer took only %v, too few round trips to tell the speed", size(d.bytes), d.elapsed.Round(time.Millisecond))
	}
}

// size says a byte count in plain units.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
