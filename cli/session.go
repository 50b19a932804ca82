package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"berth/engine/monitor"
	"berth/pty"
)

// Keys a terminal sends that berth acts on for a container without a
// terminal of its own (attach, run and start -a without -t).
const (
	keyInterrupt = 0x03 // Ctrl-C: SIGINT to the container
	keyQuit      = 0x1c // Ctrl-\: SIGQUIT to the container
)

// interruptAgain is how soon a second Ctrl-C detaches from a container
// without a terminal that did not end on the first one's SIGINT.
const interruptAgain = 2 * time.Second

// signaler is an attach session that can signal the container's main
// process (Docker's sig-proxy).
type signaler interface {
	Signal(sig syscall.Signal) error
}

// inputCloser is an attach session whose input can end (stdin EOF) while
// its output goes on.
type inputCloser interface {
	CloseInput() error
}

// termSession drives a session from berth's own terminal (or pipes).
type termSession struct {
	sess  pty.Session
	tty   bool   // the program has a terminal: raw mode, resize, detach keys
	stdin bool   // forward berth's standard input
	keys  []byte // detach keys
	// sigProxy forwards SIGINT and SIGQUIT to the program, and Ctrl-C and
	// Ctrl-\ typed on berth's terminal (a container without a terminal).
	sigProxy bool
	// endOnTerm makes SIGTERM and SIGHUP end berth (detaching) instead of
	// being forwarded (berth attach, which must never outlive its caller).
	endOnTerm bool
	started   func() error // run and start -a: the start's outcome
}

// run connects the session to berth's standard streams until the program
// ends (its exit code), or the user detaches (monitor.ErrDetached, the same
// error as pty.ErrDetached), or ctx ends (a session with a terminal).
func (t termSession) run(ctx context.Context) (int, error) {
	s := t.sess
	term := pty.IsTerminal(os.Stdin)
	var restore func() error
	var err error
	switch {
	case t.tty && term:
		restore, err = pty.MakeRaw(os.Stdin)
	case !t.tty && term && t.sigProxy && t.stdin:
		restore, err = pty.MakeLines(os.Stdin, keyInterrupt, t.detachKeys()[len(t.detachKeys())-1])
	case !t.tty && term && t.sigProxy:
		restore, err = pty.MakeKeys(os.Stdin)
	}
	if err != nil {
		s.Close()
		return 0, err
	}
	if restore != nil {
		defer restore()
	}
	if t.tty && term {
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			for size := range pty.NotifyResize(rctx, os.Stdout) {
				s.Resize(size.Width, size.Height)
			}
		}()
	}

	detach := make(chan string, 2) // why, for a message (empty: none)
	if t.sigProxy {
		sigs := make(chan os.Signal, 4)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
		defer signal.Stop(sigs)
		go func() {
			for sig := range sigs {
				if t.endOnTerm && (sig == syscall.SIGTERM || sig == syscall.SIGHUP) {
					detach <- ""
					return
				}
				t.signal(sig.(syscall.Signal))
			}
		}()
		ctx = context.WithoutCancel(ctx) // the signals go to the container
	}
	switch {
	case t.tty && (t.stdin || term):
		go t.pumpTerminal(detach)
	case !t.tty && term && t.sigProxy:
		go t.pumpKeys(detach)
	case t.stdin:
		go t.pumpPipe()
	}

	out := make(chan struct{})
	go func() { io.Copy(os.Stdout, s); close(out) }()
	type result struct {
		code int
		err  error
	}
	waited := make(chan result, 1)
	go func() { code, err := s.Wait(); waited <- result{code, err} }()
	errc := make(chan error, 1)
	if t.started != nil {
		go func() { errc <- t.started() }()
	}
	select {
	case r := <-waited:
		select { // let the last output through
		case <-out:
		case <-time.After(200 * time.Millisecond):
		}
		s.Close()
		if r.err == nil && t.started != nil {
			select {
			case serr := <-errc:
				if serr != nil {
					return 0, serr
				}
			default:
			}
		}
		return r.code, r.err
	case why := <-detach:
		s.Close()
		if restore != nil {
			restore()
		}
		if why != "" {
			fmt.Fprintln(os.Stderr, why)
		}
		return 0, monitor.ErrDetached
	case <-ctx.Done():
		s.Close()
		return 0, ctx.Err()
	}
}

func (t termSession) signal(sig syscall.Signal) {
	if sp, ok := t.sess.(signaler); ok {
		sp.Signal(sig)
	}
}

func (t termSession) closeInput() {
	if ic, ok := t.sess.(inputCloser); ok {
		ic.CloseInput()
	}
}

// pumpTerminal forwards keys to a program with a terminal, watching for
// the detach keys (read on a terminal even without -i, so that they work).
func (t termSession) pumpTerminal(detach chan<- string) {
	dk := monitor.NewKeyFilter(t.keys)
	buf := make([]byte, 32<<10)
	for {
		n, err := os.Stdin.Read(buf)
		if n > 0 {
			fwd, hit := dk.Filter(buf[:n])
			if t.stdin && len(fwd) > 0 {
				if _, werr := t.sess.Write(fwd); werr != nil {
					return
				}
			}
			if hit {
				detach <- ""
				return
			}
		}
		if err != nil {
			if held := dk.Flush(); t.stdin && len(held) > 0 {
				t.sess.Write(held)
			}
			t.closeInput()
			return
		}
	}
}

// pumpKeys reads berth's terminal for a program without a terminal: in
// line mode (MakeLines) when the user sends it input, else in key mode
// (MakeKeys). The detach keys detach (dropping the line being typed);
// Ctrl-C sends SIGINT and drops the
// line being typed (a second Ctrl-C soon after a first the program did
// not end on detaches: the user is never trapped); Ctrl-\ sends SIGQUIT;
// the end of the terminal's input (Ctrl-D) ends the program's; the rest is
// its input.
func (t termSession) pumpKeys(detach chan<- string) {
	dk := monitor.NewKeyFilter(t.keys)
	buf := make([]byte, 4096)
	var lastInterrupt time.Time
	inputOpen := t.stdin
	for {
		n, err := os.Stdin.Read(buf)
		fwd, hit := dk.Filter(buf[:n])
		var in []byte
		for _, b := range fwd {
			switch b {
			case keyInterrupt:
				in = in[:0] // the line being typed, as a terminal drops it
				if !lastInterrupt.IsZero() && time.Since(lastInterrupt) < interruptAgain {
					detach <- "berth: detached; the container did not end on SIGINT and keeps running"
					return
				}
				lastInterrupt = time.Now()
				t.signal(syscall.SIGINT)
			case keyQuit:
				t.signal(syscall.SIGQUIT)
			default:
				in = append(in, b)
			}
		}
		if hit { // the line being typed is dropped, as with Ctrl-C
			detach <- ""
			return
		}
		if inputOpen && len(in) > 0 {
			t.sess.Write(in)
		}
		if errors.Is(err, io.EOF) {
			if inputOpen {
				t.closeInput()
				inputOpen = false
				continue
			}
			// Ctrl-D again, or a terminal that hung up (then SIGHUP
			// follows): keep reading keys, without spinning.
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			return
		}
	}
}

// detachKeys are the keys that detach (Docker's default when none are set).
func (t termSession) detachKeys() []byte {
	if len(t.keys) == 0 {
		return monitor.DefaultDetachKeys
	}
	return t.keys
}

// pumpPipe copies berth's standard input (no terminal) to the program, as
// it is: no detach keys in a byte stream, as with Docker.
func (t termSession) pumpPipe() {
	_, err := io.Copy(t.sess, os.Stdin)
	if err == nil || errors.Is(err, io.EOF) {
		t.closeInput()
	}
}
