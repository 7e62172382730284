package policy

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// The codes of policy.network. POLICY_IP_UNKNOWN is a skip: not knowing the
// address is never a failure.
const (
	CodeIPNotAllowed = "POLICY_IP_NOT_ALLOWED"
	CodeIPUnknown    = "POLICY_IP_UNKNOWN"
)

// NetworkID is policy.network's stable ID.
const NetworkID = "policy.network"

// NewNetwork returns the policy.network check.
func NewNetwork() checks.Check { return networkCheck{} }

type networkCheck struct{}

var _ checks.Check = networkCheck{}

func (networkCheck) Info() checks.Info {
	return checks.Info{
		ID:        NetworkID,
		Stage:     checks.StagePolicy,
		DependsOn: []string{},
		Needs:     []string{"policy.allowed_networks", "policy.egress_ip_url"},
	}
}

// ParseNetworks validates policy.allowed_networks: each item a CIDR
// (203.0.113.0/24, 2001:db8::/32) or a single address.
func ParseNetworks(list []string) error {
	_, err := parseNetworks(list)
	return err
}

func parseNetworks(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		return nil, fmt.Errorf("item %d %q is not a CIDR (e.g. 203.0.113.0/24) or an IP address", i+1, clip(s))
	}
	return out, nil
}

func (networkCheck) Run(ctx context.Context, env *checks.Env, _ checks.Deps) checks.Result {
	pol := env.Target.Policy
	if len(pol.AllowedNetworks) == 0 {
		return checks.NotConfigured("policy.allowed_networks")
	}
	nets, err := parseNetworks(pol.AllowedNetworks)
	if err != nil {
		return checks.Errored("policy.allowed_networks: " + err.Error())
	}
	if strings.TrimSpace(pol.EgressIPURL) == "" {
		return checks.NotConfigured("policy.egress_ip_url")
	}
	allowed := make([]string, len(nets))
	for i, n := range nets {
		allowed[i] = n.String()
	}
	eg, err := learnEgress(ctx, env, pol.EgressIPURL)
	if err != nil {
		return unknownIP(eg, err).With("allowed_networks", allowed)
	}
	return judgeIP(eg, nets, allowed)
}

func judgeIP(eg egress, nets []netip.Prefix, allowed []string) checks.Result {
	var res checks.Result
	if n, ok := matchNetwork(eg.ip, nets); ok {
		res = checks.Pass(fmt.Sprintf("this machine's public address %s is in the allowed network %s", eg.ip, n)).
			With("matched_network", n.String())
	} else {
		res = checks.Finding(checks.StatusFail, CodeIPNotAllowed, checks.SeverityHigh, checks.OwnerYou,
			fmt.Sprintf("this machine's public address %s is not in the allowed networks %s: the CRM refuses logins from here",
				eg.ip, strings.Join(allowed, ", "))).
			WithParam("ip", eg.ip.String()).WithParam("allowed", strings.Join(allowed, ", "))
		if eg.viaProxy {
			res.Variant = "proxy"
		}
	}
	return eg.evidence(res).With("egress_ip", eg.ip.String()).With("allowed_networks", allowed)
}

func matchNetwork(ip netip.Addr, nets []netip.Prefix) (netip.Prefix, bool) {
	for _, n := range nets {
		if n.Contains(ip) {
			return n, true
		}
	}
	return netip.Prefix{}, false
}

// unknownIP is the skip when the address could not be learnt.
func unknownIP(eg egress, err error) checks.Result {
	reason := "unreachable"
	switch {
	case errors.Is(err, errTimeout):
		reason = "timeout"
	case errors.Is(err, errNotIP):
		reason = "not_an_ip"
	case errors.Is(err, errStatus):
		reason = "http_status"
	case errors.Is(err, errBadURL):
		reason = "bad_url"
	}
	res := checks.Skip(CodeIPUnknown, "this machine's public address could not be learnt, so the IP allow-list was not checked: "+err.Error()).
		WithParam("source", eg.source).WithParam("reason", reason)
	return eg.evidence(res).With("reason", reason)
}
