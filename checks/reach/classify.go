package reach

import (
	"github.com/logindoctor/logindoctor/checks/netfail"
)

// The reason codes of net.reach. A proxy that refuses to connect to an
// endpoint gives proxy.route's PROXY_* codes (see netfail).
const (
	CodeRefused     = netfail.NetRefused
	CodeTimeout     = netfail.NetTimeout
	CodeUnreachable = netfail.NetUnreachable
)

// classify names a failed connect: its code and a short detail.
func classify(err error) (code, detail string) {
	f := netfail.Dial(err)
	return f.Code, f.Detail
}
