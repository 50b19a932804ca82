// Package pty is berth's terminal layer: the terminal the CLI runs in, and
// (with containers) pseudo-terminals, console sockets, resize and the VT
// emulator that draws a container's shell inside a pane.
package pty

import (
	"os"

	"golang.org/x/term"
)

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
