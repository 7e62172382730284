// Package pac evaluates proxy auto-config (PAC) scripts on the goja
// JavaScript engine exactly as Chrome does: the helpers Chrome implements
// natively (isPlainHostName, dnsResolve(Ex), myIpAddress(Ex),
// sortIpAddressList, isInNetEx) are written in Go with Chrome's argument
// checks and answers, the rest is Chrome's own JavaScript library
// (library.js). It keeps strict limits for hostile scripts.
//
// Limits, and what was measured on a 2-core Debian machine (Go 1.26, goja
// 2026-09):
//
//   - Time: each Evaluate has a deadline (Timeout, default 5 s). At the
//     deadline the runtime is interrupted (vm.Interrupt stops loops at top
//     level and inside calls within ~1 ms) and Evaluate returns ErrTimeout.
//     A native built-in or Go helper cannot be interrupted, so the script
//     runs on its own goroutine and Evaluate returns without it after
//     abandonGrace; such a goroutine ends when the built-in returns. An
//     endless loop with a 300 ms limit returned after 300–308 ms; a helper
//     stuck for 1.5 s on DNS after 321 ms.
//   - DNS helpers: each lookup has its own deadline (DNSTimeout, default
//     1 s) inside the evaluation's, and answers are cached per evaluation.
//   - Recursion: SetMaxCallStackSize (default 256) gives a *ScriptError
//     (stack_overflow) in under 1 ms.
//   - Size: scripts over MaxScriptSize (default 1 MiB) give ErrTooLarge.
//   - Parser depth: goja's parser recurses per bracket level; 500 000
//     nested parentheses overflow the Go stack and abort the process, so
//     sources (and eval/Function arguments) nested deeper than 1000 are
//     refused (too_complex) before parsing.
//   - Memory: goja cannot account memory per runtime and has no hook on
//     the + operator or template literals. Every built-in refuses strings
//     over 262 144 characters and arrays over 262 144 elements, and the
//     string builders (repeat, padStart/padEnd, concat, join, replace)
//     refuse results over 1 Mi characters before building them; JSON.stringify
//     and String.raw are removed. What is left multiplies the largest string
//     by at most 2 (s + s) or by a template literal's substitution count
//     (at most 8) per interruptible step, so a guard that samples the heap
//     objects every 1 ms and stops the script once they have grown by
//     MemoryLimit/(1+that factor) keeps the growth within MemoryLimit plus
//     what is allocated between two samples (see guardMemory). Measured with
//     a 64 MiB limit and the race detector: s += s, s = s + s, `${s}${s}`,
//     [s,s].join(""), s.concat(s), a 1 MiB join separator, split or spread
//     of a long string all stopped within 2 s with the heap at most 62 MiB
//     above where it started (before: s += s reached 552 MB, and a 200 000
//     element join of a 1 MiB separator 814 MB in one call).
//   - Regular expressions with backreferences (regexp2) get a 2 s match
//     timeout instead of "forever".
//   - Results: the returned value must be a string following the PAC
//     grammar (see ParseResult); "undefined" or garbage is a *ScriptError
//     (bad_result).
//
// A fresh goja runtime with the sandbox and helpers costs about 0.6 ms per
// evaluation.
package pac
