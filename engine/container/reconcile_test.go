package container

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/engine/errdefs"
	"berth/engine/monitor"
	"berth/engine/store"
)

// newTestService is a Service over a fresh store, with no images.
func newTestService(t *testing.T) *Service {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "root", "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewService(db, nil, filepath.Join(dir, "root"), filepath.Join(dir, "run"), "")
}

// putContainer records c and makes its directory, as Create would.
func putContainer(t *testing.T, s *Service, c *Container) {
	t.Helper()
	if err := os.MkdirAll(s.dir(c.ID), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(c.Config)
	st, _ := json.Marshal(c.State)
	if err := s.db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.PutContainer(store.Container{ID: c.ID, Name: c.Name, ImageID: "sha256:x", Created: c.Created, Config: cfg, State: st})
	}); err != nil {
		t.Fatal(err)
	}
}

// A container whose monitor died (here: a monitor start that names no live
// process) is recorded with the exit its monitor kept in the run directory
// when the store could not take it, else with 255 and an explanation; never
// as Exited (0) at the zero time.
func TestReconcileKeptExit(t *testing.T) {
	s := newTestService(t)
	dead := "1:1" // pid 1 never started at tick 1: not a live monitor
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	kept := &Container{ID: newID(), Name: "kept", Created: at,
		State: State{Status: Running, Pid: 999999, MonitorPid: 999998, MonitorStart: dead, StartedAt: at}}
	lost := &Container{ID: newID(), Name: "lost", Created: at,
		State: State{Status: Running, Pid: 999999, MonitorPid: 999998, MonitorStart: dead, StartedAt: at}}
	putContainer(t, s, kept)
	putContainer(t, s, lost)
	os.MkdirAll(s.runDir(kept.ID), 0o700)
	if err := s.savePendingExit(kept.ID, monitor.Exit{Code: 7, At: at.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(context.Background(), "kept")
	if err != nil {
		t.Fatal(err)
	}
	if got.State.Status != Exited || got.State.ExitCode != 7 || !got.State.FinishedAt.Equal(at.Add(time.Minute)) {
		t.Errorf("kept exit: %v code %d at %v, want exited 7 at %v", got.State.Status, got.State.ExitCode, got.State.FinishedAt, at.Add(time.Minute))
	}
	if _, err := os.Stat(s.pendingExitFile(kept.ID)); !os.IsNotExist(err) {
		t.Errorf("the kept exit is still there once recorded: %v", err)
	}
	got, _ = s.Get(context.Background(), "lost")
	if got.State.Status != Exited || got.State.ExitCode != 255 || got.State.FinishedAt.IsZero() || got.State.Error == "" {
		t.Errorf("unknown exit: %v code %d at %v error %q", got.State.Status, got.State.ExitCode, got.State.FinishedAt, got.State.Error)
	}
}

// Reconciliation at open never waits behind a container another command
// holds; a command that waits for a container's lock ends with its context.
func TestReconcileSkipsLockedContainer(t *testing.T) {
	s := newTestService(t)
	c := &Container{ID: newID(), Name: "held", Created: time.Now(),
		State: State{Status: Running, MonitorStart: "1:1", StartedAt: time.Now()}}
	putContainer(t, s, c)
	unlock, err := s.lock(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	start := time.Now()
	if err := s.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Reconcile waited %v behind a held container", d)
	}
	if got, _ := s.Get(context.Background(), c.ID); got.State.Status != Running {
		t.Errorf("a held container was settled behind its holder's back: %v", got.State.Status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := s.Remove(ctx, c.ID, RemoveOptions{Force: true}); err == nil {
		t.Fatal("Remove took a held lock")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("a cancelled wait for the lock ended after %v", d)
	}
	// The holder itself settles it under the lock it has (no re-entry).
	if stopped, err := s.waitStopped(context.Background(), c, 5*time.Second, true); err != nil || !stopped {
		t.Fatalf("settling under the held lock: stopped %v, %v", stopped, err)
	}
}

// A full ID names its container even when another container is named so.
func TestFindFullIDFirst(t *testing.T) {
	s := newTestService(t)
	a := &Container{ID: newID(), Name: "a", Created: time.Now()}
	putContainer(t, s, a)
	b := &Container{ID: newID(), Name: a.ID, Created: time.Now()}
	putContainer(t, s, b)
	for ref, want := range map[string]string{a.ID: "a", "a": "a", b.ID[:12]: a.ID, b.ID: a.ID} {
		got, err := s.Get(context.Background(), ref)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if got.Name != want {
			t.Errorf("%s names %q, want %q", ref[:12], got.Name, want)
		}
	}
}

// An exited --rm container whose monitor ended before it could remove it
// is removed by the next Reconcile, which reads only states and --rm;
// an exited container without --rm stays.
func TestReconcileRemovesExitedAutoRemove(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	done := State{Status: Exited, FinishedAt: time.Now().Add(-time.Minute)}
	rm := &Container{ID: strings.Repeat("a", 64), Name: "gone", Created: time.Now(), Config: Config{AutoRemove: true}, State: done}
	keep := &Container{ID: strings.Repeat("b", 64), Name: "kept", Created: time.Now(), State: done}
	putContainer(t, s, rm)
	putContainer(t, s, keep)
	if err := s.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, rm.ID); !errdefs.IsNotFound(err) {
		t.Errorf("the exited --rm container is still there: %v", err)
	}
	if _, err := s.Get(ctx, keep.ID); err != nil {
		t.Errorf("the exited container without --rm: %v", err)
	}
}
