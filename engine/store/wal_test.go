package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCloseEmptiesTheWALAndKeepsItsReserve: after many writes, the last
// connection to close leaves an empty WAL (the next process has no frames
// to read back) with walReserve bytes of disk still reserved for it, and
// everything written is there when the store opens again.
func TestCloseEmptiesTheWALAndKeepsItsReserve(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := open(t, path)
	ctx := context.Background()
	if err := s.Update(ctx, func(tx *Tx) error { return tx.exec(`CREATE TABLE t(x)`) }); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 8<<10)
	for range 300 { // about 2.4 MB of frames: past walReserve, short of an automatic checkpoint
		if err := s.Update(ctx, func(tx *Tx) error { return tx.exec(`INSERT INTO t VALUES (?)`, big) }); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := os.Stat(path + "-wal"); err != nil || st.Size() < walReserve {
		t.Fatalf("before close: WAL %v (%v), want over %d bytes of frames", st.Size(), err, walReserve)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatalf("the WAL is gone after close: %v", err)
	}
	if st.Size() != 0 {
		t.Errorf("after close: WAL of %d bytes, want empty", st.Size())
	}
	if reserved := st.Sys().(*syscall.Stat_t).Blocks * 512; reserved < walReserve {
		t.Errorf("after close: %d bytes reserved for the WAL, want %d", reserved, walReserve)
	}
	s = open(t, path)
	var n int
	if err := s.View(ctx, func(tx *Tx) error { return tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	if n != 300 {
		t.Errorf("after reopening: %d rows, want 300", n)
	}
}
