package pty

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	cpty "github.com/creack/pty"
)

// StartHost starts shell (empty: the user's $SHELL, else /bin/sh) on a new
// pseudo-terminal of cols x rows, in a session of its own, in berth's
// working directory, with
// TERM=xterm-256color (what berth's terminal panes emulate). Close sends
// SIGHUP, then SIGKILL, to everything the shell started on its terminal and
// reaps it; Wait gives its exit code.
func StartHost(shell string, cols, rows uint16) (Session, error) {
	if shell == "" {
		shell = os.Getenv("SHELL")
	}
	if shell == "" {
		shell = "/bin/sh"
	}
	master, slave, err := cpty.Open()
	if err != nil {
		return nil, fmt.Errorf("host shell: open a pseudo-terminal: %w", err)
	}
	defer slave.Close()
	if cols > 0 && rows > 0 {
		if err := SetSize(master, cols, rows); err != nil {
			master.Close()
			return nil, fmt.Errorf("host shell: size the terminal: %w", err)
		}
	}
	cmd := exec.Command(shell)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		master.Close()
		return nil, fmt.Errorf("host shell %s: %w (set $SHELL to a shell that exists)", shell, err)
	}
	pid := cmd.Process.Pid
	wait := func() (int, error) { return exitCode(cmd.Wait()) }
	signal := func(sig syscall.Signal) error { return SignalSession(pid, sig) }
	return FromMaster(master, wait, signal), nil
}

// exitCode turns the end of a process into an exit code, 128+signal when a
// signal killed it.
func exitCode(err error) (int, error) {
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return -1, err
	}
	if ee == nil {
		return 0, nil
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ee.ExitCode(), nil
}
