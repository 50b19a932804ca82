package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"berth/engine/errdefs"
)

// TestFilesOwnerOnly: the database and its -wal and -shm files are 0600,
// also when an older berth left them readable by others.
func TestFilesOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db")
	s := open(t, path)
	if err := s.Update(context.Background(), func(tx *Tx) error { return tx.exec(`CREATE TABLE t(x)`) }); err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, want 0600", filepath.Base(p), st.Mode().Perm())
			}
		}
	}
	check()
	s.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Chmod(p, 0o644)
	}
	open(t, path)
	check()
}

// holdWriteLock keeps a write transaction open on path from a connection
// of its own, as another berth process would, until the test ends or
// release is called.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			tx.Rollback()
			db.Close()
		}
	}
	t.Cleanup(release)
	return release
}

// TestLockedStore: while another process holds the write lock, readers and
// opening go on, a writer waits and ends as soon as its context does, and
// it proceeds once the lock is released.
func TestLockedStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	open(t, path).Close()
	release := holdWriteLock(t, path)

	start := time.Now()
	s, err := OpenContext(context.Background(), path)
	if err != nil {
		t.Fatalf("open while another process writes: %v", err)
	}
	defer s.Close()
	if err := s.View(context.Background(), func(tx *Tx) error { _, err := tx.Images(); return err }); err != nil {
		t.Fatalf("read while another process writes: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("open and read took %v behind a writer", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = s.Update(ctx, func(tx *Tx) error { return nil })
	if !errdefs.IsCanceled(err) {
		t.Fatalf("update with a cancelled wait: %v, want a cancellation", err)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("cancelled wait ended after %v", d)
	}

	go func() {
		time.Sleep(400 * time.Millisecond)
		release()
	}()
	start = time.Now()
	if err := s.Update(context.Background(), func(tx *Tx) error { return tx.exec(`CREATE TABLE later(x)`) }); err != nil {
		t.Fatalf("update after the lock is released: %v", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("the update did not wait for the lock (%v)", d)
	}
}
