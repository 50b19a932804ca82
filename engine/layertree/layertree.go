// Package layertree analyses the layers of an image as dive does: the file
// tree of each layer with every entry marked added, modified, removed or
// unmodified against the layers below it, the tree of the image as it
// stands at a given layer, and the image's wasted space and efficiency.
//
// Its input is one list of entries per layer, bottom first, read from the
// unpacked snapshot directories (ReadDir: overlayfs whiteouts, a character
// device 0/0 for a deleted name and the xattr trusted.overlay.opaque=y for
// an opaque directory) or from layer tars (ReadTar: OCI whiteouts, .wh.<name>
// and .wh..wh..opq). The analysis itself does no I/O. It keeps no state
// between calls and is safe to read from several goroutines once built.
package layertree

import (
	"io/fs"
	"slices"
	"strings"
)

// Kind is what an entry is.
type Kind uint8

// Kinds of entries.
const (
	KindFile     Kind = iota // a regular file
	KindDir                  // a directory
	KindSymlink              // a symbolic link
	KindHardlink             // a second name of a file of the same layer (tars only)
	KindOther                // a device, a fifo, a socket
	KindWhiteout             // the layer deletes this name (a whiteout)
)

func (k Kind) String() string {
	switch k {
	case KindFile:
		return "file"
	case KindDir:
		return "dir"
	case KindSymlink:
		return "symlink"
	case KindHardlink:
		return "hardlink"
	case KindOther:
		return "other"
	case KindWhiteout:
		return "whiteout"
	}
	return "unknown"
}

// Mark says what a layer did to an entry.
type Mark uint8

// Marks, as dive shows them.
const (
	Unmodified Mark = iota // there below, untouched by this layer
	Added                  // new in this layer
	Modified               // this layer replaces what a lower layer has there
	Removed                // this layer deletes it (a whiteout or an opaque directory)
)

func (m Mark) String() string {
	switch m {
	case Unmodified:
		return "unmodified"
	case Added:
		return "added"
	case Modified:
		return "modified"
	case Removed:
		return "removed"
	}
	return "unknown"
}

// Entry is one name in one layer, as read from its directory or tar.
type Entry struct {
	Path     string      // relative, slash-separated, clean: "etc/passwd"
	Kind     Kind        // KindWhiteout: the layer deletes Path
	Mode     fs.FileMode // type and permission bits
	UID, GID int
	// Size is the bytes of a regular file; 0 for anything else and for
	// the second and later names of a hard-linked file.
	Size   int64
	Link   string // a symlink's or a hard link's target
	Opaque bool   // a directory that hides what lower layers hold under it
}

// Node is one entry of a tree: a layer's changes or the image at a layer.
type Node struct {
	Name     string
	Kind     Kind // of what is or was there; never KindWhiteout
	Mode     fs.FileMode
	UID, GID int
	// Size is a file's bytes; a directory's is the sum of the nodes under
	// it that are not Removed. A Removed node's is the bytes it deleted.
	Size   int64
	Link   string
	Mark   Mark
	Opaque bool
	// Children are sorted by name; nil for anything but a directory.
	Children []*Node
	// Changed says a node under this directory is not Unmodified.
	Changed bool

	kids map[string]*Node // while the tree is built
}

// IsDir reports whether n is a directory.
func (n *Node) IsDir() bool { return n.Kind == KindDir }

// Find returns the node at path ("etc/passwd", "" for n itself), or nil.
func (n *Node) Find(path string) *Node {
	if path == "" {
		return n
	}
	for part := range strings.SplitSeq(path, "/") {
		i, ok := slices.BinarySearchFunc(n.Children, part, func(c *Node, name string) int {
			return strings.Compare(c.Name, name)
		})
		if !ok {
			return nil
		}
		n = n.Children[i]
	}
	return n
}

// Walk calls fn for every node under n, parents before their children,
// children by name, with its path ("etc/passwd"); fn returning false skips
// what is under that node.
func (n *Node) Walk(fn func(path string, n *Node) bool) {
	var walk func(prefix string, n *Node)
	walk = func(prefix string, n *Node) {
		for _, c := range n.Children {
			p := c.Name
			if prefix != "" {
				p = prefix + "/" + c.Name
			}
			if fn(p, c) && c.Children != nil {
				walk(p, c)
			}
		}
	}
	walk("", n)
}

// child returns the child called name, or nil.
func (n *Node) child(name string) *Node {
	if n.kids == nil {
		return nil
	}
	return n.kids[name]
}

func (n *Node) setChild(c *Node) {
	if n.kids == nil {
		n.kids = map[string]*Node{}
	}
	n.kids[c.Name] = c
}

// freeze turns the build maps into sorted Children and sums the sizes and
// the Changed flags of directories.
func (n *Node) freeze() {
	if n.Kind != KindDir || n.Mark == Removed {
		n.kids = nil // a Removed directory keeps the size it deleted
		return
	}
	n.Children = make([]*Node, 0, len(n.kids))
	for _, c := range n.kids {
		n.Children = append(n.Children, c)
	}
	n.kids = nil
	slices.SortFunc(n.Children, func(a, b *Node) int { return strings.Compare(a.Name, b.Name) })
	n.Size, n.Changed = 0, false
	for _, c := range n.Children {
		c.freeze()
		if c.Mark != Removed {
			n.Size += c.Size
		}
		n.Changed = n.Changed || c.Mark != Unmodified || c.Changed
	}
}

// nodeOf is the node an entry makes.
func nodeOf(name string, e Entry, m Mark) *Node {
	return &Node{Name: name, Kind: e.Kind, Mode: e.Mode, UID: e.UID, GID: e.GID, Size: e.Size, Link: e.Link, Mark: m, Opaque: e.Opaque}
}

// ghost is the Removed node that stands for old, deleted at name.
func ghost(name string, old *Node) *Node {
	g := &Node{Name: name, Kind: KindFile, Mark: Removed}
	if old != nil {
		g.Kind, g.Mode, g.UID, g.GID, g.Link, g.Size = old.Kind, old.Mode, old.UID, old.GID, old.Link, total(old)
	}
	return g
}

// total is the bytes of n and everything under it, while building.
func total(n *Node) int64 {
	if n.Kind != KindDir {
		return n.Size
	}
	var s int64
	for _, c := range n.kids {
		if c.Mark != Removed {
			s += total(c)
		}
	}
	return s
}

// files calls fn with the path and size of every non-directory at and
// under n (at prefix), while building.
func files(prefix string, n *Node, fn func(path string, size int64)) {
	if n.Kind != KindDir {
		if n.Mark != Removed {
			fn(prefix, n.Size)
		}
		return
	}
	for name, c := range n.kids {
		files(prefix+"/"+name, c, fn)
	}
}
