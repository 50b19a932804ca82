package layertree_test

import (
	"maps"
	"strings"
	"testing"

	"berth/engine/layertree"
)

// FuzzAnalyze builds layers from bytes — entries of a few kinds on a few
// paths, in any order — and checks what must hold of any image: no panic,
// an efficiency in [0, 1], no more waste than bytes stored, a tree at each
// layer whose sizes add up.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 255, 4, 5, 255, 6, 7})
	f.Add([]byte{1, 1, 1, 255, 9, 255, 17, 33})
	paths := []string{"a", "b", "d", "d/x", "d/y", "d/e", "d/e/z", "c"}
	kinds := []layertree.Kind{layertree.KindFile, layertree.KindDir, layertree.KindWhiteout, layertree.KindSymlink}
	f.Fuzz(func(t *testing.T, data []byte) {
		var layers [][]layertree.Entry
		var cur []layertree.Entry
		var stored int64
		for _, b := range data {
			if b == 255 {
				layers, cur = append(layers, cur), nil
				continue
			}
			e := layertree.Entry{Path: paths[int(b)%len(paths)], Kind: kinds[int(b>>3)%len(kinds)]}
			switch e.Kind {
			case layertree.KindFile:
				e.Size = int64(b) + 1
				stored += e.Size
			case layertree.KindDir:
				e.Opaque = b&0x40 != 0
			}
			cur = append(cur, e)
		}
		layers = append(layers, cur)
		a := layertree.Analyze(layers)
		if a.Efficiency < 0 || a.Efficiency > 1 {
			t.Fatalf("efficiency %v", a.Efficiency)
		}
		if a.Wasted < 0 || a.Wasted > stored {
			t.Fatalf("wasted %d of %d stored", a.Wasted, stored)
		}
		for i := range layers {
			checkSizes(t, a.Image(i))
			checkSizes(t, a.Layers[i])
		}
		if !consistent(layers) {
			return
		}
		got := map[string]int64{}
		a.Image(len(layers) - 1).Walk(func(p string, n *layertree.Node) bool {
			if n.Mark != layertree.Removed && n.Kind != layertree.KindDir {
				got[p] = n.Size
			}
			return n.Mark != layertree.Removed
		})
		if want := overlay(layers); !maps.Equal(got, want) {
			t.Fatalf("the image's files are %v, overlayfs would show %v", got, want)
		}
	})
}

// consistent reports whether no layer names a path twice, or names a path
// and what is under it unless the path is a directory it keeps.
func consistent(layers [][]layertree.Entry) bool {
	for _, es := range layers {
		kind := map[string]layertree.Kind{}
		for _, e := range es {
			if _, dup := kind[e.Path]; dup {
				return false
			}
			kind[e.Path] = e.Kind
		}
		for p := range kind {
			for q, k := range kind {
				if strings.HasPrefix(p, q+"/") && k != layertree.KindDir {
					return false
				}
			}
		}
	}
	return true
}

// overlay is the files (not directories) and sizes that overlayfs shows of
// layers, worked out the plain way: each layer's whiteouts and opaque
// directories hide what is below, then its entries are put in place.
func overlay(layers [][]layertree.Entry) map[string]int64 {
	type file struct {
		kind layertree.Kind
		size int64
	}
	fs := map[string]file{}
	under := func(p string) {
		for q := range fs {
			if strings.HasPrefix(q, p+"/") {
				delete(fs, q)
			}
		}
	}
	for _, es := range layers {
		for _, e := range es {
			switch {
			case e.Kind == layertree.KindWhiteout:
				delete(fs, e.Path)
				under(e.Path)
			case e.Kind == layertree.KindDir && e.Opaque:
				under(e.Path)
			}
		}
		for _, e := range es {
			if e.Kind == layertree.KindWhiteout {
				continue
			}
			if old, ok := fs[e.Path]; ok && old.kind == layertree.KindDir && e.Kind != layertree.KindDir {
				under(e.Path)
			}
			// The directories above it: a file there goes.
			for i := range len(e.Path) {
				if e.Path[i] == '/' {
					if d, ok := fs[e.Path[:i]]; ok && d.kind != layertree.KindDir {
						under(e.Path[:i])
					}
					fs[e.Path[:i]] = file{kind: layertree.KindDir}
				}
			}
			fs[e.Path] = file{kind: e.Kind, size: e.Size}
		}
	}
	out := map[string]int64{}
	for p, f := range fs {
		if f.kind != layertree.KindDir {
			out[p] = f.size
		}
	}
	return out
}

// checkSizes: a directory's size is the sum of its children not Removed.
func checkSizes(t *testing.T, root *layertree.Node) {
	t.Helper()
	var sum func(n *layertree.Node) int64
	sum = func(n *layertree.Node) int64 {
		if n.Kind != layertree.KindDir || n.Mark == layertree.Removed {
			return n.Size
		}
		var s int64
		for _, c := range n.Children {
			cs := sum(c)
			if c.Mark != layertree.Removed {
				s += cs
			}
		}
		if s != n.Size {
			t.Fatalf("directory %q is %d B, its children %d B", n.Name, n.Size, s)
		}
		return s
	}
	sum(root)
}
