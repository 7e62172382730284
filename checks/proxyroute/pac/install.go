package pac

import (
	"context"
	"net"
	"time"

	"github.com/dop251/goja"
)

// install defines the standard PAC helpers (Netscape's and Microsoft's IPv6
// "Ex" set) on vm, backed by Go with the evaluator's resolver and clock.
func (e *Evaluator) install(ctx context.Context, vm *goja.Runtime) error {
	d := &dnsHelpers{
		ctx:     ctx,
		res:     e.Resolver,
		timeout: e.DNSTimeout,
		myIPs:   e.MyIPs,
		cache:   map[string][]net.IP{},
	}
	if d.res == nil {
		d.res = &net.Resolver{}
	}
	if d.timeout <= 0 {
		d.timeout = DefaultDNSTimeout
	}
	if d.myIPs == nil {
		d.myIPs = InterfaceIPs
	}
	now := func() time.Time {
		t := time.Now()
		if e.Now != nil {
			t = e.Now()
		}
		if e.Location != nil {
			return t.In(e.Location)
		}
		return t.Local()
	}
	str := func(c goja.FunctionCall, i int) string {
		if i >= len(c.Arguments) || goja.IsUndefined(c.Arguments[i]) || goja.IsNull(c.Arguments[i]) {
			return ""
		}
		return c.Arguments[i].String()
	}
	strs := func(c goja.FunctionCall) []string {
		out := make([]string, len(c.Arguments))
		for i := range c.Arguments {
			out[i] = str(c, i)
		}
		return out
	}
	orNull := func(s string) goja.Value {
		if s == "" {
			return goja.Null()
		}
		return vm.ToValue(s)
	}
	helpers := map[string]func(goja.FunctionCall) goja.Value{
		"isPlainHostName": func(c goja.FunctionCall) goja.Value { return vm.ToValue(isPlainHostName(str(c, 0))) },
		"dnsDomainIs":     func(c goja.FunctionCall) goja.Value { return vm.ToValue(dnsDomainIs(str(c, 0), str(c, 1))) },
		"localHostOrDomainIs": func(c goja.FunctionCall) goja.Value {
			return vm.ToValue(localHostOrDomainIs(str(c, 0), str(c, 1)))
		},
		"dnsDomainLevels": func(c goja.FunctionCall) goja.Value { return vm.ToValue(dnsDomainLevels(str(c, 0))) },
		"shExpMatch":      func(c goja.FunctionCall) goja.Value { return vm.ToValue(Glob(str(c, 0), str(c, 1))) },
		"isResolvable":    func(c goja.FunctionCall) goja.Value { return vm.ToValue(d.isResolvable(str(c, 0))) },
		"dnsResolve":      func(c goja.FunctionCall) goja.Value { return orNull(d.dnsResolve(str(c, 0))) },
		"myIpAddress":     func(goja.FunctionCall) goja.Value { return vm.ToValue(d.myIPAddress()) },
		"isInNet": func(c goja.FunctionCall) goja.Value {
			return vm.ToValue(d.isInNet(str(c, 0), str(c, 1), str(c, 2)))
		},
		"convert_addr":   func(c goja.FunctionCall) goja.Value { return vm.ToValue(convertAddr(str(c, 0))) },
		"weekdayRange":   func(c goja.FunctionCall) goja.Value { return vm.ToValue(weekdayRange(strs(c), now())) },
		"dateRange":      func(c goja.FunctionCall) goja.Value { return vm.ToValue(dateRange(strs(c), now())) },
		"timeRange":      func(c goja.FunctionCall) goja.Value { return vm.ToValue(timeRange(strs(c), now())) },
		"isResolvableEx": func(c goja.FunctionCall) goja.Value { return vm.ToValue(d.isResolvableEx(str(c, 0))) },
		"dnsResolveEx":   func(c goja.FunctionCall) goja.Value { return vm.ToValue(d.dnsResolveEx(str(c, 0))) },
		"myIpAddressEx":  func(goja.FunctionCall) goja.Value { return vm.ToValue(d.myIPAddressEx()) },
		"isInNetEx":      func(c goja.FunctionCall) goja.Value { return vm.ToValue(d.isInNetEx(str(c, 0), str(c, 1))) },
		"sortIpAddressList": func(c goja.FunctionCall) goja.Value {
			s, ok := sortIPAddressList(str(c, 0))
			if !ok {
				return vm.ToValue(false)
			}
			return vm.ToValue(s)
		},
		"getClientVersion": func(goja.FunctionCall) goja.Value { return vm.ToValue("1.0") },
		// alert is a debugging aid in many PAC files; browsers log it.
		"alert": func(goja.FunctionCall) goja.Value { return goja.Undefined() },
	}
	for name, fn := range helpers {
		if err := vm.Set(name, fn); err != nil {
			return err
		}
	}
	return nil
}
