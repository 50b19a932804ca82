// Package pty is berth's terminal layer: the terminal the CLI runs in, and
// (with containers) pseudo-terminals, console sockets, resize and the VT
// emulator that draws a container's shell inside a pane.
package pty

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// WinSize is the size of a terminal in character cells.
type WinSize struct {
	Width, Height uint16
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Width is the number of columns of terminal f, or def if f is no terminal.
func Width(f *os.File, def int) int {
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w <= 0 {
		return def
	}
	return w
}

// MakeRaw puts terminal f into raw mode; restore puts it back as it was.
func MakeRaw(f *os.File) (restore func() error, err error) {
	fd := int(f.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	return func() error { return term.Restore(fd, old) }, nil
}

// Size is the width and height of terminal f (or of the terminal behind a
// pty master).
func Size(f *os.File) (w, h uint16, err error) {
	ws, err := ioctlGetWinsize(f)
	if err != nil {
		return 0, 0, err
	}
	return ws.Col, ws.Row, nil
}

// SetSize sets the window size of terminal f; on a pty master it is what
// the program on the other side sees (and is sent SIGWINCH for).
func SetSize(f *os.File, w, h uint16) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		serr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Col: w, Row: h})
	})
	if err != nil {
		return err
	}
	return serr
}

func ioctlGetWinsize(f *os.File) (*unix.Winsize, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var ws *unix.Winsize
	var gerr error
	err = rc.Control(func(fd uintptr) {
		ws, gerr = unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ)
	})
	if err != nil {
		return nil, err
	}
	return ws, gerr
}

// NotifyResize sends the size of terminal f each time it changes (SIGWINCH),
// starting with its current size. Only the latest size is kept if the
// receiver is slow. The channel is closed when ctx ends.
func NotifyResize(ctx context.Context, f *os.File) <-chan WinSize {
	out := make(chan WinSize, 1)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	send := func() {
		w, h, err := Size(f)
		if err != nil {
			return
		}
		select { // keep only the latest size
		case <-out:
		default:
		}
		out <- WinSize{Width: w, Height: h}
	}
	go func() {
		defer close(out)
		defer signal.Stop(sig)
		send()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sig:
				send()
			}
		}
	}()
	return out
}

// MakeKeys puts terminal f into key mode, for a program without a terminal
// of its own that a user drives from this one (attach to a container
// started without -t): keys arrive one by one and unchanged (Ctrl-C,
// Ctrl-\, Ctrl-Z, Ctrl-Q and Ctrl-S raise no signal and stop no output:
// the reader acts on them), typed characters are echoed when echo is set,
// and output is processed as usual (a newline starts a new line). restore
// puts it back as it was.
func MakeKeys(f *os.File, echo bool) (restore func() error, err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= unix.ICANON | unix.ISIG | unix.IEXTEN | unix.ECHOCTL
	if !echo {
		t.Lflag &^= unix.ECHO | unix.ECHONL
	} else {
		t.Lflag |= unix.ECHO
	}
	t.Iflag &^= unix.IXON
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, err
	}
	return func() error { return unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}
