package container

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/opencontainers/runc/libcontainer"

	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/monitor"
	"berth/engine/store"
)

const (
	syscallKill = syscall.SIGKILL
	forever     = 100 * 365 * 24 * time.Hour // a wait without a deadline of its own
)

// StartOptions for Start.
type StartOptions struct {
	// Attach: the caller attaches right after Start returns and asks the
	// monitor to start the process, so it misses no output; it then calls
	// Launch.Confirm.
	Attach bool
}

// Launch is a start in progress.
type Launch struct {
	Container *Container
	Socket    string
	ready     *bufio.Reader
	pipe      *os.File
	confirmed bool
}

// readyMsg is a line the monitor writes on its ready pipe.
type readyMsg struct {
	Created  bool   `json:"created"`
	Started  bool   `json:"started"`
	Pid      int    `json:"pid"`
	Error    string `json:"error"`
	ExitCode int    `json:"exitCode"`
}

func (l *Launch) read() (readyMsg, error) {
	var m readyMsg
	line, err := l.ready.ReadBytes('\n')
	if err != nil {
		return m, errdefs.Unavailable("the monitor of container %s ended before starting it: see %s", l.Container.Name,
			filepath.Join(filepath.Dir(l.Socket), "..", "monitor.log"))
	}
	if err := json.Unmarshal(line, &m); err != nil {
		return m, fmt.Errorf("monitor of %s: %w", l.Container.Name, err)
	}
	if m.Error != "" {
		return m, &StartError{Code: m.ExitCode, Msg: m.Error}
	}
	return m, nil
}

// Confirm waits until the process runs (after an attach, for StartOptions.Attach).
func (l *Launch) Confirm() error {
	if l.confirmed || l.ready == nil {
		return nil
	}
	l.confirmed = true
	defer l.pipe.Close()
	_, err := l.read()
	return err
}

// Start starts a created or exited container under a new monitor.
func (s *Service) Start(ctx context.Context, ref string, o StartOptions) (*Launch, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	lockf, err := s.lockFile(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	defer lockf.Close()
	if c, err = s.Get(ctx, c.ID); err != nil {
		return nil, err
	}
	if monitorAlive(c) && !c.State.Status.Active() && c.State.Status != Restarting {
		// Another start's monitor is on its way (its berth may have been
		// killed after spawning it): let it finish rather than start a
		// second one over it.
		if c, err = s.awaitMonitor(ctx, c); err != nil {
			return nil, err
		}
	}
	l := &Launch{Container: c, Socket: s.socket(c.ID)}
	switch c.State.Status {
	case Running, Restarting:
		l.confirmed = true
		return l, nil // as Docker: starting a running container does nothing
	case Paused:
		return nil, errdefs.Conflict("container %s is paused: unpause it instead", c.Name)
	}
	s.cleanupRuntime(c.ID)
	b, err := s.bundle(ctx, c, o.Attach)
	if err != nil {
		return nil, s.startFailed(ctx, c, err)
	}
	if _, err := s.mutate(ctx, c.ID, func(c *Container) (*events.Event, error) {
		c.State.StoppedByUser, c.State.Error = false, ""
		c.State.Ports = published(b.Ports)
		return nil, nil
	}); err != nil {
		return nil, err
	}
	pid, err := s.spawnMonitor(c, b, l, lockf)
	if err != nil {
		return nil, s.startFailed(ctx, c, err)
	}
	// The monitor is recorded at once, while the lock is held: if this
	// berth dies before the monitor reports the start, the next start or
	// remove finds it alive and does not clean up under it.
	if _, err := s.mutate(context.WithoutCancel(ctx), c.ID, func(c *Container) (*events.Event, error) {
		c.State.MonitorPid, c.State.MonitorStart = pid, string(store.OwnerOf(pid))
		return nil, nil
	}); err != nil {
		syscall.Kill(pid, syscall.SIGKILL)
		l.pipe.Close()
		return nil, err
	}
	if _, err := l.read(); err != nil { // "created"
		l.pipe.Close()
		return nil, s.startFailed(ctx, c, err)
	}
	if !o.Attach {
		if err := l.Confirm(); err != nil {
			return nil, s.startFailed(ctx, c, err)
		}
	}
	return l, nil
}

// startFailed records why a start failed, as Docker shows it in inspect.
func (s *Service) startFailed(ctx context.Context, c *Container, cause error) error {
	var se *StartError
	code := 125
	if errors.As(cause, &se) {
		code = se.Code
	}
	s.mutate(context.WithoutCancel(ctx), c.ID, func(c *Container) (*events.Event, error) {
		c.State.Error, c.State.ExitCode = cause.Error(), code
		return nil, nil
	})
	return cause
}

// bundle is what the monitor needs to run c.
func (s *Service) bundle(ctx context.Context, c *Container, waitAttach bool) (*monitor.Bundle, error) {
	img, err := s.images.Resolve(ctx, c.Config.ImageID)
	if err != nil {
		return nil, errdefs.Wrap(errdefs.ErrNotFound, err, "the image of container %s (%s) is gone: pull %s again", c.Name, c.Config.ImageID[7:19], c.Config.Image)
	}
	dir := s.dir(c.ID)
	mounts, err := s.specMounts(c) // volumes, binds, tmpfs
	if err != nil {
		return nil, err
	}
	spec, err := Spec(c, SpecPaths{Rootfs: s.rootfs(c.ID), Hosts: dir + "/hosts", ResolvConf: dir + "/resolv.conf", HostnameFile: dir + "/hostname", Mounts: mounts})
	if err != nil {
		return nil, err
	}
	lc, err := LibcontainerConfig(c.ID, spec, "/berth")
	if err != nil {
		return nil, err
	}
	b := &monitor.Bundle{
		ID: c.ID, StateRoot: s.stateRoot(), Config: lc,
		Process: monitor.Process{Args: spec.Process.Args, Env: spec.Process.Env, Cwd: spec.Process.Cwd,
			User: c.Config.User, GroupAdd: c.Config.Security.GroupAdd, Tty: c.Config.Tty, Stdin: c.Config.OpenStdin},
		Rootfs: monitor.Overlay{Lower: img.Layers, Upper: dir + "/upper", Work: dir + "/work", Target: s.rootfs(c.ID)},
		Log:    monitor.LogConfig{Path: s.logPath(c.ID), MaxSize: c.Config.LogMaxSize, MaxFiles: c.Config.LogMaxFiles},
		Socket: s.socket(c.ID), WaitAttach: waitAttach,
	}
	if b.Network, err = s.networkAttachments(ctx, c); err != nil {
		return nil, err
	}
	if b.DNS, err = s.resolver(ctx, c); err != nil { // dns.go: user networks' name server
		return nil, err
	}
	if b.Ports, err = s.publishPorts(c, b.Network); err != nil { // ports.go
		return nil, err
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return b, writeFileAtomic(s.bundlePath(c.ID), raw, 0o600)
}

// spawnMonitor starts "berth monitor" for c in a session of its own, with
// the write end of the ready pipe as its fd 3.
//
// The monitor also gets a descriptor of the container's lock (fd 4), which
// it closes once it has recorded the start (or its failure): if this berth
// dies in between, the lock stays held, so no other command cleans up or
// starts again under a monitor that is still at work.
func (s *Service) spawnMonitor(c *Container, b *monitor.Bundle, l *Launch, lockf *os.File) (pid int, err error) {
	for _, d := range []string{filepath.Dir(b.Socket), filepath.Dir(b.Rootfs.Target), b.StateRoot} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return 0, errdefs.FromIO(err, "container "+c.Name)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer w.Close()
	logf, err := os.OpenFile(filepath.Join(s.dir(c.ID), "monitor.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		r.Close()
		return 0, errdefs.FromIO(err, "container "+c.Name)
	}
	defer logf.Close()
	cmd := exec.Command(s.exe, "monitor", "--root", filepath.Dir(s.root), "--run-root", s.runRoot, c.ID)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{w, lockf}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	if err := cmd.Start(); err != nil {
		r.Close()
		return 0, fmt.Errorf("starting the monitor of %s: %w", c.Name, err)
	}
	go cmd.Wait() // reap it if we outlive it
	l.pipe, l.ready = r, bufio.NewReader(r)
	return cmd.Process.Pid, nil
}

// awaitMonitor waits (up to a little more than the monitor's wait for an
// attach) until the live monitor of a container that is not running yet
// has started it or given up, and returns the container as it is then.
func (s *Service) awaitMonitor(ctx context.Context, c *Container) (*Container, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for monitorAlive(c) && !c.State.Status.Active() && c.State.Status != Restarting {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, errdefs.Conflict("container %s is being started by another berth command (monitor pid %d): try again, or remove it with rm -f", c.Name, c.State.MonitorPid)
			}
			return nil, errdefs.Canceled("stopped waiting for container %s: %v", c.Name, context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
		var err error
		if c, err = s.Get(context.WithoutCancel(ctx), c.ID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// loadRuntime opens the libcontainer container of a running container.
func (s *Service) loadRuntime(c *Container) (*libcontainer.Container, error) {
	lc, err := libcontainer.Load(s.stateRoot(), c.ID)
	if err != nil {
		return nil, errdefs.Conflict("container %s is not running", c.Name)
	}
	return lc, nil
}

func destroyLibcontainer(stateRoot, id string) {
	if lc, err := libcontainer.Load(stateRoot, id); err == nil {
		if st, _ := lc.Status(); st == libcontainer.Running || st == libcontainer.Paused {
			lc.Signal(syscall.SIGKILL)
			lc.Resume()
		}
		lc.Destroy()
	}
}

// signal delivers sig to the container's init; a paused container is
// resumed so that it can act on it.
func (s *Service) signal(c *Container, sig syscall.Signal) error {
	lc, err := s.loadRuntime(c)
	if err != nil {
		return err
	}
	if err := lc.Signal(sig); err != nil {
		if errors.Is(err, libcontainer.ErrNotRunning) {
			return errdefs.Conflict("container %s is not running", c.Name)
		}
		return fmt.Errorf("signal %v to %s: %w", sig, c.Name, err)
	}
	if st, _ := lc.Status(); st == libcontainer.Paused {
		return lc.Resume()
	}
	return nil
}

// Kill sends sig to a running container; a container stopped this way is
// not restarted by its policy. With SIGKILL it returns once the exit is
// recorded, as Docker's kill does.
func (s *Service) Kill(ctx context.Context, ref string, sig syscall.Signal) error {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if err := s.kill(ctx, c, sig, true); err != nil || sig != syscall.SIGKILL {
		return err
	}
	_, err = s.waitStopped(ctx, c, 10*time.Second, false)
	return err
}

func (s *Service) kill(ctx context.Context, c *Container, sig syscall.Signal, manual bool) error {
	if !c.State.Status.Active() && c.State.Status != Restarting {
		return errdefs.Conflict("container %s is not running", c.Name)
	}
	if manual && (sig == syscall.SIGKILL || sig == syscall.SIGTERM || c.State.Status == Restarting) {
		if _, err := s.mutate(ctx, c.ID, func(c *Container) (*events.Event, error) {
			c.State.StoppedByUser = true
			return &events.Event{Action: "kill", Attributes: map[string]string{"signal": fmt.Sprint(int(sig))}}, nil
		}); err != nil {
			return err
		}
	}
	if c.State.Status == Restarting {
		// The process is gone and the monitor waits to start it again: end
		// the monitor, which cleans up.
		return syscall.Kill(c.State.MonitorPid, syscall.SIGTERM)
	}
	return s.signal(c, sig)
}

// Stop sends the stop signal, waits timeout seconds (the container's own
// by default; -1 forever), then kills.
func (s *Service) Stop(ctx context.Context, ref string, timeout *int) error {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if !c.State.Status.Active() && c.State.Status != Restarting {
		return nil // already stopped, as Docker
	}
	sig, err := ParseSignal(c.Config.StopSignal)
	if err != nil {
		return err
	}
	t := c.Config.StopTimeout
	if timeout != nil {
		t = *timeout
	}
	if err := s.kill(ctx, c, sig, true); err != nil && !errdefs.IsConflict(err) {
		return err
	}
	wait := time.Duration(t) * time.Second
	if t < 0 {
		wait = forever
	}
	if stopped, err := s.waitStopped(ctx, c, wait, false); err != nil || stopped {
		return err
	}
	if err := s.kill(ctx, c, syscall.SIGKILL, true); err != nil && !errdefs.IsConflict(err) {
		return err
	}
	if stopped, err := s.waitStopped(ctx, c, 10*time.Second, false); err != nil || !stopped {
		if err != nil {
			return err
		}
		return errdefs.Unavailable("container %s did not stop after SIGKILL: its processes may be stuck in the kernel (see berth top %s)", c.Name, c.Name)
	}
	return nil
}

// Restart stops then starts a container.
func (s *Service) Restart(ctx context.Context, ref string, timeout *int) error {
	if err := s.Stop(ctx, ref, timeout); err != nil {
		return err
	}
	_, err := s.Start(ctx, ref, StartOptions{})
	return err
}

// waitStopped waits up to d for c's process to end and its exit to be
// recorded. It reports whether it did; it ends early, with a Canceled
// error, when ctx does. locked says the caller holds c's lock (then a
// container whose monitor died is settled under that lock, not a new one).
func (s *Service) waitStopped(ctx context.Context, c *Container, d time.Duration, locked bool) (bool, error) {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var exited chan struct{}
	if monitorAlive(c) {
		exited = make(chan struct{})
		go func() {
			monitor.WaitExit(wctx, s.socket(c.ID))
			close(exited)
		}()
	}
	stopped, err := s.settled(wctx, c.ID, locked, exited)
	if err == nil && !stopped && ctx.Err() != nil {
		err = errdefs.Canceled("stopped waiting for container %s: %v", c.Name, context.Cause(ctx))
	}
	return stopped, err
}

// settled polls until the store says the container is not active, recording
// the exit itself when the container's monitor is gone. A close of exited
// (the monitor said the process ended) makes it look at once.
func (s *Service) settled(ctx context.Context, id string, locked bool, exited chan struct{}) (bool, error) {
	for {
		c, err := s.Get(context.WithoutCancel(ctx), id)
		if err != nil {
			return errdefs.IsNotFound(err), nil
		}
		if !c.State.Status.Active() && c.State.Status != Restarting {
			return true, nil
		}
		if !monitorAlive(c) {
			if locked {
				_, err = s.reconcileLocked(context.WithoutCancel(ctx), id)
			} else {
				err = s.reconcileOne(ctx, c)
			}
			if err != nil && !errdefs.IsCanceled(err) {
				return false, err
			}
		}
		select {
		case <-ctx.Done():
			return false, nil
		case <-exited:
			exited = nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func monitorAlive(c *Container) bool {
	return c.State.MonitorStart != "" && store.Owner(c.State.MonitorStart).Alive()
}

// Pause freezes every process of a running container.
func (s *Service) Pause(ctx context.Context, ref string) error {
	return s.freeze(ctx, ref, true)
}

// Unpause thaws a paused container.
func (s *Service) Unpause(ctx context.Context, ref string) error {
	return s.freeze(ctx, ref, false)
}

func (s *Service) freeze(ctx context.Context, ref string, pause bool) error {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	want, action := Running, "unpause"
	if pause {
		want, action = Paused, "pause"
	}
	switch {
	case pause && c.State.Status == Paused:
		return errdefs.Conflict("container %s is already paused", c.Name)
	case pause && c.State.Status != Running, !pause && c.State.Status == Running:
		return errdefs.Conflict("container %s is not %s", c.Name, map[bool]string{true: "running", false: "paused"}[pause])
	case !pause && c.State.Status != Paused:
		return errdefs.Conflict("container %s is not paused", c.Name)
	}
	lc, err := s.loadRuntime(c)
	if err != nil {
		return err
	}
	if pause {
		err = lc.Pause()
	} else {
		err = lc.Resume()
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, c.Name, err)
	}
	_, err = s.mutate(ctx, c.ID, func(c *Container) (*events.Event, error) {
		if c.State.Status.Active() {
			c.State.Status = want
		}
		return &events.Event{Action: action}, nil
	})
	return err
}

// Wait blocks until the container is not running and returns its exit code.
func (s *Service) Wait(ctx context.Context, ref string) (int, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return 0, err
	}
	for c.State.Status.Active() || c.State.Status == Restarting {
		if _, err := s.waitStopped(ctx, c, forever, false); err != nil {
			return 0, err
		}
		if c, err = s.Get(ctx, c.ID); err != nil {
			return 0, err
		}
	}
	return c.State.ExitCode, nil
}

// dirSize sums the sizes of the regular files below dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
