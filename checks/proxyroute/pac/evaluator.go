package pac

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"

	"github.com/logindoctor/logindoctor/checks"
)

// Defaults of an Evaluator's zero fields.
const (
	DefaultTimeout       = 5 * time.Second
	DefaultDNSTimeout    = time.Second
	DefaultMaxCallStack  = 256
	DefaultMaxScriptSize = 1 << 20
	DefaultMemoryLimit   = 128 << 20
	// memoryCheckEvery is how often the memory guard samples the heap.
	memoryCheckEvery = time.Millisecond
	// memoryMetric counts every heap object, garbage included, and is
	// current at every sample (the live-heap metric only changes when a
	// collection ends, which doubling strings outrun).
	memoryMetric = "/memory/classes/heap/objects:bytes"
	// abandonGrace is how long Evaluate waits, after interrupting, for the
	// script to stop before it returns without it (a native built-in cannot
	// be interrupted; its goroutine ends when the built-in returns).
	abandonGrace = 50 * time.Millisecond
)

func init() {
	// goja's regular expressions with backreferences run on regexp2, whose
	// default match timeout is "forever": /(a+)+\1b/ on 28 a's did not
	// finish in 60 s (measured). regexp2 reads this default when a pattern
	// is compiled; this package is the only user of goja in the program.
	regexp2.DefaultMatchTimeout = 2 * time.Second
}

// Evaluator runs PAC scripts. The zero value is ready to use with the
// defaults above and the real clock, but resolves no names: proxy.route
// sets the run's resolver; tests inject a Resolver, MyIPs and Now. Every Evaluate uses a fresh goja
// runtime, so one Evaluator may be used from many goroutines.
type Evaluator struct {
	// Resolver backs dnsResolve, isResolvable, isInNet and the *Ex helpers:
	// proxy.route sets the run's env.Resolver. Nil: no name resolves (the
	// evaluator never falls back to the machine's own DNS).
	Resolver checks.Resolver
	// MyIPs lists this machine's addresses for myIpAddress(Ex).
	MyIPs func(context.Context) []net.IP
	// Now is the script's clock: what new Date() returns, and so what
	// weekdayRange, dateRange and timeRange read. Local time is the
	// process's time zone, as in the browser.
	Now func() time.Time
	// Timeout bounds a whole evaluation: compile, load and the call.
	Timeout time.Duration
	// DNSTimeout bounds each DNS helper call (always within Timeout).
	DNSTimeout time.Duration
	// MaxCallStack is the deepest JavaScript call stack allowed.
	MaxCallStack int
	// MaxScriptSize is the largest script accepted, in bytes.
	MaxScriptSize int
	// MemoryLimit bounds how much the process heap may grow because of one
	// evaluation (see guardMemory for how, and for the slack).
	MemoryLimit uint64
}

// Result is a script's answer for one URL.
type Result struct {
	// Raw is the string FindProxyForURL(Ex) returned.
	Raw string
	// Proxies are its entries, in order.
	Proxies []Proxy
	// Entry is the function that was called.
	Entry string
}

type outcome struct {
	res Result
	err error
}

// Evaluate loads script and calls FindProxyForURLEx (if defined, as Internet
// Explorer and Edge do) or FindProxyForURL with rawURL and host. Errors:
// ErrTooLarge, ErrTimeout, *ScriptError (also for an invalid result), or
// ctx's error when ctx is cancelled.
func (e *Evaluator) Evaluate(ctx context.Context, script, rawURL, host string) (Result, error) {
	if limit := orDefault(e.MaxScriptSize, DefaultMaxScriptSize); len(script) > limit {
		return Result{}, &TooLargeError{Size: int64(len(script)), Limit: int64(limit)}
	}
	d, subs := scanSource(script)
	if d > maxNesting {
		return Result{}, &ScriptError{Kind: KindTooComplex, Message: fmt.Sprintf("brackets nested %d levels deep (limit %d)", d, maxNesting)}
	}
	if subs > maxTemplateSubs {
		return Result{}, &ScriptError{Kind: KindTooComplex, Message: fmt.Sprintf("a template literal with %d substitutions (limit %d)", subs, maxTemplateSubs)}
	}
	amp := max(2, subs) // how much one uninterruptible step can multiply a string
	timeout := orDefault(e.Timeout, DefaultTimeout)
	evalCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	vm := goja.New()
	done := make(chan outcome, 1)
	go func() { done <- e.run(evalCtx, vm, script, rawURL, host, amp) }()
	memHit := make(chan struct{})
	stopGuard := e.guardMemory(vm, amp, memHit)
	defer stopGuard()
	select {
	case o := <-done:
		if o.err == nil && evalCtx.Err() != nil {
			// It finished, but DNS helpers were cut short by the deadline:
			// the answer may not be the one the browser would get.
			break
		}
		return o.res, o.err
	case <-memHit:
		// Give the interrupted script a moment to stop, so that its last
		// allocation is not charged to whatever runs next.
		select {
		case <-done:
		case <-time.After(abandonGrace):
		}
		return Result{}, e.memoryError()
	case <-evalCtx.Done():
	}
	vm.Interrupt(ErrTimeout)
	select {
	case o := <-done:
		// A script error that raced the deadline is still worth reporting;
		// a success after the deadline is not (its DNS answers were cut).
		if o.err != nil && !errors.Is(o.err, ErrTimeout) {
			return o.res, o.err
		}
	case <-time.After(abandonGrace):
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return Result{}, ctx.Err()
	}
	return Result{}, &TimeoutError{Limit: timeout}
}

func (e *Evaluator) memoryError() error {
	return &ScriptError{Kind: KindMemory, Err: ErrMemoryLimit,
		Message: fmt.Sprintf("the script allocated memory fast enough to pass the %d MiB limit; it was stopped before", e.memoryLimit()>>20)}
}

func (e *Evaluator) memoryLimit() uint64 {
	if e.MemoryLimit == 0 {
		return DefaultMemoryLimit
	}
	return e.MemoryLimit
}

// guardMemory samples the process heap every millisecond while the script
// runs and interrupts it (and closes hit) once the heap objects have grown
// by more than MemoryLimit/(1+amp). goja has no per-runtime memory
// accounting and no hook on the + operator or on template literals, so
// this is how a script that doubles a string (s += s, `${s}${s}`) is
// bounded:
//
//   - every built-in either refuses inputs and results beyond a few MiB
//     (see harden) or builds its result in interruptible steps, so the only
//     uninterruptible allocations that grow with the script's own data are
//     s1 + s2 (at most 2× the largest string) and a template literal (at
//     most amp× it, amp being its substitution count, at least 2);
//   - the largest string is at most what the heap has grown by (plus the
//     script's source, at most MaxScriptSize);
//   - so when the guard sees growth g ≤ MemoryLimit/(1+amp), the step in
//     flight adds at most amp·g more, and the peak growth is at most
//     MemoryLimit, plus what the script allocates between two samples and
//     while the interrupt takes effect (a few MiB at memory bandwidth; the
//     tests allow 32 MiB for a loaded 2-core machine with the race
//     detector).
//
// The metric counts garbage too (the live heap lags by a whole collection
// cycle, which is how s += s reached 552 MB), so the guard may trip early
// for a script that churns garbage while the rest of the program holds a
// large heap; PAC scripts finish in microseconds and allocate little, and
// that early stop is reported as a memory error, never as a wrong answer.
// The returned func stops the guard.
func (e *Evaluator) guardMemory(vm *goja.Runtime, amp int, hit chan<- struct{}) func() {
	stop := make(chan struct{})
	exited := make(chan struct{})
	trip := e.memoryLimit() / uint64(1+amp)
	go func() {
		defer close(exited)
		sample := []metrics.Sample{{Name: memoryMetric}}
		metrics.Read(sample)
		base := sample[0].Value.Uint64()
		tick := time.NewTicker(memoryCheckEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if grew(base, sample[0].Value.Uint64(), trip) {
				vm.Interrupt(ErrMemoryLimit)
				close(hit)
				return
			}
		}
	}()
	return func() { close(stop); <-exited }
}

func grew(base, cur, limit uint64) bool { return cur > base && cur-base > limit }

// run compiles, loads and calls the script on vm; it runs on its own
// goroutine so that Evaluate can return at the deadline even when a native
// built-in does not.
func (e *Evaluator) run(ctx context.Context, vm *goja.Runtime, script, rawURL, host string, amp int) outcome {
	prg, err := goja.Compile("pac", script, false)
	if err != nil {
		return outcome{err: &ScriptError{Kind: KindSyntax, Message: clip(err.Error())}}
	}
	vm.SetMaxCallStackSize(orDefault(e.MaxCallStack, DefaultMaxCallStack))
	if err := harden(vm, amp); err != nil {
		return outcome{err: fmt.Errorf("pac: preparing the sandbox: %w", err)}
	}
	if err := e.install(ctx, vm); err != nil {
		return outcome{err: fmt.Errorf("pac: installing helpers: %w", err)}
	}
	if _, err := vm.RunProgram(prg); err != nil {
		return outcome{err: e.classify(err)}
	}
	entry := "FindProxyForURLEx"
	fn, ok := goja.AssertFunction(vm.Get(entry))
	if !ok {
		entry = "FindProxyForURL"
		if fn, ok = goja.AssertFunction(vm.Get(entry)); !ok {
			return outcome{err: &ScriptError{Kind: KindNoFunction, Message: "the script defines no FindProxyForURL function"}}
		}
	}
	v, err := fn(goja.Undefined(), vm.ToValue(rawURL), vm.ToValue(host))
	if err != nil {
		return outcome{err: e.classify(err)}
	}
	raw, ok := v.Export().(string)
	if !ok {
		return outcome{err: &ScriptError{Kind: KindBadResult, Message: entry + " returned " + describe(v) + ", not a string"}}
	}
	proxies, err := ParseResult(raw)
	if err != nil {
		return outcome{err: &ScriptError{Kind: KindBadResult, Message: clip(err.Error()), Err: err}}
	}
	return outcome{res: Result{Raw: raw, Proxies: proxies, Entry: entry}}
}

func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	return "a value of type " + v.ExportType().String()
}

// classify turns goja's errors into this package's.
func (e *Evaluator) classify(err error) error {
	var intr *goja.InterruptedError
	var so *goja.StackOverflowError
	var ex *goja.Exception
	var cerr *goja.CompilerSyntaxError
	switch {
	case errors.As(err, &intr) && errors.Is(err, ErrMemoryLimit):
		return e.memoryError()
	case errors.As(err, &intr):
		return &TimeoutError{Limit: orDefault(e.Timeout, DefaultTimeout)}
	case errors.As(err, &so):
		// goja's message for this is empty.
		return &ScriptError{Kind: KindStackOverflow, Message: fmt.Sprintf("function calls nested deeper than %d (runaway recursion)", orDefault(e.MaxCallStack, DefaultMaxCallStack))}
	case errors.As(err, &cerr):
		return &ScriptError{Kind: KindSyntax, Message: clip(cerr.Error())}
	case errors.As(err, &ex):
		return &ScriptError{Kind: KindException, Message: clip(strings.TrimSpace(ex.Error()))}
	}
	return &ScriptError{Kind: KindException, Message: clip(err.Error())}
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
