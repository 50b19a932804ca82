package layertree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// opaqueXattr marks a directory opaque for overlayfs, as the snapshot
// store writes it.
const opaqueXattr = "trusted.overlay.opaque"

// ReadDir reads the entries of an unpacked layer directory (a snapshot's
// fs/), parents before children. A character device 0/0 is a whiteout and a
// directory with trusted.overlay.opaque=y is opaque, as overlayfs reads
// them. A file with several names in the layer is counted (Size) at the
// first name only. It opens every directory by a descriptor relative to its
// parent, without following symbolic links, and stats each name once: its
// cost grows with the number of entries, not with their bytes.
func ReadDir(dir string) ([]Entry, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, dirError(dir, err)
	}
	w := &dirWalker{seen: map[uint64]bool{}}
	if err := w.walk(fd, ""); err != nil {
		return nil, dirError(dir, err)
	}
	return w.out, nil
}

func dirError(dir string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errdefs.NotFound("layer directory %s is missing: pull the image again", dir)
	}
	return errdefs.FromIO(fmt.Errorf("cannot read layer directory %s: %w", dir, err), dir)
}

type dirWalker struct {
	out  []Entry
	seen map[uint64]bool // inodes of files with several names, counted once
	buf  [256]byte       // for readlink and the opaque xattr
}

// walk reads the directory open at fd (closing it), at prefix.
func (w *dirWalker) walk(fd int, prefix string) error {
	f := os.NewFile(uintptr(fd), prefix)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, name := range names {
		var st unix.Stat_t
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
		p := name
		if prefix != "" {
			p = prefix + "/" + name
		}
		e := Entry{Path: p, UID: int(st.Uid), GID: int(st.Gid), Mode: fileMode(st.Mode)}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			e.Kind, e.Size = KindFile, st.Size
			if st.Nlink > 1 {
				if w.seen[st.Ino] {
					e.Size = 0
				}
				w.seen[st.Ino] = true
			}
		case unix.S_IFDIR:
			e.Kind = KindDir
			cfd, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err != nil {
				return err
			}
			n, err := unix.Fgetxattr(cfd, opaqueXattr, w.buf[:])
			e.Opaque = err == nil && bytes.Equal(w.buf[:n], []byte("y"))
			w.out = append(w.out, e)
			if err := w.walk(cfd, p); err != nil {
				return err
			}
			continue
		case unix.S_IFLNK:
			e.Kind = KindSymlink
			n, err := unix.Readlinkat(fd, name, w.buf[:])
			if err == nil && n < len(w.buf) {
				e.Link = string(w.buf[:n])
			} else if l, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d/%s", fd, name)); err == nil {
				e.Link = l // longer than the buffer
			}
		case unix.S_IFCHR:
			e.Kind = KindOther
			if st.Rdev == 0 {
				e.Kind = KindWhiteout
			}
		default:
			e.Kind = KindOther
		}
		w.out = append(w.out, e)
	}
	return nil
}

// fileMode converts a stat mode to an fs.FileMode.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}
