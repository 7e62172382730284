package pac

import (
	"context"
	"net"

	"github.com/dop251/goja"
)

// install defines the PAC helpers on vm exactly as Chrome does: the native
// ones (isPlainHostName, dnsResolve(Ex), myIpAddress(Ex), sortIpAddressList,
// isInNetEx, alert) in Go with Chrome's argument checks and answers, then
// Chrome's JavaScript library for the rest (library.js). The VM's clock is
// the evaluator's Now, and the time helpers read it through the global
// Date at call time, so a script that replaces Date sees its own time, as
// in Chrome. Local time is the process's time zone, as in the browser.
func (e *Evaluator) install(ctx context.Context, vm *goja.Runtime) error {
	if e.Now != nil {
		vm.SetTimeSource(e.Now)
	}
	d := &dnsHelpers{
		ctx:     ctx,
		res:     e.Resolver,
		timeout: e.DNSTimeout,
		myIPs:   e.MyIPs,
		cache:   map[string][]net.IP{},
	}
	if d.timeout <= 0 {
		d.timeout = DefaultDNSTimeout
	}
	if d.myIPs == nil {
		d.myIPs = InterfaceIPs
	}
	for name, fn := range nativeHelpers(vm, d) {
		if err := vm.Set(name, fn); err != nil {
			return err
		}
	}
	_, err := vm.RunProgram(library)
	return err
}

// stringArg returns argument i when it is a string primitive, the only
// kind Chrome's native helpers accept (not a number, not new String()).
func stringArg(c goja.FunctionCall, i int) (string, bool) {
	if i >= len(c.Arguments) {
		return "", false
	}
	v := c.Arguments[i]
	if _, obj := v.(*goja.Object); obj || v == nil {
		return "", false
	}
	s, ok := v.Export().(string)
	return s, ok
}

// nativeHelpers are the helpers Chrome implements natively, with its
// answers to bad arguments: isPlainHostName throws "TypeError: Requires 1
// string parameter"; dnsResolve(Ex) return undefined; sortIpAddressList
// and isInNetEx return null (false for non-ASCII text).
func nativeHelpers(vm *goja.Runtime, d *dnsHelpers) map[string]func(goja.FunctionCall) goja.Value {
	return map[string]func(goja.FunctionCall) goja.Value{
		"isPlainHostName": func(c goja.FunctionCall) goja.Value {
			host, ok := stringArg(c, 0)
			if !ok {
				panic(vm.NewTypeError("Requires 1 string parameter"))
			}
			return vm.ToValue(isPlainHostName(host))
		},
		"dnsResolve": func(c goja.FunctionCall) goja.Value {
			host, ok := stringArg(c, 0)
			if !ok {
				return goja.Undefined()
			}
			if ip := d.dnsResolve(host); ip != "" {
				return vm.ToValue(ip)
			}
			return goja.Null()
		},
		"dnsResolveEx": func(c goja.FunctionCall) goja.Value {
			host, ok := stringArg(c, 0)
			if !ok {
				return goja.Undefined()
			}
			return vm.ToValue(d.dnsResolveEx(host))
		},
		"myIpAddress":   func(goja.FunctionCall) goja.Value { return vm.ToValue(d.myIPAddress()) },
		"myIpAddressEx": func(goja.FunctionCall) goja.Value { return vm.ToValue(d.myIPAddressEx()) },
		"sortIpAddressList": func(c goja.FunctionCall) goja.Value {
			list, ok := stringArg(c, 0)
			if !ok || !isASCII(list) {
				return goja.Null()
			}
			if s, ok := sortIPAddressList(list); ok {
				return vm.ToValue(s)
			}
			return vm.ToValue(false)
		},
		"isInNetEx": func(c goja.FunctionCall) goja.Value {
			ip, ok1 := stringArg(c, 0)
			prefix, ok2 := stringArg(c, 1)
			if !ok1 || !ok2 {
				return goja.Null()
			}
			return vm.ToValue(isASCII(ip) && isASCII(prefix) && isInNetEx(ip, prefix))
		},
		// alert is a debugging aid in many PAC files; Chrome logs it.
		"alert": func(goja.FunctionCall) goja.Value { return goja.Undefined() },
	}
}
