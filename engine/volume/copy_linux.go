package volume

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// Populate fills volume name, if it is empty, with what the image whose
// layers are given (top first, overlay's lowerdir order) has at path, as
// Docker does the first time a volume is mounted over image content:
// files, directories, symlinks and device nodes with their owners, modes,
// times and extended attributes; hard links stay linked. The volume's own
// directory takes the owner and mode of the image's directory. Nothing is
// copied when the image has no directory at path.
//
// The image is seen through a detached read-only overlay mount (never
// attached to the mount tree, gone when its descriptor closes), and path is
// resolved inside it with openat2(RESOLVE_IN_ROOT): an image's symlink
// resolves as it would inside the container and can never lead out of the
// image. Below that every name is opened relative to an open directory
// without following symlinks, in the image and in the volume alike, so the
// copy neither reads nor writes outside the two.
func (s *Service) Populate(name string, layers []string, path string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	// Two containers made at once over one new volume: the first fills it,
	// the second finds it filled. The lock is on <name>/, not _data/, which
	// containers can reach.
	lock, err := unix.Open(filepath.Dir(s.Path(name)), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("volume %s: %w", name, err)
	}
	defer unix.Close(lock)
	if err := unix.Flock(lock, unix.LOCK_EX); err != nil {
		return fmt.Errorf("volume %s: lock: %w", name, err)
	}
	dst, err := unix.Openat(lock, "_data", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("volume %s: %w", name, err)
	}
	defer unix.Close(dst)
	if empty, err := emptyDir(dst); err != nil || !empty {
		return err
	}
	root, err := openImage(layers)
	if err != nil {
		return err
	}
	defer unix.Close(root)
	src, err := unix.Openat2(root, strings.TrimPrefix(path, "/"), &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	})
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil // nothing there, or not a directory: Docker copies nothing either
	}
	if err != nil {
		return fmt.Errorf("volume %s: open %s in the image: %w", name, path, err)
	}
	defer unix.Close(src)
	c := &copier{links: map[[2]uint64]int{}}
	defer c.close()
	if err := c.dir(src, dst); err != nil {
		return errdefs.FromIO(fmt.Errorf("volume %s: copy %s from the image: %w", name, path, err), "volume "+name)
	}
	var st unix.Stat_t
	if err := unix.Fstat(src, &st); err != nil {
		return err
	}
	return c.attrs(src, dst, &st)
}

// openImage is a directory descriptor of the merged view of layers: the
// layer itself when there is one, else a detached read-only overlay mount.
func openImage(layers []string) (int, error) {
	switch len(layers) {
	case 0:
		return -1, errdefs.InvalidArgument("image has no layers")
	case 1:
		fd, err := unix.Open(layers[0], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, fmt.Errorf("open image layer: %w", err)
		}
		return fd, nil
	}
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("image view: fsopen overlay: %w", err)
	}
	defer unix.Close(fsfd)
	// One layer per lowerdir+ (Linux 6.8): fsconfig takes strings of at
	// most 256 bytes, which a joined lowerdir list soon passes; older
	// kernels get the joined list when it fits.
	for _, l := range layers {
		if err = unix.FsconfigSetString(fsfd, "lowerdir+", l); err != nil {
			break
		}
	}
	if joined := strings.Join(layers, ":"); err != nil && len(joined) < 256 {
		err = unix.FsconfigSetString(fsfd, "lowerdir", joined)
	}
	if err != nil {
		return -1, fmt.Errorf("image view: overlay lower directories: %w%s", err, fsLog(fsfd))
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, fmt.Errorf("image view: create overlay: %w%s", err, fsLog(fsfd))
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOSUID)
	if err != nil {
		return -1, fmt.Errorf("image view: fsmount overlay: %w", err)
	}
	return mfd, nil
}

// fsLog is what the kernel said about a failed fsconfig (the messages
// queued on the file system context), as ": message; message".
func fsLog(fsfd int) string {
	var out []string
	buf := make([]byte, 1024)
	for range 8 {
		n, err := unix.Read(fsfd, buf)
		if err != nil || n <= 0 {
			break
		}
		out = append(out, strings.TrimSpace(string(buf[:n])))
	}
	if len(out) == 0 {
		return ""
	}
	return " (" + strings.Join(out, "; ") + ")"
}

// emptyDir reports whether the directory open as fd has no entries.
func emptyDir(fd int) (bool, error) {
	names, err := readNames(fd)
	return len(names) == 0, err
}

// readNames lists the directory open as fd through a descriptor of its own.
func readNames(fd int) ([]string, error) {
	d, err := unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(d), ".")
	defer f.Close()
	return f.Readdirnames(-1)
}

// copier copies one tree. links maps a source inode with several links to
// a descriptor (O_PATH) of its first copy, to link the others to.
type copier struct {
	links map[[2]uint64]int
}

func (c *copier) close() {
	for _, fd := range c.links {
		unix.Close(fd)
	}
}

// dir copies the entries of directory src into directory dst.
func (c *copier) dir(src, dst int) error {
	names, err := readNames(src)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := c.entry(src, dst, n); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return nil
}

const nofollow = unix.O_NOFOLLOW | unix.O_CLOEXEC

func (c *copier) entry(src, dst int, name string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(src, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if err := unix.Mkdirat(dst, name, 0o700); err != nil {
			return err
		}
		s, err := unix.Openat(src, name, unix.O_RDONLY|unix.O_DIRECTORY|nofollow, 0)
		if err != nil {
			return err
		}
		defer unix.Close(s)
		d, err := unix.Openat(dst, name, unix.O_RDONLY|unix.O_DIRECTORY|nofollow, 0)
		if err != nil {
			return err
		}
		defer unix.Close(d)
		if err := c.dir(s, d); err != nil {
			return err
		}
		return c.attrs(s, d, &st)
	case unix.S_IFREG:
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := c.links[key]; ok {
			return unix.Linkat(first, "", dst, name, unix.AT_EMPTY_PATH)
		}
		s, err := unix.Openat(src, name, unix.O_RDONLY|nofollow, 0)
		if err != nil {
			return err
		}
		sf := os.NewFile(uintptr(s), name)
		defer sf.Close()
		d, err := unix.Openat(dst, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|nofollow, 0o600)
		if err != nil {
			return err
		}
		df := os.NewFile(uintptr(d), name)
		defer df.Close()
		if _, err := df.ReadFrom(sf); err != nil {
			return err
		}
		if err := c.attrs(s, d, &st); err != nil {
			return err
		}
		if st.Nlink > 1 {
			if p, err := unix.Openat(dst, name, unix.O_PATH|nofollow, 0); err == nil {
				c.links[key] = p
			}
		}
		return nil
	case unix.S_IFLNK:
		target, err := readlinkat(src, name)
		if err != nil {
			return err
		}
		if err := unix.Symlinkat(target, dst, name); err != nil {
			return err
		}
		if err := unix.Fchownat(dst, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
		return unix.UtimesNanoAt(dst, name, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
	case unix.S_IFCHR, unix.S_IFBLK, unix.S_IFIFO:
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
			return nil // an overlay whiteout in a lone layer: nothing
		}
		if err := unix.Mknodat(dst, name, st.Mode&^0o7777|0o600, int(st.Rdev)); err != nil {
			return err
		}
		d, err := unix.Openat(dst, name, unix.O_PATH|nofollow, 0)
		if err != nil {
			return err
		}
		defer unix.Close(d)
		if err := unix.Fchownat(d, "", int(st.Uid), int(st.Gid), unix.AT_EMPTY_PATH); err != nil {
			return err
		}
		if err := unix.Fchmodat(dst, name, st.Mode&0o7777, 0); err != nil {
			return err
		}
		return unix.UtimesNanoAt(dst, name, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
	}
	return nil // sockets are not copied
}

// attrs gives the copy open as dst the owner, mode, extended attributes
// and times of the source open as src (st). The owner goes first: chown
// clears setuid and setgid bits.
func (c *copier) attrs(src, dst int, st *unix.Stat_t) error {
	if err := unix.Fchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if err := copyXattrs(src, dst); err != nil {
		return err
	}
	if err := unix.Fchmod(dst, st.Mode&0o7777); err != nil {
		return err
	}
	return unix.UtimesNanoAt(dst, "", []unix.Timespec{st.Atim, st.Mtim}, unix.AT_EMPTY_PATH)
}

// copyXattrs copies the extended attributes of one open file to another,
// leaving out overlayfs's own.
func copyXattrs(src, dst int) error {
	buf := make([]byte, 4096)
	n, err := unix.Flistxattr(src, buf)
	if errors.Is(err, unix.ENOTSUP) || n == 0 {
		return nil
	}
	if errors.Is(err, unix.ERANGE) {
		if n, err = unix.Flistxattr(src, nil); err == nil {
			buf = make([]byte, n)
			n, err = unix.Flistxattr(src, buf)
		}
	}
	if err != nil {
		return err
	}
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if name == "" || strings.HasPrefix(name, "trusted.overlay.") {
			continue
		}
		sz, err := unix.Fgetxattr(src, name, nil)
		if err != nil {
			continue
		}
		val := make([]byte, sz)
		if sz, err = unix.Fgetxattr(src, name, val); err != nil {
			continue
		}
		if err := unix.Fsetxattr(dst, name, val[:sz], 0); err != nil && !errors.Is(err, unix.ENOTSUP) {
			return fmt.Errorf("xattr %s: %w", name, err)
		}
	}
	return nil
}

func readlinkat(dir int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dir, name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
