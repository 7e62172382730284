package pac

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
)

const corpPAC = `
function FindProxyForURL(url, host) {
	if (isPlainHostName(host) || dnsDomainIs(host, ".corp.example"))
		return "DIRECT";
	if (isInNet(dnsResolve(host), "10.0.0.0", "255.0.0.0"))
		return "DIRECT";
	if (shExpMatch(url, "https://crm.example.com/*"))
		return "PROXY proxy.corp.example:3128; DIRECT";
	return "PROXY fallback.corp.example:8080";
}`

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name, script, url, host string
		want                    string // Raw result
		kind                    string // ScriptError kind wanted instead
	}{
		{"plain host", corpPAC, "http://intranet/", "intranet", "DIRECT", ""},
		{"crm via proxy", corpPAC, "https://crm.example.com/", "crm.example.com", "PROXY proxy.corp.example:3128; DIRECT", ""},
		{"other via fallback", corpPAC, "https://v6.example.com/", "v6.example.com", "PROXY fallback.corp.example:8080", ""},
		{"Ex preferred", `function FindProxyForURL(u,h){return "DIRECT"}
			function FindProxyForURLEx(u,h){return "PROXY ex:1"}`, "https://a/", "a", "PROXY ex:1", ""},
		{"returns undefined", `function FindProxyForURL(u,h){ if (h == "x") return "DIRECT"; }`, "https://a/", "a", "", KindBadResult},
		{"returns number", `function FindProxyForURL(u,h){ return 42; }`, "https://a/", "a", "", KindBadResult},
		{"returns garbage", `function FindProxyForURL(u,h){ return "PRXY a:1"; }`, "https://a/", "a", "", KindBadResult},
		{"returns huge", `function FindProxyForURL(u,h){ return "PROXY " + "a".repeat(100000) + ":1"; }`, "https://a/", "a", "", KindBadResult},
		{"syntax error", `function FindProxyForURL(u,h) { return "DIRECT" `, "https://a/", "a", "", KindSyntax},
		{"throws on load", `throw new Error("boom")`, "https://a/", "a", "", KindException},
		{"throws in call", `function FindProxyForURL(u,h){ return undefinedThing.x; }`, "https://a/", "a", "", KindException},
		{"no function", `var x = 1;`, "https://a/", "a", "", KindNoFunction},
		{"deep recursion", `function f(n){ return f(n+1) + 1 } function FindProxyForURL(u,h){ return f(0) }`, "https://a/", "a", "", KindStackOverflow},
		{"nesting bomb", "var x = " + strings.Repeat("(", 500000) + "1" + strings.Repeat(")", 500000) + ";", "https://a/", "a", "", KindTooComplex},
		{"eval nesting bomb", `function FindProxyForURL(u,h){ return eval("(".repeat(200000) + "1" + ")".repeat(200000)) }`, "https://a/", "a", "", KindException},
		{"Function nesting bomb", `function FindProxyForURL(u,h){ return (function(){}).constructor("return " + "[".repeat(200000))() }`, "https://a/", "a", "", KindException},
		{"Function ok", `var F = (function(){}).constructor; function FindProxyForURL(u,h){ return F("return 'DIRECT'")() }`, "https://a/", "a", "DIRECT", ""},
		{"repeat bomb", `function FindProxyForURL(u,h){ return "x".repeat(4e8) }`, "https://a/", "a", "", KindException},
		{"padEnd bomb", `function FindProxyForURL(u,h){ return "x".padEnd(3e8) }`, "https://a/", "a", "", KindException},
		{"ArrayBuffer removed", `function FindProxyForURL(u,h){ return String(new ArrayBuffer(1e10).byteLength) }`, "https://a/", "a", "", KindException},
		{"fill bomb", `function FindProxyForURL(u,h){ return String(new Array(3e7).fill(1).length) }`, "https://a/", "a", "", KindException},
		{"join bomb", `function FindProxyForURL(u,h){ var a=[]; a.length=3e7; return a.join("x") }`, "https://a/", "a", "", KindException},
		{"apply bomb", `function FindProxyForURL(u,h){ return String(Math.max.apply(null, {length: 1e9})) }`, "https://a/", "a", "", KindException},
		{"arrays still work", `function FindProxyForURL(u,h){ var a=["PROXY", "p:1"]; return [1,2,3].map(function(x){return x}).length == 3 ? a.join(" ") : "DIRECT" }`, "https://a/", "a", "PROXY p:1", ""},
		{"regexp works", `function FindProxyForURL(u,h){ return /^crm\./.test(h) ? "DIRECT" : "PROXY p:1" }`, "https://crm.x/", "crm.x", "DIRECT", ""},
	}
	e := testEvaluator(testResolver())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res, err := e.Evaluate(context.Background(), tt.script, tt.url, tt.host)
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v", el)
			}
			if tt.kind != "" {
				var se *ScriptError
				if !errors.As(err, &se) || se.Kind != tt.kind {
					t.Fatalf("Evaluate = %+v, %v; want ScriptError %s", res, err, tt.kind)
				}
				if len(se.Error()) > 400 {
					t.Errorf("error message is %d bytes", len(se.Error()))
				}
				return
			}
			if err != nil || res.Raw != tt.want {
				t.Fatalf("Evaluate = %+v, %v; want %q", res, err, tt.want)
			}
		})
	}
}

func TestEvaluateLimits(t *testing.T) {
	const limit = 300 * time.Millisecond
	stuck := testResolver()
	stuck.stuckFor = 1500 * time.Millisecond // a resolver that ignores its context
	hanging := testResolver()
	hanging.hang = map[string]bool{}
	for i := range 100 {
		hanging.hang["h"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+".example"] = true
	}
	tests := []struct {
		name   string
		res    checks.Resolver
		script string
		check  func(error) bool
		want   string
		limit  time.Duration // 0: the 300ms default
	}{
		{"endless loop at top level", nil, `while (true) {}`, isTimeout, "ErrTimeout", 0},
		{"endless loop in call", nil, `function FindProxyForURL(u,h){ for(;;){} }`, isTimeout, "ErrTimeout", 0},
		{"endless catch loop", nil, `function FindProxyForURL(u,h){ for(;;){ try { throw 1 } catch(e) {} } }`, isTimeout, "ErrTimeout", 0},
		{"stuck Go helper", stuck, `function FindProxyForURL(u,h){ dnsResolve("nx.example"); return "DIRECT" }`, isTimeout, "ErrTimeout", 0},
		{"many hanging lookups", hanging, `function FindProxyForURL(u,h){ for (var i=0;i<100;i++) dnsResolve("h"+String.fromCharCode(97+i%26)+"x".repeat(Math.floor(i/26))+".example"); return "DIRECT" }`, isTimeout, "ErrTimeout", 0},
		{"allocates without end", nil, `var a = [], s = "x".repeat(1 << 19); while (true) a.push(s + a.length);`, isMemory, "ErrMemoryLimit", 2 * time.Second},
		// Doubling outruns the collector: the live-heap guard or the time
		// limit stops it, whichever comes first.
		{"string doubling", nil, `var s = "x"; while (true) s += s;`, isMemoryOrTimeout, "ErrMemoryLimit or ErrTimeout", time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.res
			if res == nil {
				res = testResolver()
			}
			e := testEvaluator(res)
			e.Timeout = limit
			if tt.limit != 0 {
				e.Timeout = tt.limit
			}
			e.MemoryLimit = 16 << 20
			t.Cleanup(func() { settleHeap(t) })
			start := time.Now()
			_, err := e.Evaluate(context.Background(), tt.script, "https://a/", "a")
			el := time.Since(start)
			if !tt.check(err) {
				t.Fatalf("err = %v; want %s", err, tt.want)
			}
			// Slack for scheduling on a loaded 2-core machine.
			if el > e.Timeout+250*time.Millisecond {
				t.Errorf("returned after %v; limit %v", el, e.Timeout)
			}
			t.Logf("%s: %v after %v", tt.name, err, el)
		})
	}
}

func isTimeout(err error) bool { return errors.Is(err, ErrTimeout) }
func isMemory(err error) bool {
	var se *ScriptError
	return errors.Is(err, ErrMemoryLimit) && errors.As(err, &se) && se.Kind == KindMemory
}

// settleHeap waits (up to 5 s) for a script abandoned inside a native call
// to finish and its memory to be freed, so that the next test's memory
// guard does not see it: the guard watches the whole process.
func settleHeap(t *testing.T) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	for range 50 {
		runtime.GC()
		metrics.Read(sample)
		if sample[0].Value.Uint64() < 32<<20 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("heap still %d MiB", sample[0].Value.Uint64()>>20)
}

func isMemoryOrTimeout(err error) bool { return isMemory(err) || isTimeout(err) }

func TestEvaluateTooLarge(t *testing.T) {
	e := testEvaluator(testResolver())
	e.MaxScriptSize = 1 << 10
	_, err := e.Evaluate(context.Background(), "//"+strings.Repeat("x", 2000), "https://a/", "a")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v; want ErrTooLarge", err)
	}
}

func TestEvaluateCancelled(t *testing.T) {
	e := testEvaluator(testResolver())
	e.Timeout = 5 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.Evaluate(ctx, `while(true){}`, "https://a/", "a")
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Fatalf("err = %v after %v; want context.Canceled soon", err, time.Since(start))
	}
}

func TestEvaluateCallerDeadlineIsTimeout(t *testing.T) {
	e := testEvaluator(testResolver())
	e.Timeout = 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := e.Evaluate(ctx, `while(true){}`, "https://a/", "a"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v; want ErrTimeout", err)
	}
}

func TestNestingDepth(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{"f(a[1], {b: 2})", 2},
		{`"((((" + '[[[['`, 0},
		{"// ((((\n(1)", 1},
		{"/* (((( */ [1]", 1},
		{`var r = /\)\)[)]/; (1)`, 1},
		{"(')')", 1},
		{"x = `a ${ (1) } b ${ [2] }`", 2},
		{"x = `((( ${ `${ ( }` } `", 3},
		{"a / b / (c)", 1},
		{strings.Repeat("(", 2000), 2000},
	}
	for _, tt := range tests {
		if got := nestingDepth(tt.src); got != tt.want {
			t.Errorf("nestingDepth(%q) = %d, want %d", tt.src[:min(40, len(tt.src))], got, tt.want)
		}
	}
}

func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{
		corpPAC,
		`function FindProxyForURL(u,h){ return "DIRECT" }`,
		`function FindProxyForURL(u,h){ while(1){} }`,
		`function FindProxyForURL(u,h){ return timeRange(9,17) ? "PROXY a:1" : "DIRECT" }`,
		`function FindProxyForURL(u,h){ return dateRange("JAN","MAR") + weekdayRange("MON") }`,
		`throw 1`, `(`, "`${", `function f(){f()} f()`,
	} {
		f.Add(s)
	}
	e := testEvaluator(testResolver())
	e.Timeout = 100 * time.Millisecond
	f.Fuzz(func(t *testing.T, script string) {
		res, err := e.Evaluate(context.Background(), script, "https://crm.example.com/", "crm.example.com")
		var se *ScriptError
		switch {
		case err == nil:
			if len(res.Proxies) == 0 {
				t.Fatalf("no proxies for %q", res.Raw)
			}
		case errors.Is(err, ErrTimeout), errors.Is(err, ErrTooLarge), errors.As(err, &se):
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}

func BenchmarkEvaluate(b *testing.B) {
	e := testEvaluator(testResolver())
	for b.Loop() {
		if _, err := e.Evaluate(context.Background(), corpPAC, "https://crm.example.com/", "crm.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
