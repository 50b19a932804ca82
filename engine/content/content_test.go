package content

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"berth/engine/errdefs"
)

func TestWriterVerifiesBeforeRename(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	good := []byte("hello blob")
	d, err := s.Put(good)
	if err != nil || !s.Exists(d) {
		t.Fatalf("put: %v", err)
	}
	if b, err := s.ReadAll(d); err != nil || string(b) != string(good) {
		t.Fatalf("read back: %q %v", b, err)
	}
	cases := []struct {
		name     string
		digest   string
		size     int64
		data     string
		wantFail func(error) bool
	}{
		{"wrong digest", "sha256:" + "00000000000000000000000000000000000000000000000000000000000000aa", 3, "abc", errdefs.IsDataCorrupt},
		{"short", d, int64(len(good)), "hello", errdefs.IsDataCorrupt},
		{"too long", d, 3, "abcdef", errdefs.IsDataCorrupt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s2, _ := New(t.TempDir())
			w, err := s2.Writer(tc.digest, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			_, werr := w.Write([]byte(tc.data))
			cerr := w.Commit()
			if werr == nil && cerr == nil {
				t.Fatal("a bad blob was committed")
			}
			if !tc.wantFail(errorsOr(werr, cerr)) {
				t.Fatalf("error class: %v / %v", werr, cerr)
			}
			if s2.Exists(tc.digest) {
				t.Fatal("a bad blob became visible")
			}
			if ents, _ := os.ReadDir(filepath.Join(s2.dir, "ingest")); len(ents) != 0 {
				t.Fatalf("temp files left: %v", ents)
			}
		})
	}
	if _, err := s.Writer("md5:abc", 1); !errdefs.IsInvalidArgument(err) {
		t.Fatalf("bad digest accepted: %v", err)
	}
}

func errorsOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func TestCleanupSparesLiveWriters(t *testing.T) {
	s, _ := New(t.TempDir())
	live, err := s.Writer("", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Abort()
	live.Write([]byte("in flight"))
	// A writer that died: its temp file holds no lock.
	dead := filepath.Join(s.dir, "ingest", "dead")
	os.WriteFile(dead, []byte("half"), 0o600)
	if err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("abandoned temp file kept: %v", err)
	}
	if _, err := os.Stat(live.f.Name()); err != nil {
		t.Errorf("live writer's temp file removed: %v", err)
	}
	if err := live.Commit(); err != nil {
		t.Fatalf("live writer could not commit after cleanup: %v", err)
	}
}

func TestFullDiskIsResourceExhausted(t *testing.T) {
	err := errdefs.FromIO(&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, "blob x")
	if !errdefs.IsResourceExhausted(err) || !errdefs.Classified(err) {
		t.Fatalf("ENOSPC: %v", err)
	}
}
