package pac

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// hardenStrings caps String.prototype (every method refuses over-long
// inputs; concat, replace and replaceAll also check their result's length
// before building it), String.fromCharCode/fromCodePoint and the RegExp
// methods that build strings or arrays. String.raw is removed: its output
// (raw pieces times substitutions) is not worth bounding for PAC scripts.
func hardenStrings(vm *goja.Runtime, g *goja.Object, capIn func(goja.FunctionCall)) error {
	str := g.Get("String").ToObject(vm)
	if err := str.Delete("raw"); err != nil {
		return err
	}
	wrapMethod(vm, str, "fromCharCode", capIn)
	wrapMethod(vm, str, "fromCodePoint", capIn)
	proto := str.Get("prototype").ToObject(vm)
	wrapAll(vm, proto, capIn)
	wrapMethod(vm, proto, "repeat", func(call goja.FunctionCall) {
		capInputs(vm, call)
		checkBuild(vm, "repeat", float64(strLen(call.This))*call.Argument(0).ToFloat())
	})
	for _, name := range []string{"padStart", "padEnd"} {
		wrapMethod(vm, proto, name, func(call goja.FunctionCall) {
			capInputs(vm, call)
			checkBuild(vm, name, call.Argument(0).ToFloat())
		})
	}
	for _, name := range []string{"replace", "replaceAll"} {
		wrapMethod(vm, proto, name, func(call goja.FunctionCall) {
			capInputs(vm, call)
			checkReplace(vm, name, call.This, call.Argument(1))
		})
	}
	replaceConcat(vm, proto)
	re := g.Get("RegExp").ToObject(vm).Get("prototype").ToObject(vm)
	for _, name := range []string{"exec", "test", "toString", "compile"} {
		wrapMethod(vm, re, name, capIn)
	}
	for _, sym := range []*goja.Symbol{goja.SymMatch, goja.SymMatchAll, goja.SymSearch, goja.SymSplit} {
		wrapSymbol(vm, re, sym, capIn)
	}
	wrapSymbol(vm, re, goja.SymReplace, func(call goja.FunctionCall) {
		capInputs(vm, call)
		checkReplace(vm, "replace", call.Argument(0), call.Argument(1))
	})
	return nil
}

// replaceConcat makes String.prototype.concat convert its receiver and
// arguments once (their toString may be script code), check the total
// length, and only then let goja build the result: goja converts all
// arguments first and then allocates the whole result at once.
func replaceConcat(vm *goja.Runtime, proto *goja.Object) {
	orig, ok := goja.AssertFunction(proto.Get("concat"))
	if !ok {
		return
	}
	fn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if goja.IsUndefined(call.This) || goja.IsNull(call.This) {
			panic(vm.NewTypeError("String.prototype.concat called on null or undefined"))
		}
		parts := make([]goja.Value, len(call.Arguments))
		this := call.This.ToString()
		total := float64(strLen(this))
		for i, a := range call.Arguments {
			parts[i] = a.ToString()
			total += float64(strLen(parts[i]))
			checkBuild(vm, "concat", total)
		}
		v, err := orig(this, parts...)
		if err != nil {
			panic(err)
		}
		return v
	})
	_ = proto.DefineDataProperty("concat", fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// checkBuild refuses a string builder whose result would be longer than
// maxStringBuild characters.
func checkBuild(vm *goja.Runtime, name string, length float64) {
	if length > maxStringBuild {
		panic(vm.NewTypeError("%s: result longer than %d characters is not allowed in a PAC script", name, maxStringBuild))
	}
}

// strLen is the length of a string value, 0 for anything else.
func strLen(v goja.Value) int {
	if s, ok := v.(goja.String); ok {
		return s.Length()
	}
	return 0
}

// checkReplace bounds replace/replaceAll with a string replacement: each of
// the at most len(s)+1 matches inserts the replacement, whose $&, $1, $`
// and $' patterns each insert at most len(s) characters. A function
// replacement is script code: it runs (and can be interrupted) once per
// match, so the result grows by one interruptible step at a time.
func checkReplace(vm *goja.Runtime, name string, s, repl goja.Value) {
	if _, ok := goja.AssertFunction(repl); ok {
		return
	}
	n := float64(strLen(s.ToString()))
	r := repl.String()
	per := float64(len(r))
	if dollars := strings.Count(r, "$"); dollars > 0 {
		per += float64(dollars) * n
	}
	checkBuild(vm, name, n+(n+1)*per)
}

// checkJoin bounds Array.prototype.join (and toString, which calls it, and
// toLocaleString): the separator between every element plus the elements
// that are already strings or numbers. Objects are converted by their own
// toString, which is script code or another capped built-in.
func checkJoin(vm *goja.Runtime, this, sep goja.Value) {
	obj, ok := this.(*goja.Object)
	if !ok {
		return
	}
	n := obj.Get("length").ToFloat()
	sepLen := 1.0
	if !goja.IsUndefined(sep) {
		sepLen = float64(strLen(sep.ToString()))
	}
	total := max(n-1, 0) * sepLen
	checkBuild(vm, "join", total)
	for i := 0; i < int(n); i++ {
		switch v := obj.Get(strconv.Itoa(i)).(type) {
		case goja.String:
			total += float64(v.Length())
		case *goja.Object, nil:
		default:
			total += 24 // the longest number, true, false, null, undefined
		}
		checkBuild(vm, "join", total)
	}
}

// checkArrayConcat bounds Array.prototype.concat: the receiver and each
// argument may be arrays of up to maxArrayLike elements, so the result
// could be maxArrayLike times longer still.
func checkArrayConcat(vm *goja.Runtime, call goja.FunctionCall) {
	total := arrayLen(call.This)
	for _, a := range call.Arguments {
		total += arrayLen(a)
		if total > maxArrayLike {
			panic(vm.NewTypeError("concat: a result of more than %d elements is not allowed in a PAC script", maxArrayLike))
		}
	}
}

// checkFlat bounds Array.prototype.flat: [a, a, …] of big arrays flattens
// to their product. It counts the flattened elements, giving up at the cap.
func checkFlat(vm *goja.Runtime, this, depth goja.Value) {
	d := 1.0
	if !goja.IsUndefined(depth) {
		d = depth.ToFloat()
	}
	budget := maxArrayLike
	if !countFlat(this, min(d, maxNesting), &budget) {
		panic(vm.NewTypeError("flat: a result of more than %d elements is not allowed in a PAC script", maxArrayLike))
	}
}

func countFlat(v goja.Value, depth float64, budget *int) bool {
	obj, ok := v.(*goja.Object)
	if !ok {
		return true
	}
	n := int(obj.Get("length").ToFloat())
	for i := 0; i < n; i++ {
		*budget--
		if *budget < 0 {
			return false
		}
		e, isObj := obj.Get(strconv.Itoa(i)).(*goja.Object)
		if isObj && depth >= 1 && e.ClassName() == "Array" && !countFlat(e, depth-1, budget) {
			return false
		}
	}
	return true
}

func arrayLen(v goja.Value) int {
	if obj, ok := v.(*goja.Object); ok && obj.ClassName() == "Array" {
		return int(obj.Get("length").ToFloat())
	}
	return 1
}
