package layertree_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"berth/engine/layertree"
	"berth/engine/snapshot"
	"berth/internal/testimage"
)

// The hand-built image of these tests: three layers.
//
//	0: a (100 B), b (50), d/x (30), d/y (20), etc/conf (5)
//	1: a again (120 B: modified), b deleted (whiteout)
//	2: d opaque with d/y again (25 B), c (10 B) added, etc deleted
//
// Per path, the bytes each layer stores (0 for a deletion):
//
//	a        100, 120  -> sum 220, min 100
//	b         50,   0  -> sum  50, min   0
//	d/x       30,   0  -> sum  30, min   0 (hidden by the opaque d)
//	d/y       20,  25  -> sum  45, min  20
//	etc/conf   5,   0  -> sum   5, min   0 (its directory deleted)
//	c         10       -> sum  10, min  10
//
// Wasted: every path seen twice, all its copies: 220+50+30+45+5 = 350.
// Efficiency: the minima over all bytes: (100+20+10)/360 = 130/360.
const (
	wantWasted     = 350
	wantEfficiency = 130.0 / 360.0
)

func body(n int) string { return strings.Repeat("x", n) }

func layerTars() [][]byte {
	return [][]byte{
		testimage.Tar(
			testimage.Entry{Name: "d/", Type: tar.TypeDir},
			testimage.Entry{Name: "etc/", Type: tar.TypeDir},
			testimage.Entry{Name: "a", Body: body(100)},
			testimage.Entry{Name: "b", Body: body(50)},
			testimage.Entry{Name: "d/x", Body: body(30)},
			testimage.Entry{Name: "d/y", Body: body(20)},
			testimage.Entry{Name: "etc/conf", Body: body(5)},
		),
		testimage.Tar(
			testimage.Entry{Name: "a", Body: body(120)},
			testimage.Entry{Name: ".wh.b"},
		),
		testimage.Tar(
			testimage.Entry{Name: "d/", Type: tar.TypeDir},
			testimage.Entry{Name: "d/.wh..wh..opq"},
			testimage.Entry{Name: "d/y", Body: body(25)},
			testimage.Entry{Name: "c", Body: body(10)},
			testimage.Entry{Name: ".wh.etc"},
		),
	}
}

// fromTars reads the layers with ReadTar.
func fromTars(t *testing.T) [][]layertree.Entry {
	var out [][]layertree.Entry
	for _, b := range layerTars() {
		es, err := layertree.ReadTar(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, es)
	}
	return out
}

// fromSnapshots unpacks the layers with the snapshot store, as a pull
// does, and reads the directories with ReadDir.
func fromSnapshots(t *testing.T) [][]layertree.Entry {
	if os.Geteuid() != 0 {
		t.Fatal("needs root: whiteouts are character devices (CI runs as root)")
	}
	st, err := snapshot.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out [][]layertree.Entry
	for _, b := range layerTars() {
		id := testimage.Digest(b)
		if _, err := st.Unpack(context.Background(), id, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		es, err := layertree.ReadDir(st.Path(id))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, es)
	}
	return out
}

type want struct {
	path string
	mark layertree.Mark
	size int64
}

func check(t *testing.T, what string, root *layertree.Node, wants []want, absent ...string) {
	t.Helper()
	for _, w := range wants {
		n := root.Find(w.path)
		if n == nil {
			t.Errorf("%s: %s missing", what, w.path)
			continue
		}
		if n.Mark != w.mark || n.Size != w.size {
			t.Errorf("%s: %s is %v %d B, want %v %d B", what, w.path, n.Mark, n.Size, w.mark, w.size)
		}
	}
	for _, p := range absent {
		if n := root.Find(p); n != nil {
			t.Errorf("%s: %s is there (%v), want absent", what, p, n.Mark)
		}
	}
}

func TestAnalyze(t *testing.T) {
	for _, src := range []struct {
		name string
		read func(*testing.T) [][]layertree.Entry
	}{{"tars", fromTars}, {"snapshots", fromSnapshots}} {
		t.Run(src.name, func(t *testing.T) {
			a := layertree.Analyze(src.read(t))
			if a.Wasted != wantWasted {
				t.Errorf("wasted %d B, want %d", a.Wasted, wantWasted)
			}
			if math.Abs(a.Efficiency-wantEfficiency) > 1e-9 {
				t.Errorf("efficiency %.6f, want %.6f", a.Efficiency, wantEfficiency)
			}
			if len(a.Waste) != 5 || a.Waste[0] != (layertree.Waste{Path: "/a", Count: 2, Size: 220}) ||
				a.Waste[4] != (layertree.Waste{Path: "/etc/conf", Count: 2, Size: 5}) {
				t.Errorf("waste list %+v", a.Waste)
			}

			check(t, "layer 0", a.Layers[0], []want{
				{"a", layertree.Added, 100}, {"d", layertree.Added, 50}, {"d/x", layertree.Added, 30},
				{"etc/conf", layertree.Added, 5}, {"", layertree.Unmodified, 205},
			})
			check(t, "layer 1", a.Layers[1], []want{
				{"a", layertree.Modified, 120}, {"b", layertree.Removed, 50}, {"", layertree.Unmodified, 120},
			}, "d", "etc")
			check(t, "layer 2", a.Layers[2], []want{
				{"d", layertree.Modified, 25}, {"d/y", layertree.Modified, 25}, {"d/x", layertree.Removed, 30},
				{"c", layertree.Added, 10}, {"etc", layertree.Removed, 5},
			}, "a", "b")
			if d := a.Layers[2].Find("d"); d == nil || !d.Opaque || !d.Changed {
				t.Errorf("layer 2: d is %+v, want opaque with changes", d)
			}

			check(t, "image at 0", a.Image(0), []want{
				{"a", layertree.Added, 100}, {"b", layertree.Added, 50}, {"", layertree.Unmodified, 205},
			})
			check(t, "image at 1", a.Image(1), []want{
				{"a", layertree.Modified, 120}, {"b", layertree.Removed, 50},
				{"d/x", layertree.Unmodified, 30}, {"etc/conf", layertree.Unmodified, 5},
				{"", layertree.Unmodified, 175},
			})
			img := a.Image(2)
			check(t, "image at 2", img, []want{
				{"a", layertree.Unmodified, 120}, {"c", layertree.Added, 10},
				{"d", layertree.Modified, 25}, {"d/y", layertree.Modified, 25}, {"d/x", layertree.Removed, 30},
				{"etc", layertree.Removed, 5}, {"", layertree.Unmodified, 155},
			}, "b", "etc/conf")
			if !img.Changed || img.Find("a").Changed {
				t.Error("image at 2: Changed flags wrong")
			}
		})
	}
}

// A file replaced in a later layer by a directory, and a directory by a
// file: what was under the directory is deleted.
func TestTypeChanges(t *testing.T) {
	a := layertree.Analyze([][]layertree.Entry{
		{
			{Path: "f", Kind: layertree.KindFile, Size: 7},
			{Path: "d", Kind: layertree.KindDir},
			{Path: "d/g", Kind: layertree.KindFile, Size: 9},
		},
		{
			{Path: "f", Kind: layertree.KindDir},
			{Path: "f/h", Kind: layertree.KindFile, Size: 1},
			{Path: "d", Kind: layertree.KindFile, Size: 3},
		},
	})
	check(t, "layer 1", a.Layers[1], []want{
		{"f", layertree.Modified, 1}, {"f/h", layertree.Added, 1}, {"d", layertree.Modified, 3},
	})
	check(t, "image at 1", a.Image(1), []want{{"", layertree.Unmodified, 4}}, "d/g")
	// f: 7 then the directory (not counted); d/g: 9 then deleted; d: 3.
	// Wasted: d/g 9. Efficiency: (7+0+1+3)/(7+9+1+3).
	if a.Wasted != 9 || math.Abs(a.Efficiency-11.0/20.0) > 1e-9 {
		t.Errorf("wasted %d, efficiency %.4f; want 9, %.4f", a.Wasted, a.Efficiency, 11.0/20.0)
	}
}

// An image of one layer, or of no bytes, wastes nothing.
func TestNoWaste(t *testing.T) {
	a := layertree.Analyze([][]layertree.Entry{{{Path: "x", Kind: layertree.KindFile, Size: 10}}})
	if a.Wasted != 0 || a.Efficiency != 1 {
		t.Errorf("wasted %d, efficiency %v; want 0, 1", a.Wasted, a.Efficiency)
	}
	if a := layertree.Analyze(nil); a.Efficiency != 1 || len(a.Layers) != 0 {
		t.Errorf("empty image: %+v", a)
	}
}

// ReadTar cleans names and keeps hard links at no size.
func TestReadTar(t *testing.T) {
	es, err := layertree.ReadTar(bytes.NewReader(testimage.Tar(
		testimage.Entry{Name: "./bin/", Type: tar.TypeDir},
		testimage.Entry{Name: "./bin/a", Body: "hello"},
		testimage.Entry{Name: "./bin/b", Type: tar.TypeLink, Linkname: "./bin/a"},
		testimage.Entry{Name: "./bin/sh", Type: tar.TypeSymlink, Linkname: "a"},
		testimage.Entry{Name: "./bin/.wh.old"},
	)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]layertree.Entry{}
	for _, e := range es {
		got[e.Path] = e
	}
	if e := got["bin/a"]; e.Kind != layertree.KindFile || e.Size != 5 {
		t.Errorf("bin/a: %+v", e)
	}
	if e := got["bin/b"]; e.Kind != layertree.KindHardlink || e.Size != 0 || e.Link != "bin/a" {
		t.Errorf("bin/b: %+v", e)
	}
	if e := got["bin/sh"]; e.Kind != layertree.KindSymlink || e.Link != "a" {
		t.Errorf("bin/sh: %+v", e)
	}
	if e := got["bin/old"]; e.Kind != layertree.KindWhiteout {
		t.Errorf("bin/old: %+v", e)
	}
}

// The order of a layer's entries does not matter: children named before
// their directory (an opaque one, here) give the same trees and figures.
func TestAnyOrder(t *testing.T) {
	want := layertree.Analyze(fromTars(t))
	layers := fromTars(t)
	for _, es := range layers {
		slices.Reverse(es)
	}
	got := layertree.Analyze(layers)
	if got.Wasted != want.Wasted || got.Efficiency != want.Efficiency {
		t.Errorf("reversed: wasted %d, efficiency %v; in order: %d, %v", got.Wasted, got.Efficiency, want.Wasted, want.Efficiency)
	}
	for i := range want.Layers {
		if g, w := dump(got.Layers[i]), dump(want.Layers[i]); g != w {
			t.Errorf("layer %d reversed:\n%s\nin order:\n%s", i, g, w)
		}
		if g, w := dump(got.Image(i)), dump(want.Image(i)); g != w {
			t.Errorf("image at %d reversed:\n%s\nin order:\n%s", i, g, w)
		}
	}
}

// dump is a tree as lines: path, kind, mark, size, opaque.
func dump(root *layertree.Node) string {
	var b strings.Builder
	root.Walk(func(p string, n *layertree.Node) bool {
		fmt.Fprintf(&b, "%s %v %v %d %v\n", p, n.Kind, n.Mark, n.Size, n.Opaque)
		return true
	})
	return b.String()
}
