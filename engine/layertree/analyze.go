package layertree

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Analysis is what Analyze finds in an image's layers.
type Analysis struct {
	// Layers are the trees of each layer's own entries, bottom first,
	// marked against the layers below it; a name the layer deletes is a
	// Removed node sized by what it deleted.
	Layers []*Node
	// Wasted and Efficiency are dive's figures; see efficiency.
	Wasted     int64
	Efficiency float64
	// Waste lists the paths stored more than once, most bytes first.
	Waste []Waste

	entries [][]Entry
}

// Waste is a path that several layers store (or store, then delete).
type Waste struct {
	Path  string // "/etc/passwd"
	Count int    // copies and deletions of the path over all layers
	Size  int64  // bytes of all its copies
}

// Analyze analyses layers (one list of entries each, bottom first, in any
// order within a layer: a directory named after what is in it, as a tar
// may, takes its place). It keeps the lists, for Image.
func Analyze(layers [][]Entry) *Analysis {
	a := &Analysis{entries: layers, Layers: make([]*Node, len(layers))}
	s := &stack{root: &Node{Kind: KindDir}}
	eff := efficiency{}
	for i, es := range layers {
		changes := &Node{Kind: KindDir}
		s.apply(es, changes, false, eff)
		changes.freeze()
		a.Layers[i] = changes
	}
	a.Wasted, a.Efficiency, a.Waste = eff.score()
	return a
}

// Image is the tree of the image as layers 0 to i make it: what layer i
// added or modified is marked so, what it deleted is there as Removed
// nodes, the rest is Unmodified. It builds the tree anew at each call.
func (a *Analysis) Image(i int) *Node {
	s := &stack{root: &Node{Kind: KindDir}}
	for k := 0; k <= i && k < len(a.entries); k++ {
		s.apply(a.entries[k], nil, k == i, nil)
	}
	s.root.freeze()
	return s.root
}

// efficiency gathers, per path of a non-directory, the sizes of its copies
// over the layers, bottom to top, the way dive does (dive's
// filetree.Efficiency and its image analysis): each layer that stores a
// file at the path adds the file's bytes, each layer that deletes it (a
// whiteout, or an opaque directory above it) adds 0. Then
//
//   - wasted bytes are the bytes of every path seen in more than one layer,
//     all its copies counted, the last one included: a file written, then
//     overwritten or deleted later, wastes what every layer stored of it
//     (dive's "potential wasted space");
//   - efficiency is the sum over paths of the smallest size seen for the
//     path, divided by the sum of all the bytes stored for all paths: 1
//     when no path is stored twice, lower as copies and deleted files
//     weigh more (1 as well for an image with no bytes).
//
// One difference from dive, on purpose: dive sizes the deletion of a whole
// directory at the directory's own path, which no file ever had, so that
// deletion never counts as waste; here it is the deletion of each file
// under it, at the file's path, as a whiteout of each file would be.
type efficiency map[string]*pathBytes

type pathBytes struct {
	count    int
	sum, min int64
}

func (e efficiency) add(p string, size int64) {
	if e == nil {
		return
	}
	b := e[p]
	if b == nil {
		e[p] = &pathBytes{count: 1, sum: size, min: size}
		return
	}
	b.count++
	b.sum += size
	b.min = min(b.min, size)
}

func (e efficiency) score() (wasted int64, score float64, waste []Waste) {
	var minSum, all int64
	for p, b := range e {
		minSum += b.min
		all += b.sum
		if b.count > 1 {
			wasted += b.sum
			waste = append(waste, Waste{Path: "/" + p, Count: b.count, Size: b.sum})
		}
	}
	slices.SortFunc(waste, func(a, b Waste) int {
		if a.Size != b.Size {
			return int(b.Size - a.Size)
		}
		return strings.Compare(a.Path, b.Path)
	})
	score = 1
	if all > 0 {
		score = float64(minSum) / float64(all)
	}
	return wasted, score, waste
}

// stack is the image as the layers applied so far make it.
type stack struct {
	root *Node
}

// layerPass is the state of one layer being applied.
type layerPass struct {
	s       *stack
	changes *Node // the layer's own tree, filled as entries come; nil: not wanted
	last    bool  // marks and Removed nodes go into the stack (Image)
	eff     efficiency
	fresh   map[*Node]Mark // nodes this layer made, with their marks
	opaque  []*Node        // directories this layer made opaque
	opaqueP []string       // and their paths
}

// apply stacks one layer's entries.
func (s *stack) apply(es []Entry, changes *Node, last bool, eff efficiency) {
	lp := &layerPass{s: s, changes: changes, last: last, eff: eff, fresh: map[*Node]Mark{}}
	for _, e := range es {
		if e.Path == "" || e.Path == "." {
			continue // the layer's root directory
		}
		lp.entry(e)
	}
	for i, d := range lp.opaque {
		lp.hide(lp.opaqueP[i], d)
	}
}

// entry applies one entry.
func (lp *layerPass) entry(e Entry) {
	dir, name := path.Split(e.Path)
	dir = strings.TrimSuffix(dir, "/")
	parent, cparent := lp.dirs(dir)
	prev := parent.child(name)
	if prev != nil && prev.Mark == Removed {
		prev = nil // a Removed node of this very layer
	}
	if e.Kind == KindWhiteout {
		lp.remove(e.Path, name, parent, cparent, prev)
		return
	}
	mark := Added
	if prev != nil {
		mark = Modified
		if m, ok := lp.fresh[prev]; ok {
			mark = m // named twice in this layer: keep the first verdict
		} else if e.Kind == KindDir && prev.Kind == KindDir && !e.Opaque &&
			e.Mode == prev.Mode && e.UID == prev.UID && e.GID == prev.GID {
			mark = Unmodified // carries changes under it
		}
	}
	n := nodeOf(name, e, lp.stackMark(mark))
	if prev != nil && prev.Kind == KindDir {
		if e.Kind == KindDir {
			n.kids = prev.kids // what is under it stays, unless opaque (see hide)
		} else {
			files(e.Path, prev, func(p string, _ int64) { lp.eff.add(p, 0) })
		}
	}
	if e.Kind == KindDir && e.Opaque && prev != nil {
		lp.opaque, lp.opaqueP = append(lp.opaque, n), append(lp.opaqueP, e.Path)
	}
	lp.fresh[n] = mark
	parent.setChild(n)
	if e.Kind != KindDir {
		lp.eff.add(e.Path, e.Size)
	}
	if cparent != nil {
		c := nodeOf(name, e, mark)
		if old := cparent.child(name); old != nil && old.Kind == KindDir && e.Kind == KindDir {
			c.kids = old.kids
		}
		cparent.setChild(c)
	}
}

// stackMark is the mark a node gets in the stack: its own in the last
// layer, Unmodified below it.
func (lp *layerPass) stackMark(m Mark) Mark {
	if lp.last {
		return m
	}
	return Unmodified
}

// remove applies a whiteout of name in parent.
func (lp *layerPass) remove(p, name string, parent, cparent, prev *Node) {
	if prev != nil {
		files(p, prev, func(fp string, _ int64) { lp.eff.add(fp, 0) })
	}
	g := ghost(name, prev)
	if lp.last {
		parent.setChild(g)
		lp.fresh[g] = Removed
	} else if parent.kids != nil {
		delete(parent.kids, name)
	}
	if cparent != nil {
		cparent.setChild(ghost(name, prev))
	}
}

// hide deletes what lower layers have under the opaque directory d (at p)
// and this layer did not write again.
func (lp *layerPass) hide(p string, d *Node) {
	var cdir *Node
	if lp.changes != nil {
		cdir = lp.findBuilding(p)
	}
	for name, c := range d.kids {
		if _, ok := lp.fresh[c]; ok {
			if c.Kind == KindDir {
				lp.hide(p+"/"+name, c)
			}
			continue
		}
		lp.remove(p+"/"+name, name, d, cdir, c)
	}
}

// findBuilding finds a directory of the changes tree while it is built.
func (lp *layerPass) findBuilding(p string) *Node {
	n := lp.changes
	for part := range strings.SplitSeq(p, "/") {
		if n = n.child(part); n == nil {
			return nil
		}
	}
	return n
}

// dirs returns the directory at p in the stack and in the changes tree
// (nil when not wanted), making the missing ones: a tar may name a file
// before (or without) its directory, and the changes tree holds the
// directories of the stack that lead to a changed entry.
func (lp *layerPass) dirs(p string) (dir, cdir *Node) {
	dir, cdir = lp.s.root, lp.changes
	if p == "" {
		return dir, cdir
	}
	at := ""
	for name := range strings.SplitSeq(p, "/") {
		if at == "" {
			at = name
		} else {
			at += "/" + name
		}
		next := dir.child(name)
		if next == nil || next.Kind != KindDir || next.Mark == Removed {
			mark := Added
			if next != nil && next.Mark != Removed {
				mark = Modified
				files(at, next, func(fp string, _ int64) { lp.eff.add(fp, 0) })
			}
			next = &Node{Name: name, Kind: KindDir, Mode: fs.ModeDir | 0o755, Mark: lp.stackMark(mark)}
			lp.fresh[next] = mark
			dir.setChild(next)
		}
		dir = next
		if cdir != nil {
			c := cdir.child(name)
			if c == nil {
				mark, ok := lp.fresh[next]
				if !ok {
					mark = Unmodified
				}
				c = &Node{Name: name, Kind: KindDir, Mode: next.Mode, UID: next.UID, GID: next.GID, Mark: mark}
				cdir.setChild(c)
			}
			cdir = c
		}
	}
	return dir, cdir
}
