// Package pac evaluates proxy auto-config (PAC) scripts on the goja
// JavaScript engine, with every standard helper (Netscape's and Microsoft's
// IPv6 "Ex" set) written in Go, and strict limits for hostile scripts.
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
//   - Memory: goja cannot account memory per runtime. A guard samples the
//     process heap every 2 ms and stops the script once the heap has grown
//     by MemoryLimit (default 128 MiB; the live heap as of the last
//     collection, so that garbage does not count): an array-growing loop
//     under a 16 MiB
//     limit stopped after 40–180 ms. Without it the same loop reached 145 MB
//     in 500 ms. A string that doubles itself (s += s) outruns the
//     collector and is stopped by the guard or the time limit, whichever
//     comes first (72–150 ms without the race detector). Single native calls can allocate far more than that in
//     one go ('x'.repeat(4e8): 382 MB in 2.1 s; new ArrayBuffer(3e8): 286 MB
//     in 1 ms; new Array(3e7).fill(1): 1.3 GB in 22 s), so the sandbox
//     removes ArrayBuffer, typed arrays, DataView, Reflect, Proxy and
//     WeakRef, and caps repeat/padStart/padEnd at 1 MiB and the array
//     built-ins (and apply, Array.from, JSON.stringify) at 262 144 elements.
//     Remaining gap: spreading a huge sparse array (f(...a)) allocates in a
//     native loop; Evaluate still returns at its deadline, but that
//     goroutine keeps allocating (slowly, about 16 bytes per element) until
//     it finishes or the program exits.
//   - Regular expressions with backreferences (regexp2) get a 2 s match
//     timeout instead of "forever".
//   - Results: the returned value must be a string following the PAC
//     grammar (see ParseResult); "undefined" or garbage is a *ScriptError
//     (bad_result).
//
// A fresh goja runtime with the sandbox and helpers costs about 0.6 ms per
// evaluation.
package pac
