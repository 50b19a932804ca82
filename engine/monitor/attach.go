package monitor

// The attach protocol, spoken over the monitor's unix socket (Bundle.Socket).
//
// The client opens the connection with one line of JSON, a Hello, ended by
// '\n'. After it both sides send frames:
//
//	+------+----------------------+-----------------+
//	| type | length (uint32, BE)  | payload         |
//	+------+----------------------+-----------------+
//	 1 byte        4 bytes          length bytes
//
// Frame types:
//
//	1 Stdout    monitor -> client  output (in tty mode all output is Stdout)
//	2 Stderr    monitor -> client  error output (pipes mode only)
//	3 Stdin     client -> monitor  input for the process; ignored unless the
//	                               container keeps stdin open (Process.Stdin)
//	4 StdinEOF  client -> monitor  the client's input ended; the first one
//	                               closes the process's stdin pipe for this
//	                               run (pipes mode; ignored in tty mode)
//	5 Resize    client -> monitor  payload: width, height as two uint16 BE;
//	                               sets the pty's window size (tty mode)
//	6 Exit      monitor -> client  payload: JSON ExitStatus
//	                               {"code":N,"oomKilled":bool,"at":time};
//	                               the monitor closes the connection after it
//	7 Error     monitor -> client  payload: a one-line message; the monitor
//	                               closes the connection after it
//	8 Ack       monitor -> client  a control request succeeded (empty);
//	                               the connection is closed after it
//
// Hello.Op chooses what the connection is for:
//
//	""        attach: the client receives output from now on (nothing from
//	          before: that is in the log), may send input and resizes, and
//	          receives Exit when the current run of the process ends. With
//	          Start set, a monitor holding its process for WaitAttach lets it
//	          run. Width and Height, when set, resize the pty at once.
//	"signal"  deliver Hello.Signal to the container's init; reply Ack or Error.
//	"wait"    no output; receive Exit when the current run ends.
//	"hold"    the hello line carries (SCM_RIGHTS, in the same sendmsg) the
//	          master of a detached exec's terminal. The monitor keeps it
//	          open and reads and discards what the exec'd processes write
//	          until the last of them closes the terminal, then closes it;
//	          reply Ack or Error. Without it the exec would be hung up
//	          (SIGHUP) when the berth process that started it exits.
//
// A client that connects while the process is between runs (restart delay)
// waits for the next run. After the last run the socket is removed, so a
// failed dial means the monitor is gone. Each attached client has an output
// queue of at most 1 MiB: a client that falls further behind is dropped
// (its connection is closed without an Exit frame), so it never slows the
// container down.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
	"berth/pty"
)

// Frame types of the attach protocol.
const (
	FrameStdout   byte = 1
	FrameStderr   byte = 2
	FrameStdin    byte = 3
	FrameStdinEOF byte = 4
	FrameResize   byte = 5
	FrameExit     byte = 6
	FrameError    byte = 7
	FrameAck      byte = 8
)

const (
	frameHeader   = 5
	maxFrame      = 1 << 20 // largest payload accepted from the other side
	maxHello      = 4096
	stdinChunk    = 32 << 10
	helloDeadline = 5 * time.Second
)

// Operations a connection may ask for in its Hello.
const (
	OpAttach = ""
	OpSignal = "signal"
	OpWait   = "wait"
	OpHold   = "hold"
)

// Hello is the first line a client sends.
type Hello struct {
	Stdin  bool   `json:"stdin,omitempty"` // the client will send input
	Start  bool   `json:"start,omitempty"` // start a process held for WaitAttach
	Width  uint16 `json:"width,omitempty"`
	Height uint16 `json:"height,omitempty"`
	Op     string `json:"op,omitempty"`
	Signal int    `json:"signal,omitempty"`
}

// ExitStatus is the payload of an Exit frame.
type ExitStatus struct {
	Code      int       `json:"code"`
	OOMKilled bool      `json:"oomKilled"`
	At        time.Time `json:"at"`
	Error     string    `json:"error,omitempty"` // the process could not be started
}

// Size is a terminal's size in cells.
type Size = pty.WinSize

// ErrDetached is what Stream.Wait returns after Close (the user detached):
// pty.ErrDetached.
var ErrDetached = pty.ErrDetached

// ErrNotRunning says the container's process does not run: its monitor is
// gone (no socket, or a stale one), or is between two runs. It is of class
// errdefs.ErrConflict.
var ErrNotRunning = errdefs.Conflict("the container is not running")

// DefaultDetachKeys are Ctrl-P Ctrl-Q.
var DefaultDetachKeys = []byte{0x10, 0x11}

// readOutput copies output frames until Exit (or Error, or a lost connection).
func readOutput(r io.Reader, stdout, stderr io.Writer) (ExitStatus, error) {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	var hdr [frameHeader]byte
	buf := make([]byte, 32<<10)
	for {
		typ, n, err := readHeader(r, hdr[:])
		if err != nil {
			return ExitStatus{}, lostMonitor(err)
		}
		if n > len(buf) {
			buf = make([]byte, n)
		}
		p := buf[:n]
		if _, err := io.ReadFull(r, p); err != nil {
			return ExitStatus{}, lostMonitor(err)
		}
		switch typ {
		case FrameStdout:
			if _, err := stdout.Write(p); err != nil {
				return ExitStatus{}, err
			}
		case FrameStderr:
			if _, err := stderr.Write(p); err != nil {
				return ExitStatus{}, err
			}
		case FrameExit:
			var ex ExitStatus
			if err := json.Unmarshal(p, &ex); err != nil {
				return ExitStatus{}, fmt.Errorf("monitor: bad exit frame: %w", err)
			}
			return ex, nil
		case FrameError:
			return ExitStatus{}, frameError(p)
		case FrameAck:
			return ExitStatus{}, errors.New("monitor: unexpected ack")
		}
	}
}

// frameError is the error an Error frame carries.
func frameError(p []byte) error {
	if string(p) == ErrNotRunning.Error() {
		return ErrNotRunning
	}
	return errors.New(string(p))
}

func lostMonitor(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) {
		return errors.New("lost the connection to the container's monitor")
	}
	return fmt.Errorf("monitor: %w", err)
}

// Signal delivers sig to the container's init through its monitor.
func Signal(socket string, sig syscall.Signal) error {
	c, err := dial(context.Background(), socket, Hello{Op: OpSignal, Signal: int(sig)})
	if err != nil {
		return err
	}
	defer c.Close()
	return readReply(c)
}

// HoldTerminal hands master, the pty master of a detached exec, to the
// container's monitor, which keeps the terminal open (draining and
// discarding its output) for as long as the exec'd processes use it. The
// caller may close its own copy once this returns nil.
func HoldTerminal(ctx context.Context, socket string, master *os.File) error {
	c, err := dialUnix(ctx, socket)
	if err != nil {
		return err
	}
	defer c.Close()
	raw, err := master.SyscallConn()
	if err != nil {
		return fmt.Errorf("hand the terminal to the container's monitor: %w", err)
	}
	line, _ := json.Marshal(Hello{Op: OpHold})
	line = append(line, '\n')
	var werr error
	err = raw.Control(func(fd uintptr) {
		// One sendmsg: the descriptor travels with the hello's bytes, so
		// the monitor's first read takes both.
		_, _, werr = c.WriteMsgUnix(line, unix.UnixRights(int(fd)), nil)
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("hand the terminal to the container's monitor: %w", err)
	}
	return readReply(c)
}

// readReply reads the Ack or Error that answers a control request.
func readReply(c net.Conn) error {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var hdr [frameHeader]byte
	typ, n, err := readHeader(c, hdr[:])
	if err != nil {
		return lostMonitor(err)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(c, p); err != nil {
		return lostMonitor(err)
	}
	switch typ {
	case FrameAck:
		return nil
	case FrameError:
		return frameError(p)
	}
	return fmt.Errorf("monitor: unexpected frame %d", typ)
}

// WaitExit blocks until the current run of the container's process ends
// and returns how it ended.
func WaitExit(ctx context.Context, socket string) (Exit, error) {
	c, err := dial(ctx, socket, Hello{Op: OpWait})
	if err != nil {
		return Exit{}, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	ex, err := readOutput(c, nil, nil)
	if err != nil {
		if ctx.Err() != nil {
			return Exit{}, ctx.Err()
		}
		return Exit{}, err
	}
	return Exit{Code: ex.Code, OOMKilled: ex.OOMKilled, At: ex.At, Err: ex.Error}, nil
}

// dial connects to a monitor and says hello.
func dial(ctx context.Context, socket string, h Hello) (net.Conn, error) {
	c, err := dialUnix(ctx, socket)
	if err != nil {
		return nil, err
	}
	line, _ := json.Marshal(h)
	line = append(line, '\n')
	if _, err := c.Write(line); err != nil {
		c.Close()
		return nil, fmt.Errorf("connect to the container's monitor: %w", err)
	}
	return c, nil
}

// dialUnix connects to a monitor's socket.
func dialUnix(ctx context.Context, socket string) (*net.UnixConn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socket)
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		return nil, ErrNotRunning
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the container's monitor: %w", err)
	}
	return c.(*net.UnixConn), nil
}

// readHeader reads a frame header into hdr and returns type and length.
func readHeader(r io.Reader, hdr []byte) (byte, int, error) {
	if _, err := io.ReadFull(r, hdr[:frameHeader]); err != nil {
		return 0, 0, err
	}
	n := binary.BigEndian.Uint32(hdr[1:frameHeader])
	if n > maxFrame {
		return 0, 0, fmt.Errorf("frame of %d bytes is too large", n)
	}
	return hdr[0], int(n), nil
}

// writeFrame writes one frame in a single write.
func writeFrame(w io.Writer, typ byte, p []byte) error {
	_, err := w.Write(frame(typ, p))
	return err
}

// frame builds a frame: header and payload in one slice.
func frame(typ byte, p []byte) []byte {
	b := make([]byte, frameHeader+len(p))
	b[0] = typ
	binary.BigEndian.PutUint32(b[1:frameHeader], uint32(len(p)))
	copy(b[frameHeader:], p)
	return b
}

func resizePayload(w, h uint16) []byte {
	var p [4]byte
	binary.BigEndian.PutUint16(p[0:2], w)
	binary.BigEndian.PutUint16(p[2:4], h)
	return p[:]
}

// detachKeys finds a key sequence in a byte stream. Bytes that might start
// the sequence are held back until it is clear they do not.
type detachKeys struct {
	keys    []byte
	matched int // keys[:matched] were seen last and are held
}

// filter returns what to forward from p and whether the sequence is complete.
func (d *detachKeys) filter(p []byte) (out []byte, hit bool) {
	if len(d.keys) == 0 {
		return p, false
	}
	out = make([]byte, 0, len(p)+d.matched)
	for _, b := range p {
		if b == d.keys[d.matched] {
			d.matched++
			if d.matched == len(d.keys) {
				d.matched = 0
				return out, true
			}
			continue
		}
		if d.matched > 0 {
			out = append(out, d.keys[:d.matched]...)
			d.matched = 0
			if b == d.keys[0] {
				d.matched = 1
				if len(d.keys) == 1 {
					d.matched = 0
					return out, true
				}
				continue
			}
		}
		out = append(out, b)
	}
	return out, false
}

// flush returns the bytes held back.
func (d *detachKeys) flush() []byte {
	held := d.keys[:d.matched]
	d.matched = 0
	return held
}

// KeyFilter finds the detach keys in what a user types, for whoever reads
// the keys of a Stream or another session.
type KeyFilter struct{ d detachKeys }

// NewKeyFilter watches for keys (nil: DefaultDetachKeys).
func NewKeyFilter(keys []byte) *KeyFilter {
	if len(keys) == 0 {
		keys = DefaultDetachKeys
	}
	return &KeyFilter{detachKeys{keys: keys}}
}

// Filter returns what of p to pass on and whether the keys were typed
// (then what followed them in p is dropped). Bytes that may start the keys
// are held back until the next call shows they do not.
func (f *KeyFilter) Filter(p []byte) (out []byte, hit bool) { return f.d.filter(p) }

// Flush returns the bytes held back (at the end of the input).
func (f *KeyFilter) Flush() []byte { return f.d.flush() }

// ParseDetachKeys reads Docker's --detach-keys syntax: comma-separated keys,
// each a single character or ctrl-<a-z, @, [, \, ], ^ or _>.
func ParseDetachKeys(s string) ([]byte, error) {
	var out []byte
	for _, k := range strings.Split(s, ",") {
		if len(k) == 1 {
			out = append(out, k[0])
			continue
		}
		lk := strings.ToLower(k)
		if len(lk) == 6 && strings.HasPrefix(lk, "ctrl-") {
			c := lk[5]
			switch {
			case c >= 'a' && c <= 'z':
				out = append(out, c-'a'+1)
				continue
			case bytes.IndexByte([]byte("@[\\]^_"), c) >= 0:
				out = append(out, c-'@') // @=0 [=27 \=28 ]=29 ^=30 _=31
				continue
			}
		}
		return nil, fmt.Errorf("invalid detach keys %q: unknown key %q (use ctrl-<a-z,@,[,\\,],^,_> or single characters, comma-separated)", s, k)
	}
	return out, nil
}

// Stream is an attach connection as a pty.Session: Read gives the output
// (stdout and stderr interleaved, as a terminal shows them), Write sends
// input, Resize the window size; Close detaches and leaves the container
// running; Wait returns the exit code of the current run, or ErrDetached
// after Close. The detach keys are not looked for: whoever reads the keys
// (the CLI, the TUI) does that and calls Close.
type Stream struct {
	socket string
	conn   net.Conn
	out    *io.PipeReader

	wmu sync.Mutex // frames written by Write and Resize

	done     chan struct{} // closed when the output ended; then exit is set
	exit     ExitStatus
	exitErr  error
	detached chan struct{} // closed by Close
	once     sync.Once
}

// StreamOptions say what an attach Stream asks the monitor for.
type StreamOptions struct {
	Stdin         bool   // the stream will send input
	Start         bool   // ask a WaitAttach monitor to start the process
	Width, Height uint16 // initial size of the container's terminal (tty mode)
	// Stderr, when set, receives the error output of a container without
	// a terminal; nil: it is interleaved with the output in Read.
	Stderr io.Writer
}

// OpenStream attaches to the container whose monitor listens on socket.
// Output not read is held (the monitor waits for a slow reader for a while,
// then drops it: read it steadily).
func OpenStream(ctx context.Context, socket string, o StreamOptions) (*Stream, error) {
	c, err := dial(ctx, socket, Hello{Stdin: o.Stdin, Start: o.Start, Width: o.Width, Height: o.Height})
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	s := &Stream{socket: socket, conn: c, out: pr, done: make(chan struct{}), detached: make(chan struct{})}
	go func() {
		var stderr io.Writer = pw
		if o.Stderr != nil {
			stderr = o.Stderr
		}
		ex, err := readOutput(c, pw, stderr)
		s.exit, s.exitErr = ex, err
		close(s.done)
		if err != nil && !s.isDetached() {
			pw.CloseWithError(err)
			return
		}
		pw.Close()
	}()
	return s, nil
}

// Read reads output; io.EOF once the process ended or the stream was closed.
func (s *Stream) Read(p []byte) (int, error) {
	n, err := s.out.Read(p)
	if err == io.ErrClosedPipe {
		err = io.EOF
	}
	return n, err
}

// Write sends p as input (ignored by the monitor unless the container
// keeps stdin open).
func (s *Stream) Write(p []byte) (int, error) {
	for off := 0; off < len(p); off += stdinChunk {
		end := min(off+stdinChunk, len(p))
		if err := s.send(FrameStdin, p[off:end]); err != nil {
			return off, err
		}
	}
	return len(p), nil
}

// CloseInput tells the monitor that input ended (the process's stdin is
// closed, in pipes mode).
func (s *Stream) CloseInput() error { return s.send(FrameStdinEOF, nil) }

// Resize sets the size of the container's terminal (tty mode).
func (s *Stream) Resize(cols, rows uint16) error {
	return s.send(FrameResize, resizePayload(cols, rows))
}

// Signal delivers sig to the container's main process (Docker's
// sig-proxy), over a connection of its own.
func (s *Stream) Signal(sig syscall.Signal) error { return Signal(s.socket, sig) }

func (s *Stream) send(typ byte, p []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.isDetached() {
		return net.ErrClosed
	}
	return writeFrame(s.conn, typ, p)
}

// Close detaches: the connection is closed, the container keeps running,
// a pending Read returns io.EOF.
func (s *Stream) Close() error {
	s.once.Do(func() {
		close(s.detached)
		s.conn.Close()
		s.out.Close()
	})
	return nil
}

func (s *Stream) isDetached() bool {
	select {
	case <-s.detached:
		return true
	default:
		return false
	}
}

// Wait returns the exit code of the container's process once its current
// run ended, or ErrDetached once the stream was closed before that. A
// process that could not be started gives its message as the error.
func (s *Stream) Wait() (int, error) {
	select {
	case <-s.done:
	case <-s.detached:
		// Close closed the connection: done follows at once. An Exit that
		// arrived first still counts.
		<-s.done
	}
	if s.exitErr != nil {
		if s.isDetached() {
			return -1, ErrDetached
		}
		return -1, s.exitErr
	}
	if s.exit.Error != "" {
		return -1, errors.New(s.exit.Error)
	}
	return s.exit.Code, nil
}

// Exit is how the current run ended, once Wait returned without an error.
func (s *Stream) Exit() ExitStatus { return s.exit }
