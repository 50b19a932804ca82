package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"
	"golang.org/x/sys/unix"

	"berth/engine/network"
	"berth/engine/network/dns"
	"berth/pty"
)

const (
	waitAttachTimeout = 10 * time.Second
	drainTimeout      = 2 * time.Second // for output after the process ended
	flushTimeout      = 2 * time.Second // for clients to take their last frames
	maxQueue          = 1 << 20         // bytes queued for one client before the output waits for it
	slowClientGrace   = 2 * time.Second // how long the output waits for a client before dropping it
	pumpBuffer        = 32 << 10
)

// Ready is a line the monitor writes to its ready writer: first Created (or
// Error), then, once the process runs, Started with its pid (or Error). A
// line with Error is the last; ExitCode then follows Docker's rules: 127
// the command was not found, 126 it could not be executed, 125 anything
// else (bad user, mount failure, ...).
type Ready struct {
	Created  bool   `json:"created,omitempty"`
	Started  bool   `json:"started,omitempty"`
	Pid      int    `json:"pid,omitempty"`
	Error    string `json:"error,omitempty"`
	ExitCode int    `json:"exitCode,omitempty"`
}

// Run is the whole life of the monitor of one container. It listens on the
// attach socket, mounts the root filesystem, creates and starts the
// container, reports on ready (see Ready; ready is closed after the last
// line if it is an io.Closer), pumps output to the log and to attached
// clients, waits for the process (it is its parent), asks rec whether to
// start it again, and at the end destroys the container (cgroup, state
// directory), removes the socket, unmounts the root filesystem, calls
// rec.Finished and only then sends the last Exit frame to the clients, so
// that a client that saw the exit finds it recorded (and an auto-removed
// container gone). Cancelling ctx kills the process with SIGKILL and ends
// the monitor the same way, without restart; that is also how to stop a
// container during a restart delay.
//
// With b.WaitAttach the process is created but held until a client
// attaches with Hello.Start (or 10 s pass), so that client sees all output.
//
// A failure before the first run started (socket, mount, user, missing
// command...) is reported to rec.Exited with Exit.Err set and Docker's exit
// code (its restart answer is ignored: Docker does not restart a container
// whose start failed), then on ready, and returned, after the same cleanup
// and rec.Finished. A failed start of a later run goes to rec.Exited, which
// decides about restarting again.
//
// Run expects to be the main work of its process: it makes the process a
// child subreaper and reaps orphans, ignores SIGHUP and SIGPIPE, and once
// the first run started it trims the process's mapped files from its
// resident set (see trimMappedFiles).
func Run(ctx context.Context, b *Bundle, rec Recorder, ready io.Writer) error {
	m := &monitor{b: b, rec: rec, readyW: ready, startCh: make(chan struct{}), clients: map[*client]struct{}{}}
	ex, err := m.main(ctx)
	m.finish(ex)
	return err
}

type monitor struct {
	b      *Bundle
	rec    Recorder
	readyW io.Writer

	ln        *net.UnixListener
	mounted   bool
	log       *logWriter
	startCh   chan struct{} // closed when a client asks to start (WaitAttach)
	startOnce sync.Once

	reapMu     sync.Mutex   // held while libcontainer starts a process: it reaps its own helpers
	initPid    atomic.Int64 // the current run's init, left to Process.Wait by the reaper
	stopReaper context.CancelFunc
	portHolds  []func() // host ports held for the published ports (ports_linux.go)

	mu      sync.Mutex
	clients map[*client]struct{}
	cur     *run        // the current run, nil between runs
	size    Size        // the last window size a client asked for
	final   *ExitStatus // set when the last run has ended
}

// run is one start of the container's process.
type run struct {
	c              *libcontainer.Container
	p              *libcontainer.Process
	master         *os.File // tty mode
	stdin          *os.File // pipes mode with Process.Stdin: write end
	stdout, stderr *os.File // pipes mode: read ends
	pumps          sync.WaitGroup
	dns            *dns.Server // the container's name server (Bundle.DNS)
}

// startError is a failure to start the process, with Docker's exit code.
type startError struct {
	code int
	msg  string
}

func (e *startError) Error() string { return e.msg }

// main runs the container until it is done for good and returns how its
// last run ended.
func (m *monitor) main(ctx context.Context) (Exit, error) {
	if err := m.setup(ctx); err != nil {
		return m.failFirst(asStartError(err))
	}
	first := true
	for {
		ex, serr := m.runOnce(ctx, first)
		if serr != nil && first {
			return m.failFirst(serr)
		}
		first = false
		restart, delay, err := m.rec.Exited(ex)
		if err != nil || ctx.Err() != nil {
			restart = false
		}
		if !restart {
			return ex, nil
		}
		m.exitClients(ex, false)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ex, nil
		}
	}
}

// setup makes the process a subreaper, listens, mounts and opens the log.
func (m *monitor) setup(ctx context.Context) error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("become a subreaper: %w", err)
	}
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	rctx, cancel := context.WithCancel(ctx)
	m.stopReaper = cancel
	go m.reaper(rctx)

	if err := os.MkdirAll(filepath.Dir(m.b.Socket), 0o700); err != nil {
		return fmt.Errorf("attach socket: %w", err)
	}
	if err := os.Remove(m.b.Socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("attach socket: %w", err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: m.b.Socket, Net: "unix"})
	if err != nil {
		return fmt.Errorf("attach socket: %w", err)
	}
	m.ln = ln
	// Connecting needs write permission: with the usual umask only root
	// could anyway; 0600 says so whatever the umask.
	if err := os.Chmod(m.b.Socket, 0o600); err != nil {
		return fmt.Errorf("attach socket: %w", err)
	}
	go m.accept()

	if err := mountOverlay(m.b.Rootfs); err != nil {
		return err
	}
	m.mounted = true
	log, err := openLog(m.b.Log)
	if err != nil {
		return err
	}
	m.log = log
	return nil
}

// failFirst reports a failure before the first run started.
func (m *monitor) failFirst(serr *startError) (Exit, error) {
	ex := Exit{Code: serr.code, At: time.Now(), Err: serr.msg}
	m.rec.Exited(ex) // restart is not honoured for a container that never started
	m.ready(Ready{Error: serr.msg, ExitCode: serr.code})
	m.closeReady()
	return ex, serr
}

// runOnce starts the process, waits for it and cleans up after it.
func (m *monitor) runOnce(ctx context.Context, first bool) (Exit, *startError) {
	r, serr := m.start()
	if serr == nil && first {
		m.ready(Ready{Created: true})
		if m.b.WaitAttach {
			t := time.NewTimer(waitAttachTimeout)
			select {
			case <-m.startCh:
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
		}
	}
	if serr == nil {
		if ctx.Err() != nil {
			serr = &startError{125, "the container was stopped before its process started"}
		} else if err := r.c.Exec(); err != nil {
			serr = &startError{125, "start the container's process: " + oneLine(err.Error())}
		}
		if serr != nil {
			r.c.Signal(unix.SIGKILL)
			r.p.Wait()
			m.endRun(r)
		}
	}
	if serr != nil {
		return Exit{Code: serr.code, At: time.Now(), Err: serr.msg}, serr
	}
	pid, _ := r.p.Pid()
	m.rec.Started(pid, time.Now())
	if first {
		m.ready(Ready{Started: true, Pid: pid})
		m.closeReady()
		trimMappedFiles()
	}
	return m.wait(ctx, r), nil
}

// start creates the container and starts its init, which waits for Exec.
func (m *monitor) start() (*run, *startError) {
	if serr := m.publish(); serr != nil { // ports_linux.go
		return nil, serr
	}
	pr := m.b.Process
	rootfs := m.b.Rootfs.Target
	uid, gid, groups, home, err := ResolveUser(rootfs, pr.User, pr.GroupAdd...)
	if err != nil {
		return nil, &startError{125, oneLine(err.Error())}
	}
	cwd := pr.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if err := makeWorkdir(rootfs, cwd, uid, gid); err != nil {
		return nil, &startError{125, oneLine(err.Error())}
	}
	p := &libcontainer.Process{
		Args:             pr.Args,
		Env:              processEnv(pr.Env, home, pr.Tty),
		Cwd:              cwd,
		UID:              uid,
		GID:              gid,
		AdditionalGroups: groups,
		Init:             true,
	}
	r := &run{p: p}
	var consoleParent *os.File
	var childEnds []*os.File // the process's ends, closed here once it started
	closeAll := func(fs ...*os.File) {
		for _, f := range fs {
			if f != nil {
				f.Close()
			}
		}
	}
	fail := func(err *startError) (*run, *startError) {
		m.unpublish()
		closeAll(childEnds...)
		closeAll(consoleParent, r.stdin, r.stdout, r.stderr, r.master)
		return nil, err
	}
	if pr.Tty {
		parent, child, err := pty.NewConsoleSocket()
		if err != nil {
			return fail(&startError{125, err.Error()})
		}
		consoleParent = parent
		childEnds = append(childEnds, child)
		p.ConsoleSocket = child
		m.mu.Lock()
		p.ConsoleWidth, p.ConsoleHeight = m.size.Width, m.size.Height
		m.mu.Unlock()
	} else {
		if pr.Stdin {
			rd, wr, err := os.Pipe()
			if err != nil {
				return fail(&startError{125, err.Error()})
			}
			p.Stdin, r.stdin = rd, wr
			childEnds = append(childEnds, rd)
		}
		for _, out := range []**os.File{&r.stdout, &r.stderr} {
			rd, wr, err := os.Pipe()
			if err != nil {
				return fail(&startError{125, err.Error()})
			}
			*out = rd
			childEnds = append(childEnds, wr)
		}
		p.Stdout, p.Stderr = childEnds[len(childEnds)-2], childEnds[len(childEnds)-1]
	}

	if cg := m.b.Config.Cgroups; cg != nil && cg.Resources == nil {
		// A Resources with nothing set does not survive the bundle's JSON
		// (an embedded pointer whose fields are all omitzero), and the
		// cgroup v1 manager refuses a nil one.
		cg.Resources = &cgroups.Resources{}
	}
	c, err := libcontainer.Create(m.b.StateRoot, m.b.ID, m.b.Config)
	if err != nil {
		return fail(&startError{125, "create container: " + oneLine(err.Error())})
	}
	// libcontainer makes its state directory 0711 for user-namespaced
	// containers, which berth does not run: owner-only, as all of berth's.
	os.Chmod(filepath.Join(m.b.StateRoot, m.b.ID), 0o700)
	m.reapMu.Lock()
	err = c.Start(p)
	m.reapMu.Unlock()
	if err != nil {
		c.Destroy()
		return fail(classifyStart(err))
	}
	r.c = c
	closeAll(childEnds...)
	childEnds = nil
	if pr.Tty {
		master, err := pty.RecvConsole(consoleParent)
		consoleParent.Close()
		consoleParent = nil
		if err != nil {
			c.Signal(unix.SIGKILL)
			p.Wait()
			c.Destroy()
			return fail(&startError{125, err.Error()})
		}
		r.master = master
	}
	pid, _ := p.Pid()
	m.initPid.Store(int64(pid))
	if len(m.b.Network) > 0 {
		if err := network.Configure(pid, m.b.Network); err != nil {
			network.Unconfigure(m.b.Network)
			c.Signal(unix.SIGKILL)
			p.Wait()
			c.Destroy()
			return fail(&startError{125, oneLine(err.Error())})
		}
	}
	m.hairpin() // ports_linux.go
	if m.b.DNS != nil {
		// The container's name server, in its namespace until the run
		// ends; the engine's recorder answers names from its store.
		names, _ := m.rec.(dns.Names)
		srv, err := dns.Start(fmt.Sprintf("/proc/%d/ns/net", pid), dns.Config{Names: names, Upstreams: m.b.DNS.Upstreams})
		if err != nil {
			network.Unconfigure(m.b.Network)
			c.Signal(unix.SIGKILL)
			p.Wait()
			c.Destroy()
			return fail(&startError{125, oneLine(err.Error())})
		}
		r.dns = srv
	}

	m.mu.Lock()
	m.cur = r
	if r.master != nil && m.size.Width > 0 && m.size.Height > 0 {
		pty.SetSize(r.master, m.size.Width, m.size.Height)
	}
	m.mu.Unlock()
	if r.master != nil {
		r.pumps.Add(1)
		go m.pump(r, r.master, "stdout", FrameStdout)
	} else {
		r.pumps.Add(2)
		go m.pump(r, r.stdout, "stdout", FrameStdout)
		go m.pump(r, r.stderr, "stderr", FrameStderr)
	}
	return r, nil
}

// processEnv adds HOME (the user's home) and, with a tty, TERM=xterm when
// they are not set, as Docker does.
func processEnv(env []string, home string, tty bool) []string {
	hasHome, hasTerm := false, false
	for _, e := range env {
		hasHome = hasHome || strings.HasPrefix(e, "HOME=")
		hasTerm = hasTerm || strings.HasPrefix(e, "TERM=")
	}
	out := append([]string{}, env...)
	if !hasHome {
		out = append(out, "HOME="+home)
	}
	if tty && !hasTerm {
		out = append(out, "TERM=xterm")
	}
	return out
}

// classifyStart turns libcontainer's start error into a one-line message
// and Docker's exit code. The error crossed a process boundary as text
// (runc init reports it over its sync pipe), so only its text is left to
// classify, as Docker does too.
func classifyStart(err error) *startError {
	msg := oneLine(err.Error())
	if i := strings.Index(msg, "exec: "); i >= 0 {
		msg = msg[i:]
		switch {
		case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
			return &startError{127, msg}
		case strings.Contains(msg, "permission denied"), strings.Contains(msg, "is a directory"):
			return &startError{126, msg}
		}
		return &startError{125, msg}
	}
	for _, p := range []string{"unable to start container process: ", "error during container init: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return &startError{125, msg}
}

func asStartError(err error) *startError {
	var se *startError
	if errors.As(err, &se) {
		return se
	}
	return &startError{125, oneLine(err.Error())}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// wait waits for the run's process (killing it if ctx ends), drains its
// output, and destroys the container.
func (m *monitor) wait(ctx context.Context, r *run) Exit {
	type result struct {
		st *os.ProcessState
	}
	done := make(chan result, 1)
	go func() {
		st, _ := r.p.Wait()
		done <- result{st}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		r.c.Signal(unix.SIGKILL)
		res = <-done
	}
	ex := Exit{Code: exitCode(res.st), At: time.Now()}
	m.initPid.Store(0)
	m.reapOrphans()
	m.drain(r)
	ex.OOMKilled = oomKilled(r.c)
	m.endRun(r)
	return ex
}

func exitCode(st *os.ProcessState) int {
	if st == nil {
		return 255
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

// drain lets the pumps read what the process left in its pipes or pty, for
// a while; then it cuts them off (a process that escaped the container's
// pid namespace could keep them open forever).
func (m *monitor) drain(r *run) {
	done := make(chan struct{})
	go func() {
		r.pumps.Wait()
		close(done)
	}()
	t := time.NewTimer(drainTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		for _, f := range []*os.File{r.master, r.stdout, r.stderr} {
			if f != nil {
				f.Close()
			}
		}
		<-done
	}
}

// endRun closes the run's files and destroys its container (cgroup and
// state directory).
func (m *monitor) endRun(r *run) {
	m.unpublish() // before the exit is recorded: stop returns with the ports free
	if r.dns != nil {
		r.dns.Close() // its sockets would keep the namespace alive
	}
	m.mu.Lock()
	if m.cur == r {
		m.cur = nil
	}
	m.mu.Unlock()
	for _, f := range []*os.File{r.master, r.stdin, r.stdout, r.stderr} {
		if f != nil {
			f.Close()
		}
	}
	for i := 0; ; i++ {
		err := r.c.Destroy()
		if err == nil || i == 4 {
			break
		}
		time.Sleep(50 * time.Millisecond << i)
	}
}

// oomKilled reports whether the kernel's OOM killer killed a process of the
// container's memory cgroup (each run has a cgroup of its own).
func oomKilled(c *libcontainer.Container) bool {
	st, err := c.State()
	if err != nil {
		return false
	}
	if p := st.CgroupPaths["memory"]; p != "" { // cgroup v1
		return counter(p+"/memory.oom_control", "oom_kill") > 0
	}
	if p := st.CgroupPaths[""]; p != "" { // cgroup v2
		return counter(p+"/memory.events", "oom_kill") > 0
	}
	return false
}

// counter reads "name N" from a flat-keyed cgroup file.
func counter(path, name string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, " ")
		if ok && k == name {
			var n int64
			fmt.Sscan(v, &n)
			return n
		}
	}
	return 0
}

// pump copies one output stream to the log and to the attached clients.
func (m *monitor) pump(r *run, f *os.File, stream string, typ byte) {
	defer r.pumps.Done()
	buf := make([]byte, pumpBuffer)
	ls := logStream{w: m.log, name: stream}
	for {
		n, err := f.Read(buf)
		if n > 0 {
			ls.Write(buf[:n])
			m.broadcast(typ, buf[:n])
		}
		if err != nil { // EOF for a pipe, EIO for a pty whose other side is gone
			break
		}
	}
	ls.Flush()
}

// finish tears everything down after the last run: no new clients (the
// socket goes away), the root filesystem unmounted, the log closed,
// rec.Finished, and only then the Exit frame to the clients, so that
// whoever waits on the socket sees the container's final state recorded.
func (m *monitor) finish(ex Exit) {
	if m.ln != nil {
		m.ln.Close() // removes the socket file
	}
	if m.mounted {
		unmountRootfs(m.b.Rootfs.Target)
	}
	if m.log != nil {
		m.log.Close()
	}
	m.closeReady()
	if m.stopReaper != nil {
		m.stopReaper()
	}
	m.unpublish()
	m.rec.Finished()
	m.exitClients(ex, true)
}

func (m *monitor) ready(r Ready) {
	if m.readyW == nil {
		return
	}
	line, _ := json.Marshal(r)
	m.readyW.Write(append(line, '\n'))
}

func (m *monitor) closeReady() {
	if c, ok := m.readyW.(io.Closer); ok {
		c.Close()
	}
	m.readyW = nil
}

// signal delivers sig to the current run's init.
func (m *monitor) signal(sig syscall.Signal) error {
	m.mu.Lock()
	r := m.cur
	m.mu.Unlock()
	if r == nil {
		return ErrNotRunning
	}
	if err := r.c.Signal(sig); err != nil {
		if errors.Is(err, libcontainer.ErrNotRunning) {
			return ErrNotRunning
		}
		return fmt.Errorf("signal the container: %s", oneLine(err.Error()))
	}
	return nil
}

// writeStdin gives input to the current run (if it keeps stdin open).
func (m *monitor) writeStdin(p []byte) {
	if !m.b.Process.Stdin {
		return
	}
	m.mu.Lock()
	var w *os.File
	if r := m.cur; r != nil {
		w = r.stdin
		if r.master != nil {
			w = r.master
		}
	}
	m.mu.Unlock()
	if w != nil {
		w.Write(p) // an error means the process is gone: nothing to do
	}
}

// closeStdin closes the current run's stdin pipe (pipes mode).
func (m *monitor) closeStdin() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.cur; r != nil && r.stdin != nil {
		r.stdin.Close()
		r.stdin = nil
	}
}

// resize sets the pty's window size, and remembers it for later runs.
func (m *monitor) resize(w, h uint16) {
	if w == 0 || h == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.size = Size{Width: w, Height: h}
	if r := m.cur; r != nil && r.master != nil {
		pty.SetSize(r.master, w, h)
	}
}

// reaper reaps orphans that the kernel hands to the monitor as a subreaper
// (Process.Wait reaps the container's init itself).
func (m *monitor) reaper(ctx context.Context) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGCHLD)
	defer signal.Stop(sig)
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			m.reapOrphans()
		}
	}
}

func (m *monitor) reapOrphans() {
	m.reapMu.Lock()
	defer m.reapMu.Unlock()
	for {
		pid, err := peekZombie()
		if err != nil || pid <= 0 || int64(pid) == m.initPid.Load() {
			return
		}
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	}
}
