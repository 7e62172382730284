package pac

import (
	"strconv"

	"github.com/dop251/goja"
)

// Limits on what one native call may build. goja's built-ins run in Go and
// cannot be interrupted: 'x'.repeat(4e8) allocates 400 MB in one call,
// new ArrayBuffer(1e10) would abort the process, and Array.prototype.fill on
// a 3e7-element array ran 22 s and took 1.3 GB (measured). PAC scripts need
// none of that, so the sandbox removes or caps those amplifiers.
const (
	maxArrayLike   = 1 << 18 // elements a wrapped built-in accepts
	maxStringBuild = 1 << 20 // characters repeat/padStart/padEnd may produce
	maxNesting     = 1000    // bracket depth the parser is given (see nestingDepth)
)

// removedGlobals allocate outside any limit or reach code paths PAC scripts
// never use.
var removedGlobals = []string{
	"ArrayBuffer", "SharedArrayBuffer", "DataView",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
	"Reflect", "Proxy", "WeakRef", "FinalizationRegistry",
}

// harden strips and caps the runtime's built-ins (see the limits above).
func harden(vm *goja.Runtime) error {
	g := vm.GlobalObject()
	for _, name := range removedGlobals {
		if err := g.Delete(name); err != nil {
			return err
		}
	}
	capArrays := func(call goja.FunctionCall) {
		checkLen(vm, call.This)
		for _, a := range call.Arguments {
			checkLen(vm, a)
		}
	}
	array := g.Get("Array").ToObject(vm)
	proto := array.Get("prototype").ToObject(vm)
	for _, name := range proto.GetOwnPropertyNames() {
		if name != "constructor" && name != "length" {
			wrapMethod(vm, proto, name, capArrays)
		}
	}
	wrapMethod(vm, array, "from", capArrays)
	wrapMethod(vm, g.Get("Function").ToObject(vm).Get("prototype").ToObject(vm), "apply", capArrays)
	wrapMethod(vm, g.Get("JSON").ToObject(vm), "stringify", capArrays)
	str := g.Get("String").ToObject(vm).Get("prototype").ToObject(vm)
	wrapMethod(vm, str, "repeat", func(call goja.FunctionCall) {
		if float64(len(call.This.String()))*call.Argument(0).ToFloat() > maxStringBuild {
			panic(vm.NewTypeError("repeat: result longer than %d characters is not allowed in a PAC script", maxStringBuild))
		}
	})
	for _, name := range []string{"padStart", "padEnd"} {
		wrapMethod(vm, str, name, func(call goja.FunctionCall) {
			if call.Argument(0).ToFloat() > maxStringBuild {
				panic(vm.NewTypeError("%s: result longer than %d characters is not allowed in a PAC script", name, maxStringBuild))
			}
		})
	}
	guardSource := func(call goja.FunctionCall) {
		for _, a := range call.Arguments {
			if d := nestingDepth(a.String()); d > maxNesting {
				panic(vm.NewTypeError("code nested %d levels deep is not allowed in a PAC script", d))
			}
		}
	}
	wrapMethod(vm, g, "eval", guardSource)
	return guardConstructors(vm, guardSource)
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

// wrapMethod replaces obj[name] by a function that runs check first.
func wrapMethod(vm *goja.Runtime, obj *goja.Object, name string, check func(goja.FunctionCall)) {
	orig, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		return
	}
	fn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		check(call)
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err) // rethrow: goja turns it back into the JS exception
		}
		return v
	})
	_ = obj.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

func checkLen(vm *goja.Runtime, v goja.Value) {
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

// nestingDepth is the deepest bracket nesting of JavaScript source, skipping
// strings, comments and (heuristically) regular expression literals. goja's
// parser recurses once per level: 500 000 nested parentheses (1 MB) overflow
// the Go stack and abort the whole process (measured), so deeper sources are
// refused before parsing.
func nestingDepth(src string) int {
	depth, deepest := 0, 0
	var templates []int // depth at which each open ${…} began
	prev := byte('(')   // last significant character, to tell regex from division
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"' || c == '\'':
			i = skipQuoted(src, i, c)
		case c == '`':
			i = skipTemplate(src, i+1)
			if i < len(src) && src[i] == '$' { // entered ${
				i++
				templates = append(templates, depth)
				depth++
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
				templates = templates[:len(templates)-1]
				i = skipTemplate(src, i+1)
				if i < len(src) && src[i] == '$' {
					i++
					templates = append(templates, depth)
					depth++
				}
			}
		}
		deepest = max(deepest, depth)
		if i < len(src) && c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			prev = c
		}
	}
	return deepest
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
