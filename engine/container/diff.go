package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
	"berth/engine/snapshot"
)

// ChangeKind is how a path differs from the image, as `docker diff` says.
type ChangeKind byte

const (
	Added   ChangeKind = 'A'
	Changed ChangeKind = 'C'
	Deleted ChangeKind = 'D'
)

// Change is one path of the writable layer.
type Change struct {
	Kind ChangeKind
	Path string // absolute, inside the container
}

// Diff lists what the container changed over its image, in the order of a
// walk of its file tree (a directory before what it holds, names sorted).
// Commit will build on it. See changes for the rules.
func (s *Service) Diff(ctx context.Context, ref string) ([]Change, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	img, err := s.images.Resolve(ctx, c.Config.ImageID)
	if err != nil {
		return nil, err
	}
	return changes(ctx, filepath.Join(s.dir(c.ID), "upper"), img.Layers)
}

// changes reads the writable layer upper as overlayfs left it, against the
// image's layers (lowers, top first), the way `docker diff` reports it:
//
//   - an entry of upper is Changed when the image shows that path (see
//     snapshot.LowerDir: overlayfs's view, name by name, following no
//     symlink, so a layer's `hostroot -> /` never makes the host's files
//     count), Added otherwise;
//   - a whiteout is Deleted when the image shows the path;
//   - an opaque directory, or one that replaced a non-directory, hides what
//     the image had there: each name the image had that upper lacks is
//     Deleted (once, not what it held);
//   - a directory that the image has too is Changed when its mode, owner or
//     modification time differ (overlayfs keeps them when it copies a
//     directory up, and puts the time back after copying up what it holds),
//     or when an entry right inside it was Added or Deleted, as Docker
//     does; Docker also compares st_size, which for a directory is the
//     filesystem's bookkeeping, so berth does not;
//   - the mount points that the runtime makes in every container are left
//     out, as Docker leaves them out by making them in an "init" layer
//     under the container's own (see mountPoint).
//
// upper is walked from open directories with O_NOFOLLOW, one name at a
// time, so a running container that swaps a directory for a symlink during
// the walk cannot make it list a host directory; an entry that disappears
// during the walk is skipped.
func changes(ctx context.Context, upper string, lowers []string) ([]Change, error) {
	low, err := snapshot.OpenLowerDir(lowers)
	if err != nil {
		return nil, err
	}
	defer low.Close()
	fd, err := unix.Open(upper, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return nil, errdefs.Wrap(errdefs.ErrDataCorrupt, err, "the container's writable layer %s is missing: remove the container", upper)
	}
	if err != nil {
		return nil, fmt.Errorf("open the container's writable layer: %w", err)
	}
	dir := os.NewFile(uintptr(fd), upper)
	defer dir.Close()
	w := &differ{ctx: ctx}
	if _, err := w.walk(dir, "/", low, false); err != nil {
		return nil, err
	}
	return w.out, nil
}

// differ collects the changes of one walk.
type differ struct {
	ctx context.Context
	out []Change
}

// dirSummary is what a directory's walk tells about the directory itself.
type dirSummary struct {
	addedOrDeleted bool // an entry right inside it was reported Added or Deleted
	mountPoints    bool // the runtime created mount points in it
}

// walk reports the entries of the upper directory dir, which is the path p
// in the container and whose image view is low. replaced says that dir
// hides low (it or a directory above it is opaque, or it replaced a
// non-directory).
func (w *differ) walk(dir *os.File, p string, low *snapshot.LowerDir, replaced bool) (dirSummary, error) {
	var sum dirSummary
	if err := w.ctx.Err(); err != nil {
		return sum, err
	}
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return sum, fmt.Errorf("list %s in the container's writable layer: %w", p, err)
	}
	inUpper := map[string]bool{}
	for _, n := range names {
		inUpper[n] = true
	}
	if replaced {
		// What the image had here and the layer no longer shows.
		imageNames, err := low.Names()
		if err != nil {
			return sum, err
		}
		for _, n := range imageNames {
			if !inUpper[n] {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	for _, name := range names {
		cp := path.Join(p, name)
		if mountPoint(cp) == mountTree {
			continue
		}
		if !inUpper[name] {
			w.out = append(w.out, Change{Deleted, cp})
			sum.addedOrDeleted = true
			continue
		}
		var st unix.Stat_t
		err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if errors.Is(err, unix.ENOENT) {
			continue // removed since the listing: the container runs
		}
		if err != nil {
			return sum, fmt.Errorf("stat %s in the container's writable layer: %w", cp, err)
		}
		lst, inImage, err := low.Lookup(name)
		if err != nil {
			return sum, err
		}
		switch {
		case snapshot.IsWhiteout(&st):
			if inImage {
				w.out = append(w.out, Change{Deleted, cp})
				sum.addedOrDeleted = true
			}
			continue
		case !inImage && mountPoint(cp) == mountFile && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Size == 0:
			sum.mountPoints = true
			continue
		case st.Mode&unix.S_IFMT != unix.S_IFDIR:
			if inImage {
				w.out = append(w.out, Change{Changed, cp})
			} else {
				w.out = append(w.out, Change{Added, cp})
				sum.addedOrDeleted = true
			}
			continue
		}
		added, err := w.subdir(dir, name, cp, &st, low, lst, inImage, replaced)
		if err != nil {
			return sum, err
		}
		sum.addedOrDeleted = sum.addedOrDeleted || added
	}
	return sum, nil
}

// subdir walks the upper directory name, at path p, whose stat is st and
// whose image entry (if inImage) is lst, then reports the directory itself
// ahead of what it holds. It says whether it reported it Added.
func (w *differ) subdir(parent *os.File, name, p string, st *unix.Stat_t, low *snapshot.LowerDir, lst unix.Stat_t, inImage, replaced bool) (bool, error) {
	fd, err := unix.Openat(int(parent.Fd()), name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
		return false, nil // removed or replaced since the stat: the container runs
	}
	if err != nil {
		return false, fmt.Errorf("open %s in the container's writable layer: %w", p, err)
	}
	dir := os.NewFile(uintptr(fd), p)
	defer dir.Close()
	opaque, err := snapshot.IsOpaque(fd)
	if err != nil {
		return false, fmt.Errorf("%s in the container's writable layer: %w", p, err)
	}
	clow, err := low.Open(name)
	if err != nil {
		return false, err
	}
	defer clow.Close()
	lowIsDir := inImage && lst.Mode&unix.S_IFMT == unix.S_IFDIR
	at := len(w.out)
	sum, err := w.walk(dir, p, clow, replaced || opaque || (inImage && !lowIsDir))
	if err != nil {
		return false, err
	}
	var kind ChangeKind
	switch {
	case !inImage && sum.mountPoints:
		// Made by the runtime for its mount points: Docker has it in its
		// init layer, so it is changed only by what was added or deleted.
		if !sum.addedOrDeleted {
			return false, nil
		}
		kind = Changed
	case !inImage:
		kind = Added
	case !lowIsDir:
		kind = Changed
	case sum.addedOrDeleted || !sameDir(st, &lst, !sum.mountPoints):
		kind = Changed
	default:
		return false, nil
	}
	w.out = slices.Insert(w.out, at, Change{kind, p})
	return kind == Added, nil
}

// sameDir reports whether directory a has the mode, owner and (if
// withTime) modification time of b. A time of whole seconds on one side
// matches the same second on the other: tar layers keep no nanoseconds.
func sameDir(a, b *unix.Stat_t, withTime bool) bool {
	if a.Mode != b.Mode || a.Uid != b.Uid || a.Gid != b.Gid {
		return false
	}
	if !withTime {
		return true
	}
	return a.Mtim.Sec == b.Mtim.Sec && (a.Mtim.Nsec == b.Mtim.Nsec || a.Mtim.Nsec == 0 || b.Mtim.Nsec == 0)
}

// mountKind says how Diff treats a path that the runtime mounts over.
type mountKind int

const (
	notMount  mountKind = iota
	mountTree           // left out with all it holds
	mountFile           // left out when it is an empty file the runtime created
)

// mountPoint says whether p is one of the mount points that the runtime
// makes in every container (see defaultMounts and etcMounts). Docker makes
// them in an init layer between the image and the container's layer, so
// `docker diff` never shows them; here the runtime makes them in the
// container's layer when the image lacks them: /dev, /proc and /sys (what
// the container wrote there went to its own mounts, never to the layer),
// and the empty files that /etc/hosts, /etc/hostname and /etc/resolv.conf
// are bind-mounted on. Their directory (/etc) then counts as the image's.
func mountPoint(p string) mountKind {
	switch p {
	case "/dev", "/proc", "/sys":
		return mountTree
	case "/etc/hosts", "/etc/hostname", "/etc/resolv.conf":
		return mountFile
	}
	return notMount
}
