package pac

import (
	"strconv"

	"github.com/dop251/goja"
)

// Limits on what one native call may build. goja's built-ins run in Go and
// cannot be interrupted: 'x'.repeat(4e8) allocates 400 MB in one call,
// new ArrayBuffer(1e10) would abort the process, Array.prototype.fill on
// a 3e7-element array ran 22 s and took 1.3 GB, [s,s].join and s.concat(s)
// double a string per call, and a 200 000-element array joined with a
// 1 MiB separator allocated 800 MB in one call (measured). PAC scripts need
// none of that, so the sandbox removes or caps those amplifiers: every
// built-in refuses inputs longer than maxArrayLike (arrays) or
// maxStringInput (strings), and the string builders check the length of
// their result before building it. What is left (the + operator and
// template literals, which goja runs without any hook) at most multiplies
// the largest string by a small factor per interruptible step; the memory
// guard bounds that (see guardMemory).
const (
	maxArrayLike    = 1 << 18 // elements a wrapped built-in accepts
	maxStringInput  = 1 << 18 // characters of a string a wrapped built-in accepts
	maxStringBuild  = 1 << 20 // characters repeat/pad/concat/join/replace may produce
	maxNesting      = 1000    // bracket depth the parser is given (see nestingDepth)
	maxTemplateSubs = 8       // substitutions one template literal may have
)

// removedGlobals allocate outside any limit or reach code paths PAC scripts
// never use.
var removedGlobals = []string{
	"ArrayBuffer", "SharedArrayBuffer", "DataView",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
	"Reflect", "Proxy", "WeakRef", "FinalizationRegistry",
}

// wrappedGlobals are global functions whose string input is capped
// (escape and encodeURI multiply their input by up to 6 and 9).
var wrappedGlobals = []string{
	"escape", "unescape", "encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent",
	"parseInt", "parseFloat", "isNaN", "isFinite",
}

// harden strips and caps the runtime's built-ins (see the limits above).
// amp is the largest template literal substitution count runtime-built
// code (eval, Function) may use.
func harden(vm *goja.Runtime, amp int) error {
	g := vm.GlobalObject()
	for _, name := range removedGlobals {
		if err := g.Delete(name); err != nil {
			return err
		}
	}
	capIn := func(call goja.FunctionCall) { capInputs(vm, call) }
	for _, name := range wrappedGlobals {
		wrapMethod(vm, g, name, capIn)
	}
	hardenArrays(vm, g, capIn)
	if err := hardenStrings(vm, g, capIn); err != nil {
		return err
	}
	for _, name := range []string{"keys", "values", "entries", "assign", "getOwnPropertyNames", "fromEntries"} {
		wrapMethod(vm, g.Get("Object").ToObject(vm), name, capIn)
	}
	// JSON.stringify serialises the same sub-array as often as it is
	// referenced ([a,a,…] of 262 144-element arrays: 2^36 values in one
	// native call) and runs toJSON and replacers in between, so its output
	// cannot be bounded before it is built; PAC scripts do not serialise.
	json := g.Get("JSON").ToObject(vm)
	if err := json.Delete("stringify"); err != nil {
		return err
	}
	wrapMethod(vm, json, "parse", capIn)
	guardSource := func(call goja.FunctionCall) {
		for _, a := range call.Arguments {
			guardRuntimeSource(vm, a.String(), amp)
		}
	}
	wrapMethod(vm, g, "eval", guardSource)
	return guardConstructors(vm, guardSource)
}

// guardRuntimeSource refuses code built at run time that the parser
// could not survive, or whose template literals amplify more than the
// script's own (the memory guard's threshold assumes the script's).
func guardRuntimeSource(vm *goja.Runtime, src string, amp int) {
	d, subs := scanSource(src)
	if d > maxNesting {
		panic(vm.NewTypeError("code nested %d levels deep is not allowed in a PAC script", d))
	}
	if subs > amp {
		panic(vm.NewTypeError("a template literal with %d substitutions is not allowed in code built at run time", subs))
	}
}

// hardenArrays caps Array.prototype (string and symbol keyed, so that the
// iterators used by spread are capped too), Array.from/of and apply.
func hardenArrays(vm *goja.Runtime, g *goja.Object, capIn func(goja.FunctionCall)) {
	array := g.Get("Array").ToObject(vm)
	proto := array.Get("prototype").ToObject(vm)
	// A string receiver is as long as an array (map allocates one slot per
	// character up front); string arguments are stored, never copied.
	capArrayCall := func(call goja.FunctionCall) {
		checkLen(vm, call.This)
		for _, a := range call.Arguments {
			if _, ok := a.(*goja.Object); ok {
				checkLen(vm, a)
			}
		}
	}
	wrapAll(vm, proto, capArrayCall)
	wrapMethod(vm, proto, "join", func(call goja.FunctionCall) {
		checkJoin(vm, call.This, call.Argument(0))
	})
	wrapMethod(vm, proto, "toLocaleString", func(call goja.FunctionCall) {
		checkJoin(vm, call.This, goja.Undefined())
	})
	wrapMethod(vm, proto, "concat", func(call goja.FunctionCall) {
		checkArrayConcat(vm, call)
	})
	wrapMethod(vm, proto, "flat", func(call goja.FunctionCall) {
		checkFlat(vm, call.This, call.Argument(0))
	})
	wrapMethod(vm, array, "from", capIn)
	wrapMethod(vm, array, "of", capIn)
	wrapMethod(vm, g.Get("Function").ToObject(vm).Get("prototype").ToObject(vm), "apply", capArrayCall)
}

// wrapAll wraps every function-valued own property of obj (string and
// symbol keyed, constructor excepted) with check.
func wrapAll(vm *goja.Runtime, obj *goja.Object, check func(goja.FunctionCall)) {
	for _, name := range obj.GetOwnPropertyNames() {
		if name != "constructor" && name != "length" {
			wrapMethod(vm, obj, name, check)
		}
	}
	for _, sym := range obj.Symbols() {
		wrapSymbol(vm, obj, sym, check)
	}
}

// wrapMethod replaces obj[name] by a function that runs check first.
func wrapMethod(vm *goja.Runtime, obj *goja.Object, name string, check func(goja.FunctionCall)) {
	if fn, ok := wrapped(vm, obj.Get(name), check); ok {
		_ = obj.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// wrapSymbol is wrapMethod for a symbol-keyed method.
func wrapSymbol(vm *goja.Runtime, obj *goja.Object, sym *goja.Symbol, check func(goja.FunctionCall)) {
	if fn, ok := wrapped(vm, obj.GetSymbol(sym), check); ok {
		_ = obj.DefineDataPropertySymbol(sym, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

func wrapped(vm *goja.Runtime, v goja.Value, check func(goja.FunctionCall)) (goja.Value, bool) {
	orig, ok := goja.AssertFunction(v)
	if !ok {
		return nil, false
	}
	return vm.ToValue(func(call goja.FunctionCall) goja.Value {
		check(call)
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err) // rethrow: goja turns it back into the JS exception
		}
		return v
	}), true
}

// capInputs refuses a call whose receiver or arguments are longer than a
// built-in may take: arrays (and array-likes) over maxArrayLike elements,
// strings over maxStringInput characters.
func capInputs(vm *goja.Runtime, call goja.FunctionCall) {
	checkLen(vm, call.This)
	for _, a := range call.Arguments {
		checkLen(vm, a)
	}
}

func checkLen(vm *goja.Runtime, v goja.Value) {
	if s, ok := v.(goja.String); ok {
		if n := s.Length(); n > maxStringInput {
			panic(vm.NewTypeError("a string of %d characters is too long for a PAC script built-in (limit %d)", n, maxStringInput))
		}
		return
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return
	}
	if l := obj.Get("length"); l != nil {
		if n := l.ToFloat(); n > maxArrayLike {
			panic(vm.NewTypeError("an array of %s elements is too long for a PAC script", strconv.FormatFloat(n, 'f', 0, 64)))
		}
	}
}

// guardConstructors routes Function, GeneratorFunction and AsyncFunction
// (reachable through any function's .constructor) through guard, so that
// code built at run time cannot crash the parser either.
func guardConstructors(vm *goja.Runtime, guard func(goja.FunctionCall)) error {
	const src = `(function (guard) {
	function wrap(C) {
		var W = function () { guard.apply(null, arguments); return C.apply(null, arguments); };
		W.prototype = C.prototype;
		C.prototype.constructor = W;
		return W;
	}
	Function = wrap(Function);
	wrap(Object.getPrototypeOf(function* () {}).constructor);
	wrap(Object.getPrototypeOf(async function () {}).constructor);
})`
	v, err := vm.RunString(src)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(v)
	_, err = fn(goja.Undefined(), vm.ToValue(func(call goja.FunctionCall) goja.Value {
		guard(call)
		return goja.Undefined()
	}))
	return err
}

// nestingDepth is the deepest bracket nesting of JavaScript source (see
// scanSource).
func nestingDepth(src string) int {
	d, _ := scanSource(src)
	return d
}

// scanSource returns the deepest bracket nesting of JavaScript source and
// the most substitutions (${…}) of any one template literal, skipping
// strings, comments and (heuristically) regular expression literals. goja's
// parser recurses once per level: 500 000 nested parentheses (1 MB)
// overflow the Go stack and abort the whole process (measured), so deeper
// sources are refused before parsing. A template literal is built by one
// uninterruptible instruction, so its substitution count is how much it
// can multiply the largest string (see guardMemory).
func scanSource(src string) (deepest, subs int) {
	depth := 0
	var templates []int // depth at which each open ${…} began
	var counts []int    // substitutions so far of each open template
	prev := byte('(')   // last significant character, to tell regex from division
	enter := func(n int) {
		templates = append(templates, depth)
		counts = append(counts, n)
		subs = max(subs, n)
		depth++
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"' || c == '\'':
			i = skipQuoted(src, i, c)
		case c == '`':
			i = skipTemplate(src, i+1)
			if i < len(src) && src[i] == '$' { // entered ${
				i++
				enter(1)
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := indexFrom(src, i+2, "*/")
			i = end + 1
			continue
		case c == '/' && regexAllowedAfter(prev):
			i = skipQuoted(src, i, '/')
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
			if c == '}' && len(templates) > 0 && templates[len(templates)-1] == depth {
				n := counts[len(counts)-1]
				templates, counts = templates[:len(templates)-1], counts[:len(counts)-1]
				i = skipTemplate(src, i+1)
				if i < len(src) && src[i] == '$' {
					i++
					enter(n + 1)
				}
			}
		}
		deepest = max(deepest, depth)
		if i < len(src) && c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			prev = c
		}
	}
	return deepest, subs
}

// skipQuoted returns the index of the quote closing the literal opened at i
// (or the end of the line / source).
func skipQuoted(src string, i int, quote byte) int {
	inClass := false
	for j := i + 1; j < len(src); j++ {
		switch c := src[j]; {
		case c == '\\':
			j++
		case c == '\n':
			return j
		case quote == '/' && c == '[':
			inClass = true
		case quote == '/' && c == ']':
			inClass = false
		case c == quote && !inClass:
			return j
		}
	}
	return len(src)
}

// skipTemplate skips template text from i; it returns the index of the
// closing backtick, of the '$' of a "${", or len(src).
func skipTemplate(src string, i int) int {
	for ; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '`':
			return i
		case '$':
			if i+1 < len(src) && src[i+1] == '{' {
				return i
			}
		}
	}
	return len(src)
}

func indexFrom(s string, from int, sub string) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return len(s)
}

// regexAllowedAfter: a '/' after these characters starts a regex literal.
func regexAllowedAfter(c byte) bool {
	switch c {
	case '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^':
		return true
	}
	return false
}
