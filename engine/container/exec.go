package container

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

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
	Width       uint16 // initial terminal size (Tty)
	Height      uint16
}

// Socket is the attach socket of a container's monitor.
func (s *Service) Socket(id string) string { return s.socket(id) }

// Exec runs a command in a running container and returns its exit code.
// This process is the command's parent: it waits for it. A command on a
// terminal (Tty) runs here only detached; otherwise use ExecSession.
func (s *Service) Exec(ctx context.Context, ref string, o ExecOptions) (int, error) {
	if o.Tty && !o.Detach {
		return 0, errdefs.InvalidArgument("exec with a terminal runs through ExecSession (or with Detach)")
	}
	c, lc, p, err := s.prepareExec(ctx, ref, o)
	if err != nil {
		return 0, err
	}
	if o.Tty {
		return 0, s.execDetachedTty(ctx, c, lc, p, o)
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

// ExecSession runs o.Cmd in a running container on a new terminal of
// o.Width x o.Height (o.Tty, o.Interactive, o.Detach and o.Stdin/out/err
// are not used: the session is the terminal) and returns it:
// its output, input, resize, and its exit code from Wait. Close hangs the
// terminal up and kills what the command started on it (SIGHUP, then
// SIGKILL to its session). This process is the command's parent.
func (s *Service) ExecSession(ctx context.Context, ref string, o ExecOptions) (pty.Session, error) {
	o.Tty = true
	c, lc, p, err := s.prepareExec(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	master, err := s.startOnTerminal(c, lc, p, o)
	if err != nil {
		return nil, err
	}
	pid, err := p.Pid()
	if err != nil {
		p.Signal(syscall.SIGKILL)
		p.Wait()
		master.Close()
		return nil, err
	}
	wait := func() (int, error) { return exitCodeOf(p.Wait()) }
	// runc's init makes the command the leader of a new session whose
	// controlling terminal is this one: its session is what it started.
	signal := func(sig syscall.Signal) error { return pty.SignalSession(pid, sig) }
	return pty.FromMaster(master, wait, signal), nil
}

// DefaultShell is the shell a user gets in a container when they name
// none: bash if it is in the container's PATH, else /bin/sh.
func (s *Service) DefaultShell(ctx context.Context, ref string) ([]string, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, e := range c.Config.Env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	root := s.rootfs(c.ID)
	for _, dir := range filepath.SplitList(path) {
		if !strings.HasPrefix(dir, "/") {
			continue
		}
		if executableIn(root, dir+"/bash") {
			return []string{dir + "/bash"}, nil
		}
	}
	return []string{"/bin/sh"}, nil
}

// executableIn reports whether name (absolute, inside the container) is an
// executable file under root, following symbolic links inside root.
func executableIn(root, name string) bool {
	for range 16 {
		p := filepath.Join(root, name)
		fi, err := os.Lstat(p)
		if err != nil {
			return false
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
		}
		target, err := os.Readlink(p)
		if err != nil {
			return false
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(name), target)
		}
		name = target
	}
	return false
}

// prepareExec checks that the container runs and builds the process of o.
func (s *Service) prepareExec(ctx context.Context, ref string, o ExecOptions) (*Container, *libcontainer.Container, *libcontainer.Process, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	switch c.State.Status {
	case Running:
	case Paused:
		return nil, nil, nil, errdefs.Conflict("container %s is paused: unpause it first", c.Name)
	default:
		return nil, nil, nil, errdefs.Conflict("container %s is not running: start it first", c.Name)
	}
	if len(o.Cmd) == 0 {
		return nil, nil, nil, errdefs.InvalidArgument("exec in %s: no command given", c.Name)
	}
	lc, err := s.loadRuntime(c)
	if err != nil {
		return nil, nil, nil, err
	}
	uid, gid, groups, home, err := monitor.ResolveUser(s.rootfs(c.ID), firstOf(o.User, c.Config.User), c.Config.Security.GroupAdd...)
	if err != nil {
		return nil, nil, nil, &StartError{Code: 126, Msg: err.Error()}
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
	return c, lc, p, nil
}

// startOnTerminal runs p on a new terminal and returns its master.
func (s *Service) startOnTerminal(c *Container, lc *libcontainer.Container, p *libcontainer.Process, o ExecOptions) (*os.File, error) {
	parent, child, err := pty.NewConsoleSocket()
	if err != nil {
		return nil, err
	}
	defer parent.Close()
	p.ConsoleSocket = child
	p.ConsoleWidth, p.ConsoleHeight = o.Width, o.Height
	err = lc.Run(p)
	child.Close()
	if err != nil {
		return nil, execError(o.Cmd, err)
	}
	master, err := pty.RecvConsole(parent)
	if err != nil {
		p.Signal(syscall.SIGKILL)
		p.Wait()
		return nil, err
	}
	if o.Width > 0 && o.Height > 0 {
		pty.SetSize(master, o.Width, o.Height)
	}
	return master, nil
}

// execDetachedTty runs p on a new terminal and hands its master to the
// monitor of c, which outlives this process: a terminal whose master
// closes hangs up its processes (SIGHUP), so a detached exec must not
// depend on its caller.
func (s *Service) execDetachedTty(ctx context.Context, c *Container, lc *libcontainer.Container, p *libcontainer.Process, o ExecOptions) error {
	master, err := s.startOnTerminal(c, lc, p, o)
	if err != nil {
		return err
	}
	defer master.Close()
	if err := monitor.HoldTerminal(ctx, s.socket(c.ID), master); err != nil {
		p.Signal(syscall.SIGKILL)
		p.Wait()
		if errdefs.Classified(err) {
			return err
		}
		return errdefs.Wrap(errdefs.ErrUnavailable, err, "exec -d -t in %s: its monitor could not take the terminal (%v), so the command was killed: try again, or leave out -t", c.Name, err)
	}
	go p.Wait() // reaps it if this process lives on (the TUI)
	return nil
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
