package snapshot

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

const (
	paxXattrPrefix = "SCHILY.xattr."
	opaqueXattr    = "trusted.overlay.opaque"
	copyBufSize    = 1 << 20
	writebackChunk = 8 << 20
)

// copyBufs holds the 1 MiB buffers that file contents are copied through.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// haveOpenat2 reports whether openat2(2) works here (Linux 5.6 and later,
// and not refused by a seccomp filter).
var haveOpenat2 = sync.OnceValue(func() bool {
	fd, err := unix.Openat2(unix.AT_FDCWD, "/", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC})
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
})

// loc names an entry by its last component inside an open parent directory,
// so the last component is never followed as a symlink.
type loc struct {
	dirfd int
	base  string
	owned bool // dirfd is closed by close
}

func (l loc) close() {
	if l.owned && l.dirfd >= 0 {
		unix.Close(l.dirfd)
	}
}

// procPath names the entry for the path-only system calls (xattrs, RemoveAll).
func (l loc) procPath() string {
	return fmt.Sprintf("/proc/self/fd/%d/%s", l.dirfd, l.base)
}

// dirTimes are the times of a directory entry, set once the whole tar is
// written, since creating entries in a directory changes its mtime.
type dirTimes struct {
	name string
	ts   [2]unix.Timespec
}

// applier writes one tar stream into a layer root. It is used by one
// goroutine.
type applier struct {
	ctx     context.Context
	root    *os.File // the layer root directory
	rootFd  int      // root.Fd()
	rootLoc loc      // the layer root as a name in its parent directory
	buf     []byte
	pathrs  bool  // resolve with pathrs-lite, not openat2
	size    int64 // bytes of regular files written
	dirs    []dirTimes
}

// applyTar writes the tar stream r into the layer root, whose name in its
// parent directory is rootLoc, and returns the bytes of regular files
// written (hard links not counted again).
func applyTar(ctx context.Context, root *os.File, rootLoc loc, r io.Reader, pathrs bool) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	a := &applier{ctx: ctx, root: root, rootFd: int(root.Fd()), rootLoc: rootLoc, buf: *bp, pathrs: pathrs}
	err := a.apply(r)
	return a.size, err
}

// apply reads the tar stream up to its end-of-archive marker (or, for a
// stream without one, up to EOF at an entry boundary) and writes every entry.
// It reads nothing past the marker.
func (a *applier) apply(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		if err := a.ctx.Err(); err != nil {
			return canceled(err)
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		// With GODEBUG=tarinsecurepath=0 archive/tar flags names like "../x"
		// but still returns the header; cleanName judges them itself.
		if err != nil && (hdr == nil || !errors.Is(err, tar.ErrInsecurePath)) {
			return readError(err)
		}
		if err := a.entry(hdr, tr); err != nil {
			return entryError(hdr.Name, err)
		}
	}
	return a.setDirTimes()
}

// entry applies one tar entry; r is its content.
func (a *applier) entry(hdr *tar.Header, r io.Reader) error {
	// archive/tar already turned TypeRegA into TypeReg or TypeDir, and
	// expanded sparse files (they keep TypeGNUSparse or become TypeReg).
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse, tar.TypeCont,
		tar.TypeDir, tar.TypeSymlink, tar.TypeLink, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
	case tar.TypeXGlobalHeader:
		return nil
	default:
		return errdefs.InvalidArgument("layer entry %q: unsupported tar entry type %q", hdr.Name, hdr.Typeflag)
	}
	name, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	kind, target, err := classify(name)
	switch {
	case err != nil:
		return err
	case kind == whiteoutMeta:
		return nil
	case kind == whiteoutFile:
		return a.whiteout(target, hdr)
	case kind == opaqueDir:
		return a.opaque(target)
	}
	if name == "." {
		if hdr.Typeflag != tar.TypeDir {
			return errdefs.InvalidArgument("layer entry %q: only a directory can stand for the layer root", hdr.Name)
		}
		return a.attrs(a.rootLoc, hdr, name)
	}
	return a.node(name, hdr, r)
}

// place opens (creating it if needed) the parent directory of the clean
// name, inside the root, and names the last component in it.
func (a *applier) place(name string) (loc, error) {
	dir, base := splitName(name)
	pfd, err := a.mkdirAll(dir)
	if err != nil {
		return loc{}, err
	}
	return loc{dirfd: pfd, base: base, owned: true}, nil
}

// node creates the file, directory, link or device of a named entry.
func (a *applier) node(name string, hdr *tar.Header, r io.Reader) error {
	l, err := a.place(name)
	if err != nil {
		return err
	}
	defer l.close()
	switch hdr.Typeflag {
	case tar.TypeLink:
		// The inode already has the metadata of the entry it came from.
		return a.hardlink(l, hdr)
	case tar.TypeDir:
		err = a.mkdir(l)
	case tar.TypeSymlink:
		err = a.replace(l, func() error { return unix.Symlinkat(hdr.Linkname, l.dirfd, l.base) })
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		err = a.replace(l, func() error { return unix.Mknodat(l.dirfd, l.base, nodeMode(hdr), nodeDev(hdr)) })
	default:
		err = a.writeFile(l, r)
	}
	if err != nil {
		return err
	}
	return a.attrs(l, hdr, name)
}

// nodeMode is the file type and initial permission for mknod.
func nodeMode(hdr *tar.Header) uint32 {
	switch hdr.Typeflag {
	case tar.TypeChar:
		return unix.S_IFCHR | 0o600
	case tar.TypeBlock:
		return unix.S_IFBLK | 0o600
	}
	return unix.S_IFIFO | 0o600
}

func nodeDev(hdr *tar.Header) int {
	if hdr.Typeflag == tar.TypeFifo {
		return 0
	}
	return int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
}

// replace runs create; if the name is taken, it removes what is there and
// runs create once more.
func (a *applier) replace(l loc, create func() error) error {
	err := create()
	if !errors.Is(err, unix.EEXIST) {
		return err
	}
	if err := a.clear(l); err != nil {
		return err
	}
	return create()
}

// clear removes whatever is at l: a directory with all it holds, anything
// else by unlink (a symlink itself, never its target).
func (a *applier) clear(l loc) error {
	var st unix.Stat_t
	err := unix.Fstatat(l.dirfd, l.base, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case errors.Is(err, unix.ENOENT):
		return nil
	case err != nil:
		return err
	case st.Mode&unix.S_IFMT != unix.S_IFDIR:
		return unix.Unlinkat(l.dirfd, l.base, 0)
	}
	// RemoveAll opens the parent through the magic link of our fd and
	// works down from there with *at calls that do not follow symlinks.
	return os.RemoveAll(l.procPath())
}

// mkdir makes a directory at l; an existing directory stays as it is (its
// contents too), anything else there is replaced.
func (a *applier) mkdir(l loc) error {
	err := unix.Mkdirat(l.dirfd, l.base, 0o700)
	if !errors.Is(err, unix.EEXIST) {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(l.dirfd, l.base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return nil
	}
	if err := a.clear(l); err != nil {
		return err
	}
	return unix.Mkdirat(l.dirfd, l.base, 0o700)
}

// writeFile creates a regular file at l with the content r.
func (a *applier) writeFile(l loc, r io.Reader) error {
	var fd int
	err := a.replace(l, func() (err error) {
		fd, err = unix.Openat(l.dirfd, l.base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		return err
	})
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), l.base)
	n, err := a.copy(f, r)
	a.size += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// copy writes r to f through the applier's buffer, filling the buffer
// before each write and checking the context between writes. In a big file
// it starts the writeback of each chunk written (sync_file_range, without
// waiting), so that disk writes overlap the copy and the syncfs of Commit
// finds less left to do.
func (a *applier) copy(f *os.File, r io.Reader) (int64, error) {
	var n, started int64
	for {
		if err := a.ctx.Err(); err != nil {
			return n, canceled(err)
		}
		m, rerr := fill(r, a.buf)
		if m > 0 {
			if _, err := f.Write(a.buf[:m]); err != nil {
				return n, err
			}
			n += int64(m)
		}
		if n-started >= writebackChunk || (rerr == io.EOF && started > 0) {
			_ = unix.SyncFileRange(int(f.Fd()), started, n-started, unix.SYNC_FILE_RANGE_WRITE)
			started = n
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, readError(rerr)
		}
	}
}

// fill reads into buf until it is full or r fails; unlike io.ReadFull it
// passes r's error through unchanged (io.EOF at the end of the entry).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// hardlink links l to the entry's Linkname, which must already exist in
// this layer and not be a directory. The link is made to the target name
// itself: a symlink target is linked, not followed.
func (a *applier) hardlink(l loc, hdr *tar.Header) error {
	target, err := cleanName(hdr.Linkname)
	if err != nil {
		return errdefs.InvalidArgument("layer entry %q: hard link target %q escapes the layer", hdr.Name, hdr.Linkname)
	}
	missing := errdefs.InvalidArgument("layer entry %q: hard link target %q does not exist in the layer", hdr.Name, hdr.Linkname)
	t, err := a.locate(target)
	defer t.close()
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return missing
	}
	if err != nil {
		return err
	}
	var st unix.Stat_t
	err = unix.Fstatat(t.dirfd, t.base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return missing
	}
	if err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return errdefs.InvalidArgument("layer entry %q: hard link target %q is a directory", hdr.Name, hdr.Linkname)
	}
	var cur unix.Stat_t
	if unix.Fstatat(l.dirfd, l.base, &cur, unix.AT_SYMLINK_NOFOLLOW) == nil && cur.Dev == st.Dev && cur.Ino == st.Ino {
		return nil // already that very file
	}
	return a.replace(l, func() error { return unix.Linkat(t.dirfd, t.base, l.dirfd, l.base, 0) })
}

// whiteout marks the clean name as deleted the overlayfs way: a character
// device 0/0 in place of whatever this layer has there.
func (a *applier) whiteout(name string, hdr *tar.Header) error {
	l, err := a.place(name)
	if err != nil {
		return err
	}
	defer l.close()
	if err := a.clear(l); err != nil {
		return err
	}
	if err := unix.Mknodat(l.dirfd, l.base, unix.S_IFCHR, 0); err != nil {
		return err
	}
	return unix.Fchownat(l.dirfd, l.base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW)
}

// opaque marks the clean directory name opaque for overlayfs, creating it
// if this layer has not yet.
func (a *applier) opaque(dir string) error {
	fd, err := a.mkdirAll(dir)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Setxattr(fmt.Sprintf("/proc/self/fd/%d", fd), opaqueXattr, []byte("y"), 0)
}

// attrs applies owner, mode, xattrs and times of hdr to the entry at l. The
// order matters: chown clears setuid bits, and writing the file or
// chown would clear security.capability, so xattrs come after both.
// Directory times wait for setDirTimes.
func (a *applier) attrs(l loc, hdr *tar.Header, name string) error {
	if err := unix.Fchownat(l.dirfd, l.base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeSymlink {
		// Not a symlink (we just made it), so following is safe.
		if err := unix.Fchmodat(l.dirfd, l.base, uint32(hdr.Mode)&0o7777, 0); err != nil {
			return err
		}
	}
	if err := setXattrs(l, hdr); err != nil {
		return err
	}
	ts := entryTimes(hdr)
	if hdr.Typeflag == tar.TypeDir {
		a.dirs = append(a.dirs, dirTimes{name: name, ts: ts})
		return nil
	}
	return unix.UtimesNanoAt(l.dirfd, l.base, ts[:], unix.AT_SYMLINK_NOFOLLOW)
}

// entryTimes are the access and modification times of hdr; a header
// without an access time gets its modification time for both.
func entryTimes(hdr *tar.Header) [2]unix.Timespec {
	at := hdr.AccessTime
	if at.IsZero() {
		at = hdr.ModTime
	}
	// Out of range (only possible on 32-bit systems): the epoch.
	ats, _ := unix.TimeToTimespec(at)
	mts, _ := unix.TimeToTimespec(hdr.ModTime)
	return [2]unix.Timespec{ats, mts}
}

// setXattrs sets the extended attributes of the PAX records
// SCHILY.xattr.<name>. Overlay attributes (trusted.overlay.*, and
// user.overlay.* that overlayfs uses with userxattr) are dropped: a layer
// must not steer overlayfs (redirects, metacopy, opaque); whiteouts and
// opaque directories come only from .wh. names. An attribute the kernel or
// filesystem refuses (EOPNOTSUPP, EPERM: no xattr support, user.* on a
// symlink, an LSM's security.*) is skipped; other errors fail the entry.
func setXattrs(l loc, hdr *tar.Header) error {
	for key, value := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(key, paxXattrPrefix)
		if !ok || strings.HasPrefix(name, "trusted.overlay.") || strings.HasPrefix(name, "user.overlay.") {
			continue
		}
		err := unix.Lsetxattr(l.procPath(), name, []byte(value), 0)
		if err != nil && !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EPERM) {
			return fmt.Errorf("set xattr %s: %w", name, err)
		}
	}
	return nil
}

// setDirTimes sets the times of the directory entries, in tar order so a
// later entry for the same directory wins. A directory that a later entry
// removed or replaced by a non-directory is skipped.
func (a *applier) setDirTimes() error {
	for _, d := range a.dirs {
		if err := a.setDirTime(d); err != nil {
			return entryError(d.name, err)
		}
	}
	return nil
}

func (a *applier) setDirTime(d dirTimes) error {
	l, err := a.locate(d.name)
	defer l.close()
	var st unix.Stat_t
	if err == nil {
		err = unix.Fstatat(l.dirfd, l.base, &st, unix.AT_SYMLINK_NOFOLLOW)
	}
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || (err == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR) {
		return nil
	}
	if err != nil {
		return err
	}
	return unix.UtimesNanoAt(l.dirfd, l.base, d.ts[:], unix.AT_SYMLINK_NOFOLLOW)
}

// locate finds the parent directory of the clean name inside the root,
// creating nothing.
func (a *applier) locate(name string) (loc, error) {
	if name == "." {
		return a.rootLoc, nil
	}
	dir, base := splitName(name)
	fd, err := a.openDir(dir)
	return loc{dirfd: fd, base: base, owned: true}, err
}

// mkdirAll opens the clean directory name inside the root, creating the
// missing directories (0755, owned by us) on the way. Symlinks met on the
// way are followed as if the root were "/", dangling ones too: with
// link -> /etc, "link/x" is <root>/etc/x, made if missing.
func (a *applier) mkdirAll(name string) (int, error) {
	fd, err := a.openDir(name)
	if !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	// Expand the symlinks on the way, as SecureJoin does, to learn the
	// real directories to create. The result is still opened with
	// openDir, so even a wrong answer could not leave the root.
	real, err := securejoin.SecureJoin(a.root.Name(), name)
	if err != nil {
		return -1, err
	}
	rel, err := filepath.Rel(a.root.Name(), real)
	if err != nil {
		return -1, err
	}
	return a.mkdirChain(filepath.ToSlash(rel))
}

// mkdirChain opens the clean directory name inside the root, creating it
// and its missing parents first.
func (a *applier) mkdirChain(name string) (int, error) {
	fd, err := a.openDir(name)
	if !errors.Is(err, unix.ENOENT) || name == "." {
		return fd, err
	}
	parent, base := splitName(name)
	pfd, err := a.mkdirChain(parent)
	if err != nil {
		return -1, err
	}
	err = unix.Mkdirat(pfd, base, 0o755)
	if err == nil {
		err = unix.Fchmodat(pfd, base, 0o755, 0) // whatever the umask
	}
	unix.Close(pfd)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, err
	}
	return a.openDir(name)
}

// openDir opens the clean directory name with O_PATH, resolving it as if
// the root were "/": neither "..", absolute symlinks nor relative ones can
// leave the root. It uses openat2(RESOLVE_IN_ROOT), or pathrs-lite where
// the kernel lacks openat2.
func (a *applier) openDir(name string) (int, error) {
	if a.pathrs || !haveOpenat2() {
		return a.openDirPathrs(name)
	}
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	}
	for try := 0; ; try++ {
		// EAGAIN: a concurrent rename somewhere made the kernel unsure
		// about ".."; it asks to try again.
		fd, err := unix.Openat2(a.rootFd, name, &how)
		if (err != unix.EAGAIN && err != unix.EINTR) || try == 100 {
			return fd, err
		}
	}
}

func (a *applier) openDirPathrs(name string) (int, error) {
	f, err := pathrs.OpenatInRoot(a.root, name)
	if err != nil {
		return -1, err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return -1, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return -1, unix.ENOTDIR
	}
	return unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
}
