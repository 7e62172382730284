package quality

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

// lossWarn is the share of lost probes from which the loss is reported.
const lossWarn = 0.05

// problem is one threshold crossed.
type problem struct {
	code, summary string
}

// verdict judges the measurements: the first problem of loss, a slow
// link, high latency becomes the code (all warnings), every one is listed.
func verdict(l limits, pt target, rt roundTrips, dl download) checks.Result {
	where := pt.addr
	if pt.proxied {
		where = "the proxy " + pt.addr
	}
	probs := problems(l, rt, dl, where)
	var res checks.Result
	if len(probs) == 0 {
		res = checks.Pass(passSummary(rt, dl, where))
	} else {
		res = checks.Finding(checks.StatusWarn, probs[0].code, checks.SeverityLow, owner(pt), probs[0].summary)
		if len(probs) > 1 {
			all := make([]string, len(probs))
			for i, p := range probs {
				all[i] = p.code + ": " + p.summary
			}
			res = res.With("problems", all)
		}
	}
	res.Params = params(l, pt, rt, dl)
	return withEvidence(res, pt, rt, dl)
}

// owner: a path the person controls (Wi-Fi, cable) is theirs; the path
// through the company proxy is IT's.
func owner(pt target) checks.Owner {
	if pt.proxied {
		return checks.OwnerIT
	}
	return checks.OwnerYou
}

func problems(l limits, rt roundTrips, dl download, where string) []problem {
	var out []problem
	if n := len(rt.samples); n > 0 && float64(rt.lost())/float64(n) >= lossWarn {
		out = append(out, problem{CodePacketLoss, fmt.Sprintf("%d of %d connects to %s were lost or needed a retransmit (%s)",
			rt.lost(), n, where, rt.firstError())})
	}
	if bps := dl.bps(); bps > 0 && bps < float64(l.bandwidth) {
		out = append(out, problem{CodeSlowLink, fmt.Sprintf("the login page downloaded at %s, below the %s needed (%s in %v)",
			FormatBandwidth(int64(bps)), FormatBandwidth(l.bandwidth), size(dl.measured), dl.elapsed.Round(time.Millisecond))})
	}
	if m := rt.median(); m > l.latency {
		out = append(out, problem{CodeHighLatency, fmt.Sprintf("the median round trip to %s is %s, above %s (jitter %s)",
			where, ms(m), ms(l.latency), ms(rt.jitter()))})
	}
	return out
}

func passSummary(rt roundTrips, dl download, where string) string {
	s := fmt.Sprintf("round trip to %s %s (jitter %s), %d of %d probes lost", where, ms(rt.median()), ms(rt.jitter()), rt.lost(), len(rt.samples))
	if bps := dl.bps(); bps > 0 {
		return s + fmt.Sprintf("; download %s (%s)", FormatBandwidth(int64(bps)), size(dl.bytes))
	}
	return s + "; download speed not measured: " + dl.skipped
}

func params(l limits, pt target, rt roundTrips, dl download) map[string]string {
	p := map[string]string{"host": pt.serverName, "rtt": ms(rt.median()), "limit": ms(l.latency),
		"jitter": ms(rt.jitter()), "lost": strconv.Itoa(rt.lost()), "probes": strconv.Itoa(len(rt.samples)),
		"speed": "", "min": FormatBandwidth(l.bandwidth), "proxy": ""}
	if pt.proxied {
		p["proxy"] = pt.addr
	}
	if bps := dl.bps(); bps > 0 {
		p["speed"] = FormatBandwidth(int64(bps))
	}
	return p
}

func withEvidence(res checks.Result, pt target, rt roundTrips, dl download) checks.Result {
	samples := make([]int64, 0, len(rt.samples))
	for _, s := range rt.samples {
		if !s.lost() {
			samples = append(samples, s.rtt().Microseconds())
		}
	}
	res = res.With("measured_to", pt.addr).With("route", pt.route).With("probes", len(rt.samples)).
		With("lost", rt.lost()).With("rtt_ms", msFloat(rt.median())).With("jitter_ms", msFloat(rt.jitter())).
		With("rtt_samples_us", samples)
	if pt.proxied {
		res = res.With("note", "behind a proxy the round trips are measured to the proxy, the first hop this computer reaches")
	}
	if e := rt.firstError(); e != "" {
		res = res.With("loss_detail", e)
	}
	res = res.With("download_url", dl.url).With("download_bytes", dl.bytes)
	if bps := dl.bps(); bps > 0 {
		return res.With("download_mbit_s", float64(int64(bps/1e3))/1e3).With("download_ms", dl.elapsed.Milliseconds())
	}
	return res.With("download", "not measured: "+dl.skipped)
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func msFloat(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ParseBandwidth reads a speed in bits per second: "2Mbit", "500kbit",
// "10Mbit/s", "1.5 Mbps", "2000000" (no unit: bit/s); a capital B (bytes) is refused. Units are decimal
// (k = 1000) and case-insensitive.
func ParseBandwidth(s string) (int64, error) {
	raw := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	if strings.HasSuffix(raw, "B") || strings.HasSuffix(raw, "Bps") {
		return 0, fmt.Errorf("%q looks like bytes: write the speed in bits, e.g. 2Mbit", s)
	}
	t := strings.ToLower(raw)
	t = strings.TrimSuffix(t, "ps")
	t = strings.TrimSuffix(strings.TrimSuffix(t, "bits"), "bit")
	t = strings.TrimSuffix(t, "b")
	mult := 1.0
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k':
			mult, t = 1e3, t[:n-1]
		case 'm':
			mult, t = 1e6, t[:n-1]
		case 'g':
			mult, t = 1e9, t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || v <= 0 || v*mult > 1e12 {
		return 0, fmt.Errorf("%q is not a bandwidth (write e.g. 2Mbit, 500kbit or 10Mbit/s)", s)
	}
	return int64(v * mult), nil
}

// FormatBandwidth says a speed in bit/s the way people write it.
func FormatBandwidth(bps int64) string {
	switch {
	case bps >= 1e6:
		return strings.TrimSuffix(strconv.FormatFloat(float64(bps)/1e6, 'f', 1, 64), ".0") + " Mbit/s"
	case bps >= 1e3:
		return strconv.FormatInt(bps/1e3, 10) + " kbit/s"
	}
	return strconv.FormatInt(bps, 10) + " bit/s"
}
