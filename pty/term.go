// Package pty is berth's terminal layer: the terminal the CLI runs in, and
// (with containers) pseudo-terminals, console sockets, resize and the VT
// emulator that draws a container's shell inside a pane.
package pty

import (
	"context"
	"fmt"
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

// MakeKeys puts terminal f into key mode, for a user who drives a program
// without a terminal of its own from this one (attach to a container
// started without -t) and sends it no input: keys arrive one by one, are
// not echoed, and raise no signal (Ctrl-C, Ctrl-\ and Ctrl-Z are bytes for
// the reader to act on; Ctrl-S and Ctrl-Q stop no output). Output is
// processed as usual (a newline starts a new line). restore puts f back.
func MakeKeys(f *os.File) (restore func() error, err error) {
	return setTermios(f, func(t *unix.Termios) {
		t.Lflag &^= unix.ICANON | unix.ISIG | unix.IEXTEN | unix.ECHO | unix.ECHONL
		t.Iflag &^= unix.IXON
		t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	})
}

// MakeLines puts terminal f into line mode, the same for a user who sends
// such a program input: the terminal edits and echoes lines as usual
// (Backspace, Ctrl-U, Ctrl-W; Ctrl-D on an empty line reads as end of
// file), but keys raise no signal and Ctrl-S and Ctrl-Q stop no output;
// a read also returns at once when one of ends (at most two keys, e.g.
// Ctrl-C and the last detach key) is typed, with the key at the end of what
// it returns. restore puts f back.
func MakeLines(f *os.File, ends ...byte) (restore func() error, err error) {
	if len(ends) > 2 {
		return nil, fmt.Errorf("line mode: at most two keys can end a line, not %d", len(ends))
	}
	return setTermios(f, func(t *unix.Termios) {
		t.Lflag |= unix.ICANON | unix.ECHO | unix.IEXTEN
		t.Lflag &^= unix.ISIG
		t.Iflag &^= unix.IXON
		eol := []int{unix.VEOL, unix.VEOL2}
		for i := range eol {
			t.Cc[eol[i]] = 0 // _POSIX_VDISABLE
		}
		for i, k := range ends {
			t.Cc[eol[i]] = k
		}
	})
}

func setTermios(f *os.File, change func(*unix.Termios)) (restore func() error, err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	t := *old
	change(&t)
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, err
	}
	return func() error { return unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}
