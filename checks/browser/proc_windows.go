package browser

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// procAttr needs nothing special on Windows: the job object (treeGuard)
// ties the browser's processes to ours.
func procAttr() *syscall.SysProcAttr { return nil }

// treeGuard is a job object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE that
// holds the browser: when its handle closes (release, or logindoctor dies
// in any way) Windows kills every process in it. Helpers the browser
// starts in the moment before it is assigned are not in the job.
type treeGuard struct {
	job windows.Handle
}

func newTreeGuard(p *os.Process) (*treeGuard, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("browser: job object: %w", err)
	}
	g := &treeGuard{job: job}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		g.release()
		return nil, fmt.Errorf("browser: job object limits: %w", err)
	}
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(p.Pid))
	if err != nil {
		g.release()
		return nil, fmt.Errorf("browser: open browser process: %w", err)
	}
	defer windows.CloseHandle(h)
	if err := windows.AssignProcessToJobObject(job, h); err != nil {
		g.release()
		return nil, fmt.Errorf("browser: job object assign: %w", err)
	}
	return g, nil
}

// release closes the job (killing whatever is still in it).
func (g *treeGuard) release() {
	if g == nil || g.job == 0 {
		return
	}
	_ = windows.CloseHandle(g.job)
	g.job = 0
}

// killTree terminates every process of the job, or the browser alone.
func killTree(p *os.Process, g *treeGuard) {
	if g != nil && g.job != 0 {
		if err := windows.TerminateJobObject(g.job, 1); err == nil {
			return
		}
	}
	if err := p.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return
	}
}

// waitExitNoReap is not needed on Windows (the job is not reused): false.
func waitExitNoReap(*os.Process) bool { return false }
