package monitor

// The monitor's side of the attach protocol (see attach.go).

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// client is one connection: an attached client (output) or a waiter.
type client struct {
	conn   *net.UnixConn
	output bool // receives output frames

	mu      sync.Mutex
	cond    *sync.Cond
	q       [][]byte // frames waiting to be written
	queued  int      // bytes in q and in the write under way
	closing bool     // close once q is written
	dead    bool
	done    chan struct{} // the writer has ended
}

func newClient(conn *net.UnixConn, output bool) *client {
	c := &client{conn: conn, output: output, done: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	go c.writer()
	return c
}

// send queues a frame. A client with more than maxQueue bytes queued is
// waited for, up to slowClientGrace (the output stalls meanwhile, as
// Docker's attach does, so a client that is only slow on a busy machine
// keeps every byte); one that still has not caught up is dropped (false).
func (c *client) send(f []byte, last bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead || c.closing {
		return !c.dead
	}
	var deadline time.Time
	for c.queued+len(f) > maxQueue && !last && !c.dead {
		if deadline.IsZero() {
			deadline = time.Now().Add(slowClientGrace)
		} else if time.Now().After(deadline) {
			c.dead = true
			c.conn.Close()
			c.cond.Signal()
			return false
		}
		c.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		c.mu.Lock()
	}
	if c.dead {
		return false
	}
	c.q = append(c.q, f)
	c.queued += len(f)
	c.closing = last
	c.cond.Signal()
	return true
}

// kill closes the connection at once.
func (c *client) kill() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dead = true
	c.conn.Close()
	c.cond.Signal()
}

func (c *client) writer() {
	defer close(c.done)
	defer c.conn.Close()
	for {
		c.mu.Lock()
		for len(c.q) == 0 && !c.closing && !c.dead {
			c.cond.Wait()
		}
		if c.dead || (c.closing && len(c.q) == 0) {
			c.mu.Unlock()
			return
		}
		q := c.q
		c.q = nil
		c.mu.Unlock()
		n := 0
		for _, f := range q {
			n += len(f)
		}
		bufs := net.Buffers(q)
		_, err := bufs.WriteTo(c.conn)
		c.mu.Lock()
		c.queued -= n
		c.mu.Unlock()
		if err != nil {
			c.kill()
			return
		}
	}
}

// accept serves connections until the listener is closed.
func (m *monitor) accept() {
	for {
		conn, err := m.ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // EMFILE and the like
			continue
		}
		go m.serve(conn)
	}
}

// serve reads a connection's hello and handles what it asks for.
func (m *monitor) serve(conn *net.UnixConn) {
	rr := &rightsReader{conn: conn}
	br := bufio.NewReaderSize(rr, 512)
	conn.SetReadDeadline(time.Now().Add(helloDeadline))
	h, err := readHello(br)
	fds := rr.take() // passed with the hello (OpHold); nothing else may pass any
	if err != nil {
		closeFds(fds)
		writeFrame(conn, FrameError, []byte("bad hello: "+err.Error()))
		conn.Close()
		return
	}
	conn.SetReadDeadline(time.Time{})
	if h.Op != OpHold {
		closeFds(fds)
	}
	switch h.Op {
	case OpHold:
		defer conn.Close()
		if len(fds) != 1 {
			closeFds(fds)
			writeFrame(conn, FrameError, []byte("hold: send one terminal with the hello"))
			return
		}
		if err := holdTerminal(fds[0]); err != nil {
			writeFrame(conn, FrameError, []byte(err.Error()))
			return
		}
		writeFrame(conn, FrameAck, nil)
	case OpSignal:
		defer conn.Close()
		if err := m.signal(syscall.Signal(h.Signal)); err != nil {
			writeFrame(conn, FrameError, []byte(err.Error()))
			return
		}
		writeFrame(conn, FrameAck, nil)
	case OpWait, OpAttach:
		c := newClient(conn, h.Op == OpAttach)
		if !m.register(c) {
			return
		}
		if h.Op == OpAttach {
			m.resize(h.Width, h.Height)
			if h.Start {
				m.startOnce.Do(func() { close(m.startCh) })
			}
		}
		m.readInput(c, br)
		m.unregister(c)
	default:
		writeFrame(conn, FrameError, []byte("unknown op "+h.Op))
		conn.Close()
	}
}

// holdTerminal keeps the pty master fd open and drains it until every
// process on the terminal has closed it (read fails with EIO), then closes
// it. Output is discarded, as Docker discards a detached exec's.
func holdTerminal(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		unix.Close(fd)
		return errors.New("hold: not a terminal")
	}
	// Non-blocking, so the runtime's poller waits for it, not a thread.
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return fmt.Errorf("hold: %w", err)
	}
	f := os.NewFile(uintptr(fd), "exec terminal")
	go func() {
		defer f.Close()
		io.Copy(io.Discard, f)
	}()
	return nil
}

// rightsReader reads a connection with recvmsg, keeping the descriptors
// that come with the bytes (SCM_RIGHTS) instead of losing them.
// The descriptors arrive close-on-exec (Go asks for MSG_CMSG_CLOEXEC).
type rightsReader struct {
	conn  *net.UnixConn
	oob   [64]byte
	fds   []int
	taken bool // later descriptors are closed on arrival
}

func (r *rightsReader) Read(p []byte) (int, error) {
	n, oobn, _, _, err := r.conn.ReadMsgUnix(p, r.oob[:])
	if oobn > 0 {
		if msgs, perr := unix.ParseSocketControlMessage(r.oob[:oobn]); perr == nil {
			for _, msg := range msgs {
				if fds, ferr := unix.ParseUnixRights(&msg); ferr == nil {
					if r.taken {
						closeFds(fds)
						continue
					}
					r.fds = append(r.fds, fds...)
				}
			}
		}
	}
	if n < 0 {
		n = 0 // recvmsg's -1 on an error
	}
	if n == 0 && err == nil && len(p) > 0 {
		err = io.EOF // recvmsg returns 0 at the end of a stream
	}
	return n, err
}

// take returns the descriptors received so far; any that come later are
// closed at once (only the hello may carry them).
func (r *rightsReader) take() []int {
	fds := r.fds
	r.fds, r.taken = nil, true
	return fds
}

func closeFds(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

func readHello(br *bufio.Reader) (Hello, error) {
	var h Hello
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return h, errors.New("too long")
	}
	if err != nil {
		return h, err
	}
	err = json.Unmarshal(line, &h)
	return h, err
}

// register adds a client; after the last run it gets the final Exit at once.
func (m *monitor) register(c *client) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.final != nil {
		c.send(exitFrame(*m.final), true)
		return false
	}
	m.clients[c] = struct{}{}
	return true
}

func (m *monitor) unregister(c *client) {
	m.mu.Lock()
	delete(m.clients, c)
	m.mu.Unlock()
	c.kill()
}

// readInput handles a client's frames until it goes away. Input goes to
// the current run: with several clients it interleaves chunk by chunk. The
// first StdinEOF of any client closes the run's stdin pipe.
func (m *monitor) readInput(c *client, r io.Reader) {
	var hdr [frameHeader]byte
	var buf []byte
	for {
		typ, n, err := readHeader(r, hdr[:])
		if err != nil {
			return
		}
		if n > cap(buf) {
			buf = make([]byte, n)
		}
		p := buf[:n]
		if _, err := io.ReadFull(r, p); err != nil {
			return
		}
		switch typ {
		case FrameStdin:
			if c.output {
				m.writeStdin(p)
			}
		case FrameStdinEOF:
			if c.output && !m.b.Process.Tty {
				m.closeStdin()
			}
		case FrameResize:
			if c.output && n == 4 {
				m.resize(binary.BigEndian.Uint16(p[0:2]), binary.BigEndian.Uint16(p[2:4]))
			}
		}
		if cap(buf) > stdinChunk*2 {
			buf = nil // a big frame was a one-off: do not keep its buffer
		}
	}
}

// broadcast sends output to every attached client, dropping those that
// fall too far behind.
func (m *monitor) broadcast(typ byte, p []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var f []byte
	for c := range m.clients {
		if !c.output {
			continue
		}
		if f == nil {
			f = frame(typ, p)
		}
		if !c.send(f, false) {
			delete(m.clients, c)
		}
	}
}

// exitClients sends Exit to every client and ends their connections. After
// the last run (final) it waits a little for them to take it, since the
// monitor process exits right after.
func (m *monitor) exitClients(ex Exit, final bool) {
	f := exitFrame(ExitStatus{Code: ex.Code, OOMKilled: ex.OOMKilled, At: ex.At, Error: ex.Err})
	m.mu.Lock()
	cs := m.clients
	m.clients = map[*client]struct{}{}
	if final {
		st := ExitStatus{Code: ex.Code, OOMKilled: ex.OOMKilled, At: ex.At, Error: ex.Err}
		m.final = &st
	}
	m.mu.Unlock()
	for c := range cs {
		c.send(f, true)
	}
	if !final {
		return
	}
	t := time.NewTimer(flushTimeout)
	defer t.Stop()
	for c := range cs {
		select {
		case <-c.done:
		case <-t.C:
			for c := range cs {
				c.kill()
			}
			return
		}
	}
}

func exitFrame(st ExitStatus) []byte {
	p, _ := json.Marshal(st)
	return frame(FrameExit, p)
}
