package container

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/opencontainers/runc/libcontainer"

	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/monitor"
	"berth/engine/store"
)

// recorder is the engine's side of a monitor: it runs in the monitor process
// and writes what the monitor reports into the store.
type recorder struct {
	s  *Service
	id string
	// startLock is the container's lock, inherited from the berth that
	// started the monitor; closed (released) once the start is recorded.
	startLock *os.File
}

// startRecorded releases the inherited lock.
func (r *recorder) startRecorded() {
	if r.startLock != nil {
		r.startLock.Close()
		r.startLock = nil
	}
}

func (r *recorder) Started(pid int, at time.Time) error {
	_, err := r.s.mutate(context.Background(), r.id, func(c *Container) (*events.Event, error) {
		c.State.Status, c.State.Pid, c.State.StartedAt = Running, pid, at
		c.State.MonitorPid, c.State.MonitorStart = os.Getpid(), string(store.Self())
		c.State.ExitCode, c.State.OOMKilled, c.State.Error = 0, false, ""
		return &events.Event{Action: "start"}, nil
	})
	r.startRecorded()
	return err
}

// Exited records the exit and applies the restart policy. The exit is
// first kept in the monitor's state directory, so that if the store cannot
// be written (locked, disk full) the next reconciliation still finds the
// true code and time; it is never made up.
func (r *recorder) Exited(ex monitor.Exit) (bool, time.Duration, error) {
	defer r.startRecorded()
	if err := r.s.savePendingExit(r.id, ex); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: cannot keep the exit (code %d) in %s: %v\n", ex.Code, r.s.runDir(r.id), err)
	}
	var restart bool
	var delay time.Duration
	err := retryStore(func() error {
		_, err := r.s.mutate(context.Background(), r.id, func(c *Container) (*events.Event, error) {
			restart = shouldRestart(c, ex)
			applyExit(c, ex)
			if restart {
				delay = applyRestart(c, ex)
			}
			return &events.Event{Action: "die", Attributes: map[string]string{"exitCode": fmt.Sprint(ex.Code)}}, nil
		})
		return err
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "monitor: cannot record the exit (code %d) in the store: %v; it is kept in %s for the next berth command\n", ex.Code, err, r.s.runDir(r.id))
		return false, 0, err
	}
	r.s.clearPendingExit(r.id)
	return restart, delay, nil
}

// applyExit writes ex into c's state: exited (or still created, if it never
// ran). Whether it starts again is Exited's question alone.
func applyExit(c *Container, ex monitor.Exit) {
	c.State.Pid, c.State.ExitCode, c.State.OOMKilled, c.State.FinishedAt = 0, ex.Code, ex.OOMKilled, ex.At
	if ex.Err != "" {
		c.State.Error = ex.Err
	}
	c.State.Status = Exited
	if ex.Err != "" && c.State.StartedAt.IsZero() {
		c.State.Status = Created // never ran, as Docker shows a failed first start
	}
}

// applyRestart marks c restarting, with Docker's growing back-off, after
// a run that ended at the time of ex.
func applyRestart(c *Container, ex monitor.Exit) (delay time.Duration) {
	c.State.Status = Restarting
	if ex.At.Sub(c.State.StartedAt) > 10*time.Second {
		c.State.RestartCount = 0 // it ran well: start the back-off over
	}
	delay = 100 * time.Millisecond << min(c.State.RestartCount, 7)
	c.State.RestartCount++
	return delay
}

// retryStore runs write a few times, a second apart, before giving up: a
// store that stays locked (each try already waits for the lock) or a disk
// that stays full is left to the next reconciliation.
func retryStore(write func() error) error {
	var err error
	for try := range 3 {
		if try > 0 {
			time.Sleep(time.Second)
		}
		if err = write(); err == nil || errdefs.IsNotFound(err) {
			return err
		}
	}
	return err
}

// pendingExitFile holds an exit the monitor could not record yet.
func (s *Service) pendingExitFile(id string) string { return filepath.Join(s.runDir(id), "exit.json") }

func (s *Service) savePendingExit(id string, ex monitor.Exit) error {
	raw, err := json.Marshal(ex)
	if err != nil {
		return err
	}
	return writeFileAtomic(s.pendingExitFile(id), raw, 0o600)
}

func (s *Service) clearPendingExit(id string) { os.Remove(s.pendingExitFile(id)) }

// pendingExit reads an exit a monitor kept but could not record.
func (s *Service) pendingExit(id string) (monitor.Exit, bool) {
	var ex monitor.Exit
	raw, err := os.ReadFile(s.pendingExitFile(id))
	if err != nil || json.Unmarshal(raw, &ex) != nil || ex.At.IsZero() {
		return ex, false
	}
	return ex, true
}

// shouldRestart is Docker's restart policy decision.
func shouldRestart(c *Container, ex monitor.Exit) bool {
	if c.State.StoppedByUser || c.Config.AutoRemove {
		return false
	}
	switch c.Config.Restart.Name {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return ex.Code != 0 && (c.Config.Restart.MaxRetries == 0 || c.State.RestartCount < c.Config.Restart.MaxRetries)
	}
	return false
}

func (r *recorder) Finished() error {
	r.startRecorded()
	var c *Container
	err := retryStore(func() (err error) {
		c, err = r.s.mutate(context.Background(), r.id, func(c *Container) (*events.Event, error) {
			c.State.MonitorPid, c.State.MonitorStart, c.State.Pid = 0, "", 0
			if !c.State.Status.Active() && c.State.Status != Restarting {
				return nil, nil
			}
			// Exited could not record the exit: record it now, never as
			// a made-up 0.
			ex, ok := r.s.pendingExit(r.id)
			if !ok {
				ex = unknownExit(c)
			}
			applyExit(c, ex)
			c.State.Status = Exited
			return &events.Event{Action: "die", Attributes: map[string]string{"exitCode": fmt.Sprint(c.State.ExitCode)}}, nil
		})
		return err
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "monitor: cannot record the end of the monitor in the store: %v; the next berth command will\n", err)
		return err
	}
	r.s.clearPendingExit(r.id)
	if !c.Config.AutoRemove {
		return nil
	}
	// The lock may be held by a `berth rm` that waits for this monitor to
	// end and removes the container itself; any other holder leaves an
	// exited auto-remove container to the next reconciliation.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	unlock, err := r.s.lock(ctx, r.id)
	if err != nil {
		return nil
	}
	defer unlock()
	if c, err = r.s.Get(context.Background(), r.id); err != nil {
		return nil // removed meanwhile
	}
	return r.s.destroy(context.Background(), c)
}

// unknownExit is the exit of a container whose monitor ended without
// recording one.
func unknownExit(c *Container) monitor.Exit {
	code := c.State.ExitCode
	if code == 0 {
		code = 255
	}
	return monitor.Exit{Code: code, At: time.Now(), Err: "the container's monitor ended unexpectedly; its exit status is unknown"}
}

// MonitorMain is the process "berth monitor --root R --run-root RR ID",
// started by Start: it owns one container until it will not run again.
func MonitorMain(args []string) int {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	root := fs.String("root", "", "berth root")
	runRoot := fs.String("run-root", "", "berth runtime root")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || *root == "" || *runRoot == "" {
		fmt.Fprintln(os.Stderr, "usage: berth monitor --root DIR --run-root DIR ID (started by berth itself)")
		return 2
	}
	id := fs.Arg(0)
	// fd 4 is the container's lock, from the berth that started us; taken
	// before anything else opens a file that could be given number 4.
	var startLock *os.File
	if p, err := os.Readlink("/proc/self/fd/4"); err == nil && p == filepath.Join(*root, "containers", id, "lock") {
		startLock = os.NewFile(4, "lock")
	}
	db, err := store.Open(filepath.Join(*root, "db"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "monitor:", err)
		return 1
	}
	defer db.Close()
	s := NewService(db, nil, *root, *runRoot, "")
	ready := os.NewFile(3, "ready")
	raw, err := os.ReadFile(s.bundlePath(id))
	var b monitor.Bundle
	if err == nil {
		err = json.Unmarshal(raw, &b)
	}
	if err != nil {
		fmt.Fprintf(ready, "{\"error\":%q,\"exitCode\":125}\n", "monitor: cannot read the bundle: "+err.Error())
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	rec := &recorder{s: s, id: id, startLock: startLock}
	if err := monitor.Run(ctx, &b, rec, ready); err != nil {
		fmt.Fprintln(os.Stderr, "monitor:", err)
		return 1
	}
	return 0
}

// Reconcile brings the store in line with reality after monitors died
// (kill -9, reboot): containers whose process is gone are marked exited
// (or started again, per their restart policy); runtime leftovers of
// removed containers go. It is cheap when nothing is wrong. It never
// waits behind one container: a container whose lock another command
// holds is left to that command. A container it cannot record (a full
// disk) is left for the next time; berth still opens.
func (s *Service) Reconcile(ctx context.Context) error {
	// States only, and --rm where it matters: the config is most of the
	// work of decoding a container (with 200, engine.New took 7.4 ms with
	// whole configs, 3.6 without).
	recs, err := s.records(ctx)
	if err != nil {
		return err
	}
	all := make([]*Container, len(recs))
	known := make(map[string]bool, len(recs))
	for i, rec := range recs {
		if all[i], err = loadState(rec); err != nil {
			return err // nothing settled: a store to look at first
		}
		known[rec.ID] = true
	}
	for i, c := range all {
		if c.State.Status == Exited && !c.State.FinishedAt.IsZero() && autoRemove(recs[i].Config) && !monitorAlive(c) {
			s.removeIfFree(ctx, c) // its monitor ended before it could remove it
			continue
		}
		if !(c.State.Status.Active() || c.State.Status == Restarting) || monitorAlive(c) || s.stillRuns(c.ID) {
			continue
		}
		s.reconcileIfFree(ctx, c)
	}
	s.removeOrphans(known)
	s.reconcilePorts(known) // rules of removed containers (ports.go)
	return ctx.Err()
}

// autoRemove reads --rm from a stored config; false when it cannot.
func autoRemove(config []byte) bool {
	var c struct{ AutoRemove bool }
	return json.Unmarshal(config, &c) == nil && c.AutoRemove
}

// reconcileIfFree settles a container whose monitor is gone unless another
// command holds its lock (that command settles it).
func (s *Service) reconcileIfFree(ctx context.Context, c *Container) error {
	unlock, err := s.tryLock(c.ID)
	if err != nil {
		return nil // busy, or removed meanwhile
	}
	restart, err := s.reconcileLocked(ctx, c.ID)
	unlock()
	if err != nil || !restart {
		return err
	}
	_, err = s.Start(ctx, c.ID, StartOptions{})
	return err
}

// removeIfFree removes an exited auto-remove container unless another
// command holds it.
func (s *Service) removeIfFree(ctx context.Context, c *Container) {
	unlock, err := s.tryLock(c.ID)
	if err != nil {
		return
	}
	defer unlock()
	if cur, err := s.Get(ctx, c.ID); err == nil && cur.State.Status == Exited && !monitorAlive(cur) {
		s.destroy(ctx, cur)
	}
}

// reconcileOne settles a container whose monitor is gone, taking its lock.
func (s *Service) reconcileOne(ctx context.Context, c *Container) error {
	if s.stillRuns(c.ID) {
		return nil // runs without its monitor: stop and kill still work
	}
	unlock, err := s.lock(ctx, c.ID)
	if errdefs.IsNotFound(err) {
		return nil // removed meanwhile
	}
	if err != nil {
		return err
	}
	restart, err := s.reconcileLocked(ctx, c.ID)
	unlock()
	if err != nil || !restart {
		return err
	}
	_, err = s.Start(ctx, c.ID, StartOptions{})
	return err
}

// stillRuns reports whether the container's process runs (with or without
// its monitor).
func (s *Service) stillRuns(id string) bool {
	lc, err := libcontainer.Load(s.stateRoot(), id)
	if err != nil {
		return false
	}
	st, _ := lc.Status()
	return st == libcontainer.Running || st == libcontainer.Paused
}

// reconcileLocked records the exit of a container whose monitor is gone
// (the one the monitor kept, if any) and cleans up its runtime. The caller
// holds the container's lock; it starts the container again when restart
// says so (after unlocking). An auto-remove container is removed here.
func (s *Service) reconcileLocked(ctx context.Context, id string) (restart bool, err error) {
	cur, err := s.Get(ctx, id)
	if err != nil || monitorAlive(cur) || !(cur.State.Status.Active() || cur.State.Status == Restarting) || s.stillRuns(id) {
		return false, nil // removed, or someone else settled it
	}
	ex, kept := s.pendingExit(id)
	c, err := s.mutate(ctx, id, func(c *Container) (*events.Event, error) {
		if !kept {
			ex = unknownExit(c)
		}
		applyExit(c, ex)
		c.State.Status = Exited
		c.State.MonitorPid, c.State.MonitorStart = 0, ""
		return &events.Event{Action: "die", Attributes: map[string]string{"exitCode": fmt.Sprint(c.State.ExitCode)}}, nil
	})
	if err != nil {
		return false, err
	}
	s.cleanupRuntime(id) // the kept exit goes with the run directory
	if c.Config.AutoRemove {
		return false, s.destroy(ctx, c)
	}
	return shouldRestart(c, monitor.Exit{Code: c.State.ExitCode}) && s.images != nil, nil
}

// removeOrphans finishes what a process killed half-way left: removals
// (".removing" directories), and the files, mounts and cgroups of
// containers that have no record. A directory without a record may be a
// create or start in progress in another process (its record may be newer
// than our list), so it must be a minute old.
func (s *Service) removeOrphans(known map[string]bool) {
	orphan := func(e os.DirEntry) bool {
		if len(e.Name()) != 64 || known[e.Name()] {
			return false // no lstat for each known container
		}
		fi, err := e.Info()
		return err == nil && time.Since(fi.ModTime()) > time.Minute
	}
	ents, _ := os.ReadDir(s.root)
	for _, e := range ents {
		switch name := e.Name(); {
		case strings.HasSuffix(name, ".removing"):
			os.RemoveAll(filepath.Join(s.root, name))
		case orphan(e):
			s.cleanupRuntime(name)
			os.RemoveAll(filepath.Join(s.root, name))
		}
	}
	runs, _ := os.ReadDir(filepath.Join(s.runRoot, "containers"))
	for _, e := range runs {
		if orphan(e) {
			s.cleanupRuntime(e.Name())
		}
	}
}
