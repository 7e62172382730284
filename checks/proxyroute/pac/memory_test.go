package pac

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// peakHeap samples the heap objects (HeapAlloc) every millisecond until
// the returned func is called; that func returns the high-water mark's
// growth over the heap when peakHeap was called.
func peakHeap() func() uint64 {
	read := func() uint64 {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	peak.Store(base)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak.Load() - base
	}
}

// TestEvaluateMemoryBound: scripts that double a string (or build one with
// an amplifying built-in) stop with a typed error, and the heap never grows
// by more than the limit plus a documented slack while they run, nor in
// the moment after Evaluate returns (an abandoned native call would keep
// allocating).
func TestEvaluateMemoryBound(t *testing.T) {
	const (
		limit = 64 << 20
		slack = 32 << 20 // sampling interval and interrupt latency, see guardMemory
	)
	attacks := map[string]string{
		"s += s":           `var s = "x"; while (true) { s += s; }`,
		"s = s + s":        `var s = "x"; while (true) { s = s + s; }`,
		"unicode s + s":    `var s = "\u4e2d"; while (true) { s = s + s; }`,
		"template":         "var s = 'x'; while (true) { s = `${s}${s}`; }",
		"template x8":      "var s = 'x'; while (true) { s = `${s}${s}${s}${s}${s}${s}${s}${s}`; }",
		"eval template x8": "var s = 'x'; while (true) { s = eval('`' + '${s}'.repeat(8) + '`'); }",
		"concat":           `var s = "x"; while (true) { s = s.concat(s); }`,
		"concat many":      `var s = "x"; while (s.length < 1<<18) s += s; var a = []; for (var i = 0; i < 4000; i++) a.push(s); "".concat.apply("", a);`,
		"concat objects":   `var s = "x"; while (s.length < 1<<22) s += s; var o = {toString: function(){ return s }}; "".concat(o, o, o, o, o, o, o, o, o, o);`,
		"array join":       `var s = "x"; while (true) { s = [s, s].join(""); }`,
		"join separator":   `var s = "x".repeat(1 << 18); var a = []; a.length = 200000; a.join(s);`,
		"join many":        `var s = "x"; while (s.length < 1<<22) s += s; var a = []; for (var i = 0; i < 64; i++) a.push(s); a.join();`,
		"Array(1e9).join":  `function FindProxyForURL(u, h) { return Array(1e9).join("x"); }`,
		"replace":          `var s = "x".repeat(1 << 16); s.replace(/x/g, s);`,
		"replace symbol":   `var s = "x".repeat(1 << 16); /x/g[Symbol.replace](s, "$&$&$&$&");`,
		"split after +":    `var s = "x"; while (s.length < 1<<22) s += s; s.split("");`,
		"spread after +":   `var s = "x"; while (s.length < 1<<22) s += s; [...s];`,
		"flat":             `var a = []; for (var i = 0; i < 1 << 17; i++) a.push(i); var b = []; for (var i = 0; i < 1 << 17; i++) b.push(a); b.flat();`,
		"array concat":     `var a = []; for (var i = 0; i < 1 << 17; i++) a.push(i); var b = []; for (var i = 0; i < 4096; i++) b.push(a); a.concat.apply(a, b);`,
		"escape after +":   `var s = "\u0001"; while (s.length < 1<<22) s += s; escape(s);`,
	}
	for name, script := range attacks {
		t.Run(name, func(t *testing.T) {
			settleHeap(t)
			e := testEvaluator(testResolver())
			e.Timeout = 3 * time.Second
			e.MemoryLimit = limit
			stop := peakHeap()
			start := time.Now()
			_, err := e.Evaluate(context.Background(), script, "https://a/", "a")
			el := time.Since(start)
			time.Sleep(200 * time.Millisecond) // an abandoned native call would still be allocating
			peak := stop()
			var se *ScriptError
			if !errors.As(err, &se) && !errors.Is(err, ErrTimeout) {
				t.Fatalf("err = %v; want a *ScriptError (PAC_ERROR) or ErrTimeout (PAC_TIMEOUT)", err)
			}
			if el > e.Timeout+250*time.Millisecond {
				t.Errorf("returned after %v", el)
			}
			if peak > limit+slack {
				t.Errorf("heap grew by %d MiB; limit %d MiB + %d MiB slack", peak>>20, limit>>20, slack>>20)
			}
			t.Logf("%v after %v, heap +%d MiB", err, el, peak>>20)
		})
	}
}

// TestScanSourceTemplates counts template literal substitutions, which
// bound what one template literal can multiply a string by.
func TestScanSourceTemplates(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{"var a = 'x' + b;", 0},
		{"`PROXY ${h}:${p}`", 2},
		{"`${a}${b}${c}` + `${d}`", 3},
		{"`${ `${a}${b}${c}${d}` }${e}`", 4},
		{"'`${a}${b}${c}`'", 0},
	}
	for _, tt := range tests {
		if _, got := scanSource(tt.src); got != tt.want {
			t.Errorf("scanSource(%q) subs = %d, want %d", tt.src, got, tt.want)
		}
	}
}

// TestEvaluateTemplateLimits: a template literal with more substitutions
// than allowed is refused before running, and code built at run time may
// not amplify more than the script's own template literals.
func TestEvaluateTemplateLimits(t *testing.T) {
	e := testEvaluator(testResolver())
	many := "`" + "${h}${h}${h}${h}${h}${h}${h}${h}${h}" + "`"
	_, err := e.Evaluate(context.Background(), "function FindProxyForURL(u,h){ return "+many+" }", "https://a/", "a")
	var se *ScriptError
	if !errors.As(err, &se) || se.Kind != KindTooComplex {
		t.Fatalf("9 substitutions: err = %v; want too_complex", err)
	}
	_, err = e.Evaluate(context.Background(), "function FindProxyForURL(u,h){ return eval('`${h}${h}${h}`') }", "https://a/", "a")
	if !errors.As(err, &se) || se.Kind != KindException {
		t.Fatalf("eval with 3 substitutions: err = %v; want an exception", err)
	}
	res, err := e.Evaluate(context.Background(), "function FindProxyForURL(u,h){ return `PROXY ${h}:${'3128'}` }", "https://a/", "a")
	if err != nil || res.Raw != "PROXY a:3128" {
		t.Fatalf("ordinary template: %+v, %v", res, err)
	}
	runtime.GC()
}
