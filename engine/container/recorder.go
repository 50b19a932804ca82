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

	"berth/engine/events"
	"berth/engine/monitor"
	"berth/engine/store"
)

// recorder is the engine's side of a monitor: it runs in the monitor process
// and writes what the monitor reports into the store.
type recorder struct {
	s  *Service
	id string
}

func (r *recorder) Started(pid int, at time.Time) error {
	_, err := r.s.mutate(context.Background(), r.id, func(c *Container) (*events.Event, error) {
		c.State.Status, c.State.Pid, c.State.StartedAt = Running, pid, at
		c.State.MonitorPid, c.State.MonitorStart = os.Getpid(), string(store.Self())
		c.State.ExitCode, c.State.OOMKilled, c.State.Error = 0, false, ""
		return &events.Event{Action: "start"}, nil
	})
	return err
}

// Exited records the exit and applies the restart policy.
func (r *recorder) Exited(ex monitor.Exit) (bool, time.Duration, error) {
	var restart bool
	var delay time.Duration
	_, err := r.s.mutate(context.Background(), r.id, func(c *Container) (*events.Event, error) {
		ran := ex.At.Sub(c.State.StartedAt)
		restart = shouldRestart(c, ex)
		c.State.Pid, c.State.ExitCode, c.State.OOMKilled, c.State.FinishedAt = 0, ex.Code, ex.OOMKilled, ex.At
		if ex.Err != "" {
			c.State.Error = ex.Err
		}
		c.State.Status = Exited
		if ex.Err != "" && c.State.StartedAt.IsZero() {
			c.State.Status = Created // never ran, as Docker shows a failed first start
		}
		if restart {
			c.State.Status = Restarting
			if ran > 10*time.Second {
				c.State.RestartCount = 0 // it ran well: start the back-off over
			}
			delay = 100 * time.Millisecond << min(c.State.RestartCount, 7)
			c.State.RestartCount++
		}
		return &events.Event{Action: "die", Attributes: map[string]string{"exitCode": fmt.Sprint(ex.Code)}}, nil
	})
	return restart, delay, err
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
	c, err := r.s.mutate(context.Background(), r.id, func(c *Container) (*events.Event, error) {
		c.State.MonitorPid, c.State.MonitorStart, c.State.Pid = 0, "", 0
		if c.State.Status.Active() || c.State.Status == Restarting {
			c.State.Status = Exited
		}
		return nil, nil
	})
	if err != nil || !c.Config.AutoRemove {
		return err
	}
	unlock, err := r.s.lock(r.id)
	if err != nil {
		return err
	}
	defer unlock()
	return r.s.destroy(context.Background(), c)
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
	if err := monitor.Run(ctx, &b, &recorder{s: s, id: id}, ready); err != nil {
		fmt.Fprintln(os.Stderr, "monitor:", err)
		return 1
	}
	return 0
}

// Reconcile brings the store in line with reality after monitors died
// (kill -9, reboot): containers whose process is gone are marked exited
// (or started again, per their restart policy); runtime leftovers of
// removed containers go. It is cheap when nothing is wrong.
func (s *Service) Reconcile(ctx context.Context) error {
	all, err := s.all(ctx)
	if err != nil {
		return err
	}
	var stale []*Container
	for _, c := range all {
		if (c.State.Status.Active() || c.State.Status == Restarting) && !monitorAlive(c) {
			stale = append(stale, c)
		}
	}
	for _, c := range stale {
		if err := s.reconcileOne(ctx, c); err != nil {
			return err
		}
	}
	known := map[string]bool{}
	for _, c := range all {
		known[c.ID] = true
	}
	s.removeOrphans(known)
	return nil
}

// reconcileOne handles a container whose monitor is gone.
func (s *Service) reconcileOne(ctx context.Context, c *Container) error {
	if lc, err := libcontainer.Load(s.stateRoot(), c.ID); err == nil {
		if st, _ := lc.Status(); st == libcontainer.Running || st == libcontainer.Paused {
			return nil // still runs, without its monitor: stop and kill still work
		}
	}
	unlock, err := s.lock(c.ID)
	if err != nil {
		return nil // removed meanwhile
	}
	defer unlock()
	cur, err := s.Get(ctx, c.ID)
	if err != nil || monitorAlive(cur) || !(cur.State.Status.Active() || cur.State.Status == Restarting) {
		return nil // someone else settled it
	}
	s.cleanupRuntime(c.ID)
	c, err = s.mutate(ctx, c.ID, func(c *Container) (*events.Event, error) {
		c.State.Status, c.State.Pid, c.State.FinishedAt = Exited, 0, time.Now()
		c.State.MonitorPid, c.State.MonitorStart = 0, ""
		if c.State.ExitCode == 0 {
			c.State.ExitCode = 255
		}
		c.State.Error = "the container's monitor ended unexpectedly; its exit status is unknown"
		return &events.Event{Action: "die", Attributes: map[string]string{"exitCode": fmt.Sprint(c.State.ExitCode)}}, nil
	})
	if err != nil {
		return err
	}
	if c.Config.AutoRemove {
		return s.destroy(ctx, c)
	}
	if shouldRestart(c, monitor.Exit{Code: c.State.ExitCode}) && s.images != nil {
		unlock()
		unlock = func() {}
		_, err := s.Start(ctx, c.ID, StartOptions{})
		return err
	}
	return nil
}

// removeOrphans finishes what a process killed half-way left: removals
// (".removing" directories), and the files, mounts and cgroups of
// containers that have no record. A directory without a record may be a
// create or start in progress in another process (its record may be newer
// than our list), so it must be a minute old.
func (s *Service) removeOrphans(known map[string]bool) {
	orphan := func(e os.DirEntry) bool {
		fi, err := e.Info()
		return len(e.Name()) == 64 && !known[e.Name()] && err == nil && time.Since(fi.ModTime()) > time.Minute
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
