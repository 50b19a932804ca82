package container

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/opencontainers/runc/libcontainer"

	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/monitor"
	"berth/pty"
)

// ExecOptions for Exec.
type ExecOptions struct {
	Cmd         []string
	Env         []string
	User        string
	WorkingDir  string
	Tty         bool
	Interactive bool
	Detach      bool
	Stdin       io.Reader
	Stdout      io.Writer
	Stderr      io.Writer
	Width       uint16
	Height      uint16
	Resize      <-chan pty.WinSize
	DetachKeys  []byte
}

// Socket is the attach socket of a container's monitor.
func (s *Service) Socket(id string) string { return s.socket(id) }

// Exec runs a command in a running container and returns its exit code.
// This process is the command's parent: it waits for it.
func (s *Service) Exec(ctx context.Context, ref string, o ExecOptions) (int, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return 0, err
	}
	switch c.State.Status {
	case Running:
	case Paused:
		return 0, errdefs.Conflict("container %s is paused: unpause it first", c.Name)
	default:
		return 0, errdefs.Conflict("container %s is not running: start it first", c.Name)
	}
	lc, err := s.loadRuntime(c)
	if err != nil {
		return 0, err
	}
	uid, gid, groups, home, err := monitor.ResolveUser(s.rootfs(c.ID), firstOf(o.User, c.Config.User), c.Config.Security.GroupAdd...)
	if err != nil {
		return 0, &StartError{Code: 126, Msg: err.Error()}
	}
	env := MergeEnv(c.Config.Env, o.Env)
	if !hasEnv(env, "PATH") {
		env = append(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	if !hasEnv(env, "HOME") {
		env = append(env, "HOME="+firstOf(home, "/"))
	}
	if o.Tty && !hasEnv(env, "TERM") {
		env = append(env, "TERM=xterm")
	}
	p := &libcontainer.Process{Args: o.Cmd, Env: env, Cwd: firstOf(o.WorkingDir, c.Config.WorkingDir, "/"),
		UID: uid, GID: gid, AdditionalGroups: groups, Init: false}
	s.mutate(ctx, c.ID, func(c *Container) (*events.Event, error) {
		return &events.Event{Action: "exec_start", Attributes: map[string]string{"execID": strings.Join(o.Cmd, " ")}}, nil
	})
	if o.Tty {
		return s.execTty(ctx, c, lc, p, o)
	}
	if o.Interactive && o.Stdin != nil {
		p.Stdin = o.Stdin
	}
	p.Stdout, p.Stderr = o.Stdout, o.Stderr
	if o.Detach {
		p.Stdout, p.Stderr, p.Stdin = nil, nil, nil
	}
	if err := lc.Run(p); err != nil {
		return 0, execError(o.Cmd, err)
	}
	if o.Detach {
		go p.Wait()
		return 0, nil
	}
	// Like exec.CommandContext: when ctx ends (Ctrl-C), the command is killed.
	stop := context.AfterFunc(ctx, func() { p.Signal(syscall.SIGKILL) })
	defer stop()
	return exitCodeOf(p.Wait())
}

// execTty runs p on a new terminal whose master this process holds; with
// o.Detach it hands the master to the monitor of c, which outlives this
// process: a terminal whose master closes hangs up its processes (SIGHUP),
// so a detached exec must not depend on its caller.
func (s *Service) execTty(ctx context.Context, c *Container, lc *libcontainer.Container, p *libcontainer.Process, o ExecOptions) (int, error) {
	parent, child, err := pty.NewConsoleSocket()
	if err != nil {
		return 0, err
	}
	defer parent.Close()
	p.ConsoleSocket = child
	p.ConsoleWidth, p.ConsoleHeight = o.Width, o.Height
	err = lc.Run(p)
	child.Close()
	if err != nil {
		return 0, execError(o.Cmd, err)
	}
	master, err := pty.RecvConsole(parent)
	if err != nil {
		p.Signal(syscall.SIGKILL)
		p.Wait()
		return 0, err
	}
	defer master.Close()
	if o.Width > 0 {
		pty.SetSize(master, o.Width, o.Height)
	}
	if o.Detach {
		if err := monitor.HoldTerminal(ctx, s.socket(c.ID), master); err != nil {
			p.Signal(syscall.SIGKILL)
			p.Wait()
			if errdefs.Classified(err) {
				return 0, err
			}
			return 0, errdefs.Wrap(errdefs.ErrUnavailable, err, "exec -d -t in %s: its monitor could not take the terminal (%v), so the command was killed: try again, or leave out -t", c.Name, err)
		}
		go p.Wait() // reaps it if this process lives on (the TUI)
		return 0, nil
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case sz, ok := <-o.Resize:
				if !ok {
					return
				}
				pty.SetSize(master, sz.Width, sz.Height)
			case <-done:
				return
			}
		}
	}()
	detached := make(chan struct{})
	if o.Interactive && o.Stdin != nil {
		go func() {
			if copyUntilDetach(master, o.Stdin, o.DetachKeys) {
				close(detached)
			}
		}()
	}
	out := make(chan struct{})
	go func() { io.Copy(o.Stdout, master); close(out) }() // EIO once the process has ended
	waited := make(chan struct{})
	var code int
	var werr error
	go func() { code, werr = exitCodeOf(p.Wait()); close(waited) }()
	select {
	case <-waited:
		select { // let the last output through
		case <-out:
		case <-time.After(200 * time.Millisecond):
		}
		return code, werr
	case <-detached:
		go func() { <-waited }()
		return 0, monitor.ErrDetached
	case <-ctx.Done():
		p.Signal(syscall.SIGKILL)
		<-waited
		return 0, ctx.Err()
	}
}

func hasEnv(env []string, key string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, key+"=") {
			return true
		}
	}
	return false
}

// execError classifies a failure to start an exec'd command like Docker:
// 127 not found, 126 not executable.
func execError(cmd []string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "executable file not found") || strings.Contains(msg, "no such file or directory"):
		return &StartError{Code: 127, Msg: "exec: \"" + cmd[0] + "\": executable file not found in $PATH"}
	case strings.Contains(msg, "permission denied"):
		return &StartError{Code: 126, Msg: "exec: \"" + cmd[0] + "\": permission denied"}
	}
	return &StartError{Code: 126, Msg: msg}
}

// exitCodeOf turns a process's end into an exit code (128+signal when killed).
func exitCodeOf(ps *os.ProcessState, err error) (int, error) {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ps = ee.ProcessState
	} else if err != nil && ps == nil {
		return 0, err
	}
	if ps == nil {
		return 0, nil
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ps.ExitCode(), nil
}

// Logs writes a container's output to stdout and stderr, as recorded;
// with Follow it goes on until the container stops or ctx ends.
func (s *Service) Logs(ctx context.Context, ref string, o monitor.LogOptions, timestamps bool, stdout, stderr io.Writer) error {
	return s.LogsTo(ctx, ref, o, monitor.WriteLogs(stdout, stderr, timestamps))
}

// LogsTo hands a container's recorded output to sink, line by line.
func (s *Service) LogsTo(ctx context.Context, ref string, o monitor.LogOptions, sink monitor.LogSink) error {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	o.Done = func() bool {
		cur, err := s.Get(context.WithoutCancel(ctx), c.ID)
		return err != nil || !(cur.State.Status.Active() || cur.State.Status == Restarting)
	}
	return monitor.ReadLogs(ctx, s.logPath(c.ID), o, sink)
}

// copyUntilDetach copies in to out until in ends (false) or the detach key
// sequence is typed (true); the keys themselves are not copied.
func copyUntilDetach(out io.Writer, in io.Reader, keys []byte) bool {
	if len(keys) == 0 {
		keys = monitor.DefaultDetachKeys
	}
	buf := make([]byte, 4096)
	matched := 0
	for {
		n, err := in.Read(buf)
		var fwd []byte
		for _, b := range buf[:n] {
			if b == keys[matched] {
				matched++
				if matched == len(keys) {
					out.Write(fwd)
					return true
				}
				continue
			}
			fwd = append(fwd, keys[:matched]...)
			matched = 0
			if b == keys[0] {
				matched = 1
				continue
			}
			fwd = append(fwd, b)
		}
		if len(fwd) > 0 {
			if _, werr := out.Write(fwd); werr != nil {
				return false
			}
		}
		if err != nil {
			return false
		}
	}
}
