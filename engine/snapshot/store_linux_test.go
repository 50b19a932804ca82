package snapshot

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"berth/engine/errdefs"
)

func TestUnpackConcurrentSameLayer(t *testing.T) {
	s := newStore(t)
	id := testID(600)
	stream := tarBytes(t, dirEnt("d/"), reg("d/a", strings.Repeat("a", 1<<20)), reg("b", "b"))
	const n = 4
	var wg sync.WaitGroup
	start := make(chan struct{})
	sizes := make([]int64, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			sizes[i], errs[i] = s.Unpack(context.Background(), id, bytes.NewReader(stream))
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || sizes[i] != 1<<20+1 {
			t.Errorf("unpack %d: size %d, %v", i, sizes[i], errs[i])
		}
	}
	hex := strings.TrimPrefix(id, diffIDPrefix)
	if got := storeEntries(t, s); len(got) != 1 || got[0] != hex {
		t.Errorf("store holds %v, want only %s", got, hex)
	}
	if b, err := os.ReadFile(filepath.Join(s.Path(id), "b")); err != nil || string(b) != "b" {
		t.Errorf("b = %q, %v", b, err)
	}
}

func TestPending(t *testing.T) {
	ctx := context.Background()
	stream := tarBytes(t, reg("f", "data"))

	t.Run("commit", func(t *testing.T) {
		s := newStore(t)
		id := testID(700)
		p, err := s.Begin(id)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Abort()
		if size, err := p.Apply(ctx, bytes.NewReader(stream)); err != nil || size != 4 {
			t.Fatalf("Apply = %d, %v", size, err)
		}
		if s.Exists(id) {
			t.Fatal("snapshot visible before Commit")
		}
		if err := p.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := p.Commit(); err != nil {
			t.Fatalf("second Commit: %v", err)
		}
		p.Abort() // no-op after Commit
		if !s.Exists(id) {
			t.Fatal("snapshot missing after Commit and Abort")
		}
		if got := storeEntries(t, s); len(got) != 1 {
			t.Errorf("store holds %v", got)
		}
	})

	t.Run("abort", func(t *testing.T) {
		s := newStore(t)
		id := testID(701)
		p, err := s.Begin(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Apply(ctx, bytes.NewReader(stream)); err != nil {
			t.Fatal(err)
		}
		p.Abort()
		p.Abort()
		if err := p.Commit(); !errdefs.IsConflict(err) {
			t.Errorf("Commit after Abort = %v, want conflict", err)
		}
		assertNoSnapshot(t, s, id)
	})

	t.Run("commit after failed apply", func(t *testing.T) {
		s := newStore(t)
		id := testID(702)
		p, err := s.Begin(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Apply(ctx, bytes.NewReader(stream[:514])); err == nil {
			t.Fatal("Apply of a truncated stream succeeded")
		}
		if err := p.Commit(); !errdefs.IsConflict(err) {
			t.Errorf("Commit after a failed Apply = %v, want conflict", err)
		}
		p.Abort()
		assertNoSnapshot(t, s, id)
	})

	t.Run("commit when another won", func(t *testing.T) {
		s := newStore(t)
		id := testID(703)
		p, err := s.Begin(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Apply(ctx, bytes.NewReader(tarBytes(t, reg("f", "loser")))); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Unpack(ctx, id, bytes.NewReader(stream)); err != nil {
			t.Fatal(err)
		}
		if err := p.Commit(); err != nil {
			t.Fatalf("Commit after another writer won = %v", err)
		}
		if b, _ := os.ReadFile(filepath.Join(s.Path(id), "f")); string(b) != "data" {
			t.Errorf("f = %q, want the winner's data", b)
		}
		if got := storeEntries(t, s); len(got) != 1 {
			t.Errorf("store holds %v", got)
		}
	})

	t.Run("empty layer", func(t *testing.T) {
		s := newStore(t)
		id := testID(704)
		if size, err := s.Unpack(ctx, id, bytes.NewReader(tarBytes(t))); err != nil || size != 0 {
			t.Fatalf("Unpack of an empty tar = %d, %v", size, err)
		}
		if !s.Exists(id) {
			t.Fatal("empty snapshot missing")
		}
	})

	t.Run("invalid diff ID", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Begin("sha256:../x"); !errdefs.IsInvalidArgument(err) {
			t.Errorf("Begin = %v, want invalid argument", err)
		}
		if _, err := s.Unpack(ctx, "latest", bytes.NewReader(stream)); !errdefs.IsInvalidArgument(err) {
			t.Errorf("Unpack = %v, want invalid argument", err)
		}
		if len(storeEntries(t, s)) != 0 {
			t.Errorf("store not empty: %v", storeEntries(t, s))
		}
	})
}

func TestCleanup(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	done := testID(800)
	if _, err := s.Unpack(ctx, done, bytes.NewReader(tarBytes(t, reg("f", "x")))); err != nil {
		t.Fatal(err)
	}
	live := testID(801)
	p, err := s.Begin(live)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Abort()
	if _, err := p.Apply(ctx, bytes.NewReader(tarBytes(t, reg("g", "y")))); err != nil {
		t.Fatal(err)
	}
	// Leftovers of a crashed process: nobody holds their lock.
	for _, name := range []string{".tmp-abandoned/fs/sub", ".tmp-del-abandoned/fs"} {
		if err := os.MkdirAll(filepath.Join(s.Dir(), name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), ".tmp-abandoned/fs/sub/file"), []byte("z"), 0o400); err != nil {
		t.Fatal(err)
	}

	if err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{".tmp-abandoned", ".tmp-del-abandoned"} {
		if _, err := os.Lstat(filepath.Join(s.Dir(), name)); !os.IsNotExist(err) {
			t.Errorf("abandoned %s survived Cleanup: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(p.tmp, fsDir, "g")); err != nil {
		t.Errorf("Cleanup removed a snapshot being written: %v", err)
	}
	if !s.Exists(done) {
		t.Error("Cleanup removed a completed snapshot")
	}
	if err := p.Commit(); err != nil {
		t.Fatalf("Commit after Cleanup: %v", err)
	}
	if !s.Exists(live) {
		t.Error("snapshot missing after Commit")
	}
	if err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.List(); len(ids) != 2 {
		t.Errorf("List after Cleanup = %v, want 2 snapshots", ids)
	}
}

func TestRemove(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	id := testID(900)
	if _, err := s.Unpack(ctx, id, bytes.NewReader(tarBytes(t, dirEnt("d/"), reg("d/f", "x")))); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		id    string
		check func(error) bool
	}{
		{"existing", id, func(err error) bool { return err == nil }},
		{"missing", id, func(err error) bool { return err == nil }},
		{"never there", testID(901), func(err error) bool { return err == nil }},
		{"invalid", "sha256:../../x", errdefs.IsInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Remove(tc.id); !tc.check(err) {
				t.Fatalf("Remove = %v", err)
			}
			if s.Exists(tc.id) {
				t.Error("snapshot still exists")
			}
			if got := storeEntries(t, s); len(got) != 0 {
				t.Errorf("store holds %v after Remove", got)
			}
		})
	}
}

func TestListAndSize(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a, b := testID(1001), testID(1000)
	if _, err := s.Unpack(ctx, a, bytes.NewReader(tarBytes(t, reg("x", "12345"), hardlink("y", "x"), symlink("z", "x")))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unpack(ctx, b, bytes.NewReader(tarBytes(t, reg("x", "1")))); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(s.Dir(), ".tmp-junk"), 0o700); err != nil {
		t.Fatal(err)
	}
	ids, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(ids, ","), b+","+a; got != want {
		t.Errorf("List = %s, want %s", got, want)
	}
	tests := []struct {
		id    string
		size  int64
		check func(error) bool
	}{
		{a, 5, nil},
		{b, 1, nil},
		{testID(1002), 0, errdefs.IsNotFound},
		{"nope", 0, errdefs.IsInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			size, err := s.Size(tc.id)
			if tc.check != nil {
				if !tc.check(err) {
					t.Fatalf("Size = %v", err)
				}
				return
			}
			if err != nil || size != tc.size {
				t.Fatalf("Size = %d, %v; want %d", size, err, tc.size)
			}
		})
	}
}

// TestHelperProcess is not a test: TestCleanupAcrossProcesses runs the test
// binary with it to hold a Pending in another process. It begins a snapshot
// in the store named by the environment, prints its temporary directory,
// and commits once its stdin closes.
func TestHelperProcess(t *testing.T) {
	dir, id := os.Getenv("SNAPSHOT_HELPER_STORE"), os.Getenv("SNAPSHOT_HELPER_ID")
	if dir == "" {
		t.Skip("helper process only")
	}
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Begin(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(context.Background(), bytes.NewReader(tarBytes(t, reg("f", "from the helper")))); err != nil {
		t.Fatal(err)
	}
	fmt.Println(p.tmp)
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestCleanupAcrossProcesses(t *testing.T) {
	tests := []struct {
		name string
		kill bool // the helper dies before committing
	}{
		{"live writer kept", false},
		{"dead writer's leftovers removed", true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			id := testID(1100 + i)
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
			cmd.Env = append(os.Environ(), "SNAPSHOT_HELPER_STORE="+s.Dir(), "SNAPSHOT_HELPER_ID="+id)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			tmp, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				t.Fatalf("helper: %v", err)
			}
			tmp = strings.TrimSpace(tmp)
			if tc.kill {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
			if err := s.Cleanup(); err != nil {
				t.Fatal(err)
			}
			_, err = os.Stat(filepath.Join(tmp, fsDir, "f"))
			if tc.kill {
				if !os.IsNotExist(err) {
					t.Fatalf("a dead writer's %s survived Cleanup: %v", tmp, err)
				}
				assertNoSnapshot(t, s, id)
				return
			}
			if err != nil {
				t.Fatalf("Cleanup removed a live writer's snapshot: %v", err)
			}
			stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("helper: %v", err)
			}
			if !s.Exists(id) {
				t.Error("snapshot missing after the helper committed")
			}
		})
	}
}
