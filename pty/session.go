package pty

import (
	"errors"
	"io"
)

// Session is one program on a terminal, or one attachment to a container's
// main process: a host shell (StartHost), an exec'd command in a container
// (FromMaster over the master the container's console socket sent), or the
// attach stream of a container's monitor. The CLI's run -it, exec -it and
// attach, and the TUI's panes, all drive one.
type Session interface {
	io.Reader // output of the program (the pty master, or the attach stream); io.EOF once it ended
	io.Writer // input (keys, paste)
	// Resize sets the size of the program's terminal (it gets SIGWINCH).
	Resize(cols, rows uint16) error
	// Close ends the session: a host shell or an exec'd command is killed
	// (SIGHUP, then SIGKILL) and reaped; an attachment detaches and the
	// container keeps running. It interrupts a pending Read.
	Close() error
	// Wait blocks until the program ended (or the attachment did) and
	// returns its exit code (128+signal when killed); after Close of an
	// attachment whose container still runs, ErrDetached.
	Wait() (exitCode int, err error)
}

// ErrDetached is what Wait of an attach session returns when the session
// was closed (the user detached) while the container kept running.
var ErrDetached = errors.New("detached")
