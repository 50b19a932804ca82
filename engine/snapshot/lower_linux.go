package snapshot

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// LowerDir is one directory of the read-only view that overlayfs makes of
// a stack of layer directories (its lowerdirs, as a container sees its
// image): the directories of the layers that overlayfs merges at that
// path, top first. A name means what the topmost layer that has it says,
// unless a whiteout (a character device 0/0) in a layer above hides it. A
// directory merges with the same-named directories of the layers below it
// until one of them is opaque (trusted.overlay.opaque=y), or a layer has a
// whiteout or a non-directory under that name.
//
// Like overlayfs, a LowerDir goes down one name at a time and never
// follows a symlink: a layer's `lib -> usr/lib` is a symlink entry, not a
// way into usr/lib, and an absolute or climbing symlink never leads out of
// the layers. Every name is looked up relative to a directory already open
// (openat with O_NOFOLLOW, fstatat with AT_SYMLINK_NOFOLLOW), so no path
// is resolved from the host's root. A LowerDir is for one goroutine.
type LowerDir struct {
	dirs []layerDir
}

// layerDir is one layer's directory at the view's path.
type layerDir struct {
	fd   int
	path string // for error messages only
}

// OpenLowerDir opens the root of the view of layers, given top first
// (overlayfs's lowerdir order). No layers make an empty view.
func OpenLowerDir(layers []string) (*LowerDir, error) {
	d := &LowerDir{}
	for _, l := range layers {
		fd, err := unix.Open(l, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) {
			d.Close()
			return nil, errdefs.Wrap(errdefs.ErrDataCorrupt, err, "image layer %s is missing: remove the image and pull it again", l)
		}
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("open image layer %s: %w", l, err)
		}
		d.dirs = append(d.dirs, layerDir{fd: fd, path: l})
	}
	return d, nil
}

// Close closes the view's directories. A nil LowerDir may be closed.
func (d *LowerDir) Close() {
	if d == nil {
		return
	}
	for _, l := range d.dirs {
		unix.Close(l.fd)
	}
	d.dirs = nil
}

// Lookup stats name (one path component) in the view, without following a
// symlink: the entry of the topmost layer that has it, and false when no
// layer has it or a whiteout hides it.
func (d *LowerDir) Lookup(name string) (unix.Stat_t, bool, error) {
	if err := checkComponent(name); err != nil {
		return unix.Stat_t{}, false, err
	}
	for _, l := range d.dirs {
		var st unix.Stat_t
		err := unix.Fstatat(l.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		switch {
		case errors.Is(err, unix.ENOENT):
			continue
		case err != nil:
			return unix.Stat_t{}, false, fmt.Errorf("stat %s in image layer %s: %w", name, l.path, err)
		case IsWhiteout(&st):
			return unix.Stat_t{}, false, nil
		}
		return st, true, nil
	}
	return unix.Stat_t{}, false, nil
}

// Open returns the view of the directory name (one path component): the
// layers' directories merged there. The view is empty when name is not a
// directory in this one (missing, hidden by a whiteout, a file, a symlink).
// The caller closes it.
func (d *LowerDir) Open(name string) (*LowerDir, error) {
	if err := checkComponent(name); err != nil {
		return nil, err
	}
	child := &LowerDir{}
	for _, l := range d.dirs {
		// O_DIRECTORY refuses anything but a directory before opening it
		// (a device or a FIFO is never opened); O_NOFOLLOW refuses a
		// symlink.
		fd, err := unix.Openat(l.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
			break // a whiteout or a non-directory hides the layers below
		}
		path := l.path + "/" + name
		if err != nil {
			child.Close()
			return nil, fmt.Errorf("open image layer directory %s: %w", path, err)
		}
		child.dirs = append(child.dirs, layerDir{fd: fd, path: path})
		opaque, err := IsOpaque(fd)
		if err != nil {
			child.Close()
			return nil, fmt.Errorf("image layer directory %s: %w", path, err)
		}
		if opaque {
			break
		}
	}
	return child, nil
}

// Names lists, sorted, the names that the view shows in its directory.
func (d *LowerDir) Names() ([]string, error) {
	visible := map[string]bool{} // decided by the topmost layer having the name
	for _, l := range d.dirs {
		names, err := readDirNames(l.fd)
		if err != nil {
			return nil, fmt.Errorf("list image layer directory %s: %w", l.path, err)
		}
		for _, n := range names {
			if _, seen := visible[n]; seen {
				continue
			}
			var st unix.Stat_t
			if err := unix.Fstatat(l.fd, n, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return nil, fmt.Errorf("stat %s in image layer %s: %w", n, l.path, err)
			}
			visible[n] = !IsWhiteout(&st)
		}
	}
	var out []string
	for n, ok := range visible {
		if ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// IsWhiteout reports whether st is an overlayfs whiteout: a character
// device 0/0, which stands for a deleted entry.
func IsWhiteout(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}

// IsOpaque reports whether the directory open as fd (not with O_PATH) is
// marked opaque for overlayfs: it hides the layers below it.
func IsOpaque(fd int) (bool, error) {
	var v [2]byte
	n, err := unix.Fgetxattr(fd, opaqueXattr, v[:])
	switch {
	case errors.Is(err, unix.ENODATA), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ERANGE):
		return false, nil // ERANGE: a longer value, not "y"
	case err != nil:
		return false, fmt.Errorf("read xattr %s: %w", opaqueXattr, err)
	}
	return n == 1 && v[0] == 'y', nil
}

// readDirNames lists the directory open as fd through a descriptor of its
// own, so the caller's fd keeps its offset.
func readDirNames(fd int) ([]string, error) {
	dfd, err := unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(dfd), ".")
	defer f.Close()
	return f.Readdirnames(-1)
}

// checkComponent accepts a single path component: not empty, not "." or
// "..", no "/".
func checkComponent(name string) error {
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return errdefs.InvalidArgument("layer lookup %q: want one path component", name)
	}
	return nil
}
