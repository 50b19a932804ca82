package monitor

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// siginfo is the head of the kernel's siginfo_t as waitid fills it for
// SIGCHLD (x/sys/unix hides the union).
type siginfo struct {
	signo, errno, code, _ int32
	pid                   int32
	uid                   uint32
	status                int32
	_                     [128 - 28]byte
}

// peekZombie returns the pid of a child that has exited, without reaping
// it (0 if there is none).
func peekZombie() (int, error) {
	var si siginfo
	_, _, e := unix.Syscall6(unix.SYS_WAITID, unix.P_ALL, 0, uintptr(unsafe.Pointer(&si)),
		unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(si.pid), nil
}
