package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/engine/errdefs"
	"berth/engine/events"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := open(t, path)
	var v int
	if err := s.r.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != Version {
		t.Fatalf("user_version = %d (%v), want %d", v, err, Version)
	}
	// A database from a newer berth is refused, not damaged.
	if _, err := s.w.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, Version+1)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); !errdefs.IsConflict(err) {
		t.Fatalf("opening a newer schema: %v", err)
	}
}

func TestImagesTagsAndCascade(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "db"))
	ctx := context.Background()
	img := Image{ID: "sha256:aa", ManifestDigest: "sha256:mm", ManifestMediaType: "m", OS: "linux", Arch: "amd64",
		Created: time.Unix(100, 0), Size: 42, Added: time.Unix(200, 0),
		Layers: []Layer{{BlobDigest: "sha256:b1", DiffID: "sha256:d1", Size: 40}, {BlobDigest: "sha256:b2", DiffID: "sha256:d2", Size: 2}}}
	err := s.Update(ctx, func(tx *Tx) error {
		if isNew, err := tx.PutImage(img); err != nil || !isNew {
			return fmt.Errorf("put: %v %v", isNew, err)
		}
		if isNew, err := tx.PutImage(img); err != nil || isNew {
			return fmt.Errorf("put again: %v %v", isNew, err)
		}
		if _, err := tx.SetTag("docker.io/library/x:1", img.ID); err != nil {
			return err
		}
		return tx.AddRepoDigest("docker.io/library/x", "sha256:idx", img.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		got, err := tx.Image(img.ID)
		if err != nil || len(got.Layers) != 2 || got.Layers[1].DiffID != "sha256:d2" || !got.Created.Equal(img.Created) {
			return fmt.Errorf("image: %+v %v", got, err)
		}
		if id, err := tx.TagTarget("docker.io/library/x:1"); err != nil || id != img.ID {
			return fmt.Errorf("tag: %q %v", id, err)
		}
		if n, err := tx.LayerSize("sha256:d1"); err != nil || n != 40 {
			return fmt.Errorf("layer size: %d %v", n, err)
		}
		if ids, err := tx.ImageIDsWithPrefix("a"); err != nil || len(ids) != 1 {
			return fmt.Errorf("prefix: %v %v", ids, err)
		}
		_, err = tx.Image("sha256:none")
		if !errdefs.IsNotFound(err) {
			return fmt.Errorf("missing image: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.DeleteTag("docker.io/library/x:1"); err != nil {
			return err
		}
		return tx.DeleteImage(img.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		if ds, _ := tx.RepoDigests(); len(ds) != 0 {
			t.Errorf("repo digests outlived their image: %v", ds)
		}
		if _, err := tx.LayerSize("sha256:d1"); !errdefs.IsNotFound(err) {
			t.Errorf("layers outlived their image: %v", err)
		}
		return nil
	})
}

func TestLeasesOfDeadOwnersExpire(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "db"))
	ctx := context.Background()
	dead := Owner("999999999:1")
	err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.AddLeases(Self(), "sha256:mine"); err != nil {
			return err
		}
		return tx.AddLeases(dead, "sha256:theirs")
	})
	if err != nil {
		t.Fatal(err)
	}
	var live map[string]bool
	s.Update(ctx, func(tx *Tx) (err error) { live, err = tx.LiveLeases(); return err })
	if !live["sha256:mine"] || live["sha256:theirs"] {
		t.Fatalf("live leases: %v", live)
	}
	if !Self().Alive() || dead.Alive() {
		t.Fatal("owner liveness is wrong")
	}
}

// Many writers on one file, each with its own connection as separate berth
// processes have: none fails with "database is locked", none is lost.
func TestConcurrentWritersAndEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	ctx := context.Background()
	watcher := open(t, path)
	start, _ := watcher.LastEventID(ctx)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(path)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			for i := range 10 {
				err := s.Update(ctx, func(tx *Tx) error {
					return tx.AddEvent(events.Event{Type: events.TypeImage, Action: events.ActionTag, Actor: fmt.Sprintf("%d-%d", w, i)})
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	evs, err := watcher.EventsSince(ctx, start)
	if err != nil || len(evs) != 80 {
		t.Fatalf("events seen: %d (%v), want 80", len(evs), err)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].ID <= evs[i-1].ID {
			t.Fatalf("event IDs not increasing: %d after %d", evs[i].ID, evs[i-1].ID)
		}
	}
}

func TestWatchSeesOtherWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	a, b := open(t, path), open(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := events.Watch(ctx, a, 20*time.Millisecond, events.Options{Since: time.Now()}) // however late it starts
	time.Sleep(50 * time.Millisecond)
	b.Update(ctx, func(tx *Tx) error {
		return tx.AddEvent(events.Event{Type: events.TypeImage, Action: events.ActionPull, Actor: "x", Attributes: map[string]string{"name": "busybox"}})
	})
	select {
	case ev := <-ch:
		if ev.Action != events.ActionPull || ev.Attributes["name"] != "busybox" {
			t.Fatalf("event: %+v", ev)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the watcher did not see another connection's event")
	}
}

// A watch from a time sends the stored events from then on first, oldest
// first; one until a past time ends after them.
func TestWatchSinceUntil(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "db"))
	ctx := context.Background()
	base := time.Now().Add(-time.Hour)
	for i := range 5 {
		s.Update(ctx, func(tx *Tx) error {
			return tx.AddEvent(events.Event{Time: base.Add(time.Duration(i) * time.Minute), Type: events.TypeImage, Action: "tag", Actor: fmt.Sprint(i)})
		})
	}
	var got []string
	for ev := range events.Watch(ctx, s, time.Hour, events.Options{Since: base.Add(90 * time.Second), Until: base.Add(3 * time.Minute)}) {
		got = append(got, ev.Actor)
	}
	if strings.Join(got, " ") != "2 3" {
		t.Errorf("since minute 1.5 until minute 3: %v, want [2 3]", got)
	}
}

// The store wakes a watch when another process writes: a watch that would
// poll once an hour sees a new event at once.
func TestWakeOnAnotherWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	a, b := open(t, path), open(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if a.Wake(ctx) == nil {
		t.Fatal("no inotify watch on the WAL")
	}
	// From a time before the write: however late the watch's goroutine
	// starts, the event is one it sends.
	ch := events.Watch(ctx, a, time.Hour, events.Options{Since: time.Now()})
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	b.Update(ctx, func(tx *Tx) error {
		return tx.AddEvent(events.Event{Type: events.TypeImage, Action: events.ActionPull, Actor: "x"})
	})
	select {
	case ev := <-ch:
		if ev.Actor != "x" {
			t.Fatalf("event: %+v", ev)
		}
		t.Logf("seen after %v", time.Since(start))
	case <-time.After(time.Second):
		t.Fatal("the watch did not wake up for another writer's event (it polls once an hour)")
	}
}
