// Package policy holds the organisation's login-policy checks:
// policy.hours (now is inside policy.login_hours, time-zone aware) and
// policy.network (this machine's public IP is in policy.allowed_networks).
package policy

// The time zone database is embedded so that zones such as Asia/Shanghai
// resolve on Windows and on minimal containers without /usr/share/zoneinfo
// (about 450 KB in the binary).
import _ "time/tzdata"
