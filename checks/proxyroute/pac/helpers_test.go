package pac

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/logindoctor/logindoctor/checks"
)

// fakeResolver answers from a map; names listed in hang block until the
// lookup's context ends; stuck blocks for stuckFor whatever the context.
type fakeResolver struct {
	addrs    map[string][]string
	hang     map[string]bool
	stuckFor time.Duration
	calls    atomic.Int64
}

func (f *fakeResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	f.calls.Add(1)
	if f.stuckFor > 0 {
		time.Sleep(f.stuckFor)
	}
	if f.hang[host] {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	var out []net.IPAddr
	for _, a := range f.addrs[host] {
		out = append(out, net.IPAddr{IP: net.ParseIP(a)})
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

func testResolver() *fakeResolver {
	return &fakeResolver{addrs: map[string][]string{
		"crm.example.com":  {"203.0.113.10"},
		"v6.example.com":   {"2001:db8::10"},
		"dual.example.com": {"2001:db8::20", "198.51.100.7"},
		"intranet":         {"10.1.2.3"},
	}}
}

// fixedNow is Wednesday 2026-03-18 06:30:15 UTC: 14:30:15 in Shanghai,
// the time zone TestTimeHelpers runs in.
var fixedNow = time.Date(2026, 3, 18, 6, 30, 15, 0, time.UTC)

func testEvaluator(res checks.Resolver) *Evaluator {
	return &Evaluator{
		Resolver: res,
		MyIPs: func(context.Context) []net.IP {
			return []net.IP{net.ParseIP("192.168.7.20"), net.ParseIP("2001:db8::7")}
		},
		Now:        func() time.Time { return fixedNow },
		Timeout:    500 * time.Millisecond,
		DNSTimeout: 100 * time.Millisecond,
	}
}

// evalExpr evaluates a JavaScript expression in a sandbox with the helpers.
func evalExpr(t *testing.T, e *Evaluator, expr string) string {
	t.Helper()
	vm := goja.New()
	if err := harden(vm, 2); err != nil {
		t.Fatal(err)
	}
	if err := e.install(context.Background(), vm); err != nil {
		t.Fatal(err)
	}
	v, err := vm.RunString(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v.String()
}

// TestHelpers pins each helper to what Chrome answers (each row was checked
// in Chromium with a PAC file that alert()s the expression).
func TestHelpers(t *testing.T) {
	e := testEvaluator(testResolver())
	tests := []struct{ expr, want string }{
		{`isPlainHostName("intranet")`, "true"},
		{`isPlainHostName("crm.example.com")`, "false"},
		{`isPlainHostName("::1")`, "false"},
		{`isPlainHostName("0x7f")`, "false"},
		{`isPlainHostName("127")`, "false"},
		{`isPlainHostName("[::1]")`, "true"},
		{`isPlainHostName("")`, "true"},
		{`dnsDomainIs("www.example.com", ".example.com")`, "true"},
		{`dnsDomainIs("WWW.Example.COM", ".example.com")`, "false"},
		{`dnsDomainIs("www.example.org", ".example.com")`, "false"},
		{`dnsDomainIs("com", ".example.com")`, "false"},
		{`localHostOrDomainIs("www.example.com", "www.example.com")`, "true"},
		{`localHostOrDomainIs("www", "www.example.com")`, "true"},
		{`localHostOrDomainIs("WWW", "www.example.com")`, "false"},
		{`localHostOrDomainIs("www.example.org", "www.example.com")`, "false"},
		{`localHostOrDomainIs("home", "www.example.com")`, "false"},
		{`dnsDomainLevels("www")`, "0"},
		{`dnsDomainLevels("www.example.com")`, "2"},
		{`shExpMatch("http://home.example.com/people/index.html", "*/people/*")`, "true"},
		{`shExpMatch("http://home.example.com/others/index.html", "*/people/*")`, "false"},
		{`shExpMatch("crm.example.com", "*.example.com")`, "true"},
		{`shExpMatch("example.com", "*.example.com")`, "false"},
		{`shExpMatch("a.b", "a?b")`, "true"},
		{`shExpMatch("axxb", "a?b")`, "false"},
		{`shExpMatch("a.b", "a*")`, "true"},
		{`shExpMatch("aXb", "a.b")`, "false"},
		{`shExpMatch("aab", "a+b")`, "true"},
		{`shExpMatch("", "*")`, "true"},
		{`shExpMatch("` + repeatStr("a", 300) + `", "` + repeatStr("*a", 40) + `b")`, "false"},
		{`isResolvable("crm.example.com")`, "true"},
		{`isResolvable("nx.example.com")`, "false"},
		{`isResolvable("v6.example.com")`, "false"},
		{`dnsResolve("crm.example.com")`, "203.0.113.10"},
		{`dnsResolve("dual.example.com")`, "198.51.100.7"},
		{`dnsResolve("nx.example.com")`, "null"},
		{`dnsResolve("10.9.8.7")`, "10.9.8.7"},
		{`dnsResolve("::1")`, "null"},
		{`String(dnsResolve(5))`, "undefined"},
		{`myIpAddress()`, "192.168.7.20"},
		{`isInNet("crm.example.com", "203.0.113.0", "255.255.255.0")`, "true"},
		{`isInNet("crm.example.com", "203.0.114.0", "255.255.255.0")`, "false"},
		{`isInNet("10.20.30.40", "10.0.0.0", "255.0.0.0")`, "true"},
		{`isInNet("nx.example.com", "0.0.0.0", "0.0.0.0")`, "false"},
		{`isInNet("10.20.30.40", "10.0.0.0", "garbage")`, "false"},
		{`convert_addr("104.16.41.2")`, "1745889538"},
		{`convert_addr("1.2.3.4")`, "16909060"},
		{`convert_addr("255.255.255.255")`, "-1"},
		{`convert_addr("bogus")`, "0"},
		{`(convert_addr("10.1.2.3") & convert_addr("255.0.0.0")) == convert_addr("10.0.0.0")`, "true"},
		{`isResolvableEx("v6.example.com")`, "true"},
		{`isResolvableEx("nx.example.com")`, "false"},
		{`isResolvableEx(5)`, "true"},
		{`dnsResolveEx("dual.example.com")`, "2001:db8::20;198.51.100.7"},
		{`dnsResolveEx("nx.example.com")`, ""},
		{`dnsResolveEx("::1")`, "::1"},
		{`String(dnsResolveEx(5))`, "undefined"},
		{`myIpAddressEx()`, "192.168.7.20;2001:db8::7"},
		{`isInNetEx("2001:db8::20", "2001:db8::/32")`, "true"},
		{`isInNetEx("10.1.1.1", "10.0.0.0/8")`, "true"},
		{`isInNetEx("10.1.1.1", " 10.0.0.0/8")`, "true"},
		{`isInNetEx("dual.example.com", "198.51.100.0/24")`, "false"},
		{`isInNetEx("localhost", "127.0.0.0/8")`, "false"},
		{`isInNetEx("198.51.100.7", "10.0.0.0/8")`, "false"},
		{`isInNetEx("198.51.100.7", "not-a-prefix")`, "false"},
		{`isInNetEx("10.1.1.1", "10.1.1.1")`, "false"},
		{`isInNetEx("10.1.1.1", "10.0.0.0/33")`, "false"},
		{`isInNetEx("10.1", "10.0.0.0/8")`, "true"},
		{`isInNetEx("10.1.1.1", "::/0")`, "true"},
		{`isInNetEx("10.1.1.1", "::/1")`, "true"},
		{`isInNetEx("::ffff:10.1.1.1", "10.0.0.0/8")`, "true"},
		{`isInNetEx("10.1.1.1", "::ffff:10.0.0.0/104")`, "true"},
		{`isInNetEx(" 10.1.1.1 ", "10.0.0.0/8 ")`, "false"},
		{`String(isInNetEx())`, "null"},
		{`String(isInNetEx("10.1.1.1"))`, "null"},
		{`String(isInNetEx(5, "10.0.0.0/8"))`, "null"},
		{`sortIpAddressList("10.2.3.9;2001:4898:28:3:201:2ff:feea:fc14;::1;127.0.0.1;::9")`, "::1;::9;2001:4898:28:3:201:2ff:feea:fc14;10.2.3.9;127.0.0.1"},
		{`sortIpAddressList("10.2.3.9;2001:db8::1; 10.2.3.10;::1;;010.1.1.1")`, "::1;2001:db8::1;010.1.1.1;10.2.3.9;10.2.3.10"},
		{`sortIpAddressList("10.2.3.9;2001:DB8:0::1;::ffff:1.2.3.4")`, "::ffff:1.2.3.4;2001:DB8:0::1;10.2.3.9"},
		{`sortIpAddressList("010.1.1.1;9.1.1.1;0x0a.0.0.0;10.0.0.1")`, "010.1.1.1;9.1.1.1;0x0a.0.0.0;10.0.0.1"},
		{`sortIpAddressList("1.2.3.4.;1.2.3.3")`, "1.2.3.3;1.2.3.4."},
		{`sortIpAddressList("10.1;127.1")`, "10.1;127.1"},
		{`sortIpAddressList("10.2.3.9;bogus")`, "false"},
		{`sortIpAddressList("[::1]")`, "false"},
		{`sortIpAddressList(";")`, "false"},
		{`sortIpAddressList(" \t ")`, "false"},
		{`String(sortIpAddressList())`, "null"},
		{`String(sortIpAddressList(5))`, "null"},
		{`typeof getClientVersion`, "undefined"},
		{`String(alert("hello"))`, "undefined"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			if got := evalExpr(t, e, tt.expr); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

// TestArgumentChecks: Chrome's native isPlainHostName throws a TypeError
// with this message for anything but one string.
func TestArgumentChecks(t *testing.T) {
	e := testEvaluator(testResolver())
	for _, call := range []string{`isPlainHostName()`, `isPlainHostName(5)`, `isPlainHostName(new String("a"))`, `isPlainHostName(null)`} {
		t.Run(call, func(t *testing.T) {
			got := evalExpr(t, e, `try { `+call+`; "no error" } catch (err) { String(err) }`)
			if got != "TypeError: Requires 1 string parameter" {
				t.Errorf("%s threw %q", call, got)
			}
		})
	}
}

func repeatStr(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// tzChild marks the copy of the test binary that runs in Shanghai time.
const tzChild = "LOGINDOCTOR_PAC_TZ_CHILD"

// inShanghai reruns the named test in a copy of the test binary whose
// local time zone is Asia/Shanghai (the VM's local time is the process's,
// as in the browser), and reports whether the caller is that copy.
func inShanghai(t *testing.T) bool {
	t.Helper()
	if os.Getenv(tzChild) != "" {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "TZ=Asia/Shanghai", tzChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("in Asia/Shanghai time: %v\n%s", err, out)
	}
	return false
}

// TestTimeHelpers pins the time helpers to what Chrome answers at
// Wednesday 2026-03-18 14:30:15 in Shanghai (06:30:15 GMT): each row was
// run in Chromium (TZ=Asia/Shanghai, Date replaced by that instant).
func TestTimeHelpers(t *testing.T) {
	if !inShanghai(t) {
		return
	}
	if _, off := fixedNow.In(time.Local).Zone(); off != 8*3600 {
		t.Fatalf("local time zone offset %d s, want +8 h", off)
	}
	e := testEvaluator(testResolver())
	tests := []struct {
		expr string
		want bool
	}{
		{`weekdayRange("WED")`, true},
		{`weekdayRange("wed")`, false},
		{`weekdayRange("THU")`, false},
		{`weekdayRange("MON", "FRI")`, true},
		{`weekdayRange("THU", "FRI")`, false},
		{`weekdayRange("FRI", "MON")`, false},
		{`weekdayRange("SAT", "WED")`, true},
		{`weekdayRange("WED", "GMT")`, true},
		{`weekdayRange("TUE", "GMT")`, false},
		{`weekdayRange("XYZ")`, false},
		{`weekdayRange()`, false},
		{`weekdayRange("MON", "WED", "GMT")`, true},
		{`dateRange(18)`, true},
		{`dateRange(17)`, false},
		{`dateRange("MAR")`, true},
		{`dateRange("mar")`, false},
		{`dateRange("APR")`, false},
		{`dateRange(2026)`, true},
		{`dateRange(2025)`, false},
		{`dateRange(1, 20)`, true},
		{`dateRange(19, 31)`, false},
		{`dateRange(25, 20)`, true},
		{`dateRange("JAN", "MAR")`, true},
		{`dateRange("APR", "DEC")`, false},
		{`dateRange("DEC", "MAR")`, true},
		{`dateRange(2020, 2030)`, true},
		{`dateRange(2027, 2030)`, false},
		{`dateRange(2030, 2020)`, false},
		{`dateRange(1, "MAR", 18, "MAR")`, true},
		{`dateRange(19, "MAR", 30, "APR")`, false},
		{`dateRange(20, "DEC", 20, "MAR")`, true},
		{`dateRange("FEB", 2026, "APR", 2026)`, true},
		{`dateRange("APR", 2026, "FEB", 2027)`, false},
		{`dateRange("DEC", 2025, "MAR", 2026)`, true},
		{`dateRange(1, "JAN", 2026, 18, "MAR", 2026)`, true},
		{`dateRange(19, "MAR", 2026, 1, "JAN", 2027)`, false},
		{`dateRange(1, "DEC", 2025, 31, "MAR", 2026)`, true},
		{`dateRange(18, "GMT")`, true},
		{`dateRange(17, "GMT")`, false},
		{`dateRange("MAR", "GMT")`, true},
		{`dateRange(2026, "GMT")`, true},
		{`dateRange(18, "MAR")`, true},
		{`dateRange(3, "MAR")`, true},
		{`dateRange(18, "APR")`, true},
		{`dateRange("MAR", 18)`, true},
		{`dateRange("MAR", 3)`, true},
		{`dateRange(1, 2, 3)`, true},
		{`dateRange("FOO")`, false},
		{`dateRange()`, false},
		{`dateRange(1, 20, "GMT")`, true},
		{`dateRange("JAN", "MAR", "GMT")`, true},
		{`dateRange(2026, 2027, "GMT")`, true},
		{`dateRange(18, 18)`, true},
		{`dateRange("18")`, true},
		{`timeRange(14)`, true},
		{`timeRange(15)`, false},
		{`timeRange(9, 17)`, true},
		{`timeRange(15, 17)`, false},
		{`timeRange(22, 15)`, false},
		{`timeRange(6, "GMT")`, true},
		{`timeRange(14, "GMT")`, false},
		{`timeRange(14, 30, 14, 30)`, true},
		{`timeRange(14, 31, 17, 0)`, false},
		{`timeRange(14, 30, 15, 14, 30, 15)`, true},
		{`timeRange(14, 30, 16, 14, 31, 0)`, false},
		{`timeRange(6, 0, 7, 0, "GMT")`, true},
		{`timeRange(14, 0, 15, 0, "GMT")`, false},
		{`timeRange(23, 0, 15, 0)`, true},
		{`timeRange("9", "17")`, true},
		{`timeRange("x")`, false},
		{`timeRange()`, false},
		{`timeRange(6, 7, "GMT")`, true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			want := "false"
			if tt.want {
				want = "true"
			}
			if got := evalExpr(t, e, tt.expr); got != want {
				t.Errorf("%s = %s, want %s", tt.expr, got, want)
			}
		})
	}
	got := evalExpr(t, e, `try { timeRange(1, 2, 3) } catch (err) { "threw " + err }`)
	if got != "threw timeRange: bad number of arguments" {
		t.Errorf("timeRange(1, 2, 3): %s", got)
	}
}

// TestTimeHelpersReadScriptDate: the helpers read the global Date when
// called, so a script that replaces Date sees its own time (as in Chrome).
func TestTimeHelpersReadScriptDate(t *testing.T) {
	e := testEvaluator(testResolver()) // its clock says Wednesday 2026-03-18
	got := evalExpr(t, e, `
		var D = Date;
		Date = function () {
			if (arguments.length == 0) return new D(2020, 2, 3, 12, 0, 0); // Tue 3 Mar 2020, 12:00 local
			return new (Function.prototype.bind.apply(D, [null].concat(Array.prototype.slice.call(arguments))))();
		};
		Date.prototype = D.prototype;
		[dateRange(3, "MAR"), dateRange(2020), weekdayRange("TUE"), timeRange(12), weekdayRange("WED")].join()`)
	if got != "true,true,true,true,false" {
		t.Errorf("with the script's Date: %s, want true,true,true,true,false", got)
	}
	if got := evalExpr(t, e, `[dateRange(2026), new Date().getUTCHours()].join()`); got != "true,6" {
		t.Errorf("with the evaluator's clock: %s, want true,6", got)
	}
}

func TestDNSHelpersUseOwnDeadlineAndCache(t *testing.T) {
	res := testResolver()
	res.hang = map[string]bool{"slow.example.com": true}
	e := testEvaluator(res)
	start := time.Now()
	got := evalExpr(t, e, `dnsResolve("slow.example.com") + "," + isResolvable("slow.example.com") + "," + dnsResolve("crm.example.com") + "," + dnsResolve("crm.example.com")`)
	if got != "null,false,203.0.113.10,203.0.113.10" {
		t.Errorf("got %q", got)
	}
	if el := time.Since(start); el > 400*time.Millisecond {
		t.Errorf("took %v; each lookup has a 100ms deadline and answers are cached", el)
	}
	if n := res.calls.Load(); n != 2 {
		t.Errorf("resolver called %d times, want 2 (one per name)", n)
	}
}

func TestInterfaceIPsHasNoLoopback(t *testing.T) {
	for _, ip := range InterfaceIPs(context.Background()) {
		if ip.IsLoopback() {
			t.Errorf("InterfaceIPs returned loopback %v", ip)
		}
	}
}
