package store

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Two operations of one process (two pulls in the TUI) each drop only their
// own leases; both count as alive while the process runs.
func TestOperationLeases(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "db"))
	ctx := context.Background()
	a, b := Operation(), Operation()
	if a == b || !strings.HasPrefix(string(a), string(Self())+"/") {
		t.Fatalf("operations %q and %q of %q", a, b, Self())
	}
	if !a.Alive() || Owner("999999999:1/x").Alive() || Owner(string(Self())+"0/x").Alive() {
		t.Fatal("operation liveness is wrong")
	}
	deadOp := Owner("999999999:1/x")
	err := s.Update(ctx, func(tx *Tx) error {
		for o, d := range map[Owner]string{a: "sha256:a", b: "sha256:b", deadOp: "sha256:dead"} {
			if err := tx.AddLeases(o, d); err != nil {
				return err
			}
		}
		return tx.DeleteLeases(a)
	})
	if err != nil {
		t.Fatal(err)
	}
	// A read-only look sees the dead owner but keeps its rows.
	for range 2 {
		err = s.View(ctx, func(tx *Tx) error {
			live, dead, err := tx.HeldLeases()
			if err != nil {
				return err
			}
			if got := slices.Sorted(maps.Keys(live)); !slices.Equal(got, []string{"sha256:b"}) || dead != 1 {
				t.Errorf("held leases: %v, %d dead owners; want [sha256:b], 1", got, dead)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// LiveLeases drops it.
	err = s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.LiveLeases(); err != nil {
			return err
		}
		_, dead, err := tx.HeldLeases()
		if dead != 0 {
			t.Errorf("%d dead owners after LiveLeases", dead)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReferencedDigests(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "db"))
	ctx := context.Background()
	img := Image{ID: "sha256:cfg", ManifestDigest: "sha256:man", OS: "linux", Arch: "amd64", Added: time.Now(),
		Layers: []Layer{{BlobDigest: "sha256:gz1", DiffID: "sha256:tar1"}, {BlobDigest: "sha256:tar2", DiffID: "sha256:tar2"}}}
	var got map[string]bool
	err := s.Update(ctx, func(tx *Tx) (err error) {
		if got, err = tx.ReferencedDigests(); err != nil || len(got) != 0 {
			t.Errorf("empty store references %v (%v)", got, err)
		}
		if _, err := tx.PutImage(img); err != nil {
			return err
		}
		got, err = tx.ReferencedDigests()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sha256:cfg", "sha256:gz1", "sha256:man", "sha256:tar1", "sha256:tar2"}
	if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, want) {
		t.Fatalf("referenced: %v, want %v", keys, want)
	}
}
