package pty

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// NewConsoleSocket makes the socket pair over which a container's init sends
// the master of the pty it creates (libcontainer's Process.ConsoleSocket):
// give child to the process, keep parent for RecvConsole. Both are
// close-on-exec; libcontainer passes child on by itself. Close child in the
// caller once the process has started, so RecvConsole sees end of file
// instead of hanging if nothing was sent.
func NewConsoleSocket() (parent *os.File, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("console socket: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "console-parent"), os.NewFile(uintptr(fds[1]), "console-child"), nil
}

// RecvConsole receives one file descriptor (the pty master) sent with
// SCM_RIGHTS over parent. The file it returns is non-blocking and handled by
// Go's poller, so Close interrupts a pending Read. Reading a pty master
// after every process on the other side has exited returns EIO: that is its
// end of file.
func RecvConsole(parent *os.File) (*os.File, error) {
	rc, err := parent.SyscallConn()
	if err != nil {
		return nil, err
	}
	name := make([]byte, 4096) // the sender puts the terminal's name here
	oob := make([]byte, unix.CmsgSpace(4*4))
	var n, oobn int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), name, oob, unix.MSG_CMSG_CLOEXEC)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, fmt.Errorf("receive console: %w", err)
	}
	if oobn == 0 {
		return nil, errors.New("receive console: no file descriptor was sent")
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, fmt.Errorf("receive console: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		rights, err := unix.ParseUnixRights(&m)
		if err == nil {
			fds = append(fds, rights...)
		}
	}
	if len(fds) == 0 {
		return nil, errors.New("receive console: no file descriptor was sent")
	}
	for _, extra := range fds[1:] {
		unix.Close(extra)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		return nil, fmt.Errorf("receive console: %w", err)
	}
	label := "pty-master"
	if n > 0 {
		label = string(name[:n])
	}
	return os.NewFile(uintptr(fds[0]), label), nil
}
