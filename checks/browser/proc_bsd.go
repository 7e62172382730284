//go:build unix && !linux

package browser

import (
	"os"
	"syscall"
)

// procAttr starts the browser in its own process group, so that its
// helpers can be killed together. There is no parent-death signal here:
// a logindoctor killed with SIGKILL leaves the browser running (a later
// run sweeps its profile).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// treeGuard is nothing on Unix: the process group is the tree.
type treeGuard struct{}

func newTreeGuard(*os.Process) (*treeGuard, error) { return &treeGuard{}, nil }

func (*treeGuard) release() {}

// killTree kills the browser's process group.
func killTree(p *os.Process, _ *treeGuard) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
}

// waitExitNoReap cannot wait without reaping here: it returns false.
func waitExitNoReap(*os.Process) bool { return false }
