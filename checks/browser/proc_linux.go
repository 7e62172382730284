package browser

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// procAttr starts the browser in its own process group (so that its
// helpers can be killed together) with SIGKILL as its parent-death signal:
// if logindoctor dies, even by SIGKILL, the browser dies with it. The
// signal fires when the starting thread exits, which is why startChrome
// starts and waits on one locked thread.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// treeGuard is nothing on Unix: the process group is the tree.
type treeGuard struct{}

func newTreeGuard(*os.Process) (*treeGuard, error) { return &treeGuard{}, nil }

func (*treeGuard) release() {}

// killTree kills the browser's process group.
func killTree(p *os.Process, _ *treeGuard) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
}

// waitExitNoReap waits until the browser has exited and leaves it
// unreaped (its pid and process group id stay reserved); true when it did.
func waitExitNoReap(p *os.Process) bool {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, p.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, syscall.EINTR) {
			return err == nil
		}
	}
}
