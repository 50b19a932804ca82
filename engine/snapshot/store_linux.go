package snapshot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// Pending is a snapshot being written: a temporary directory that becomes
// the snapshot on Commit, or disappears on Abort. It holds an exclusive
// flock on its directory for its whole life, so Cleanup, in this process or
// another, leaves it alone. A Pending is used by one goroutine.
type Pending struct {
	store     *Store
	diffID    string
	hex       string
	tmp       string   // <dir>/.tmp-<random>
	dir       *os.File // tmp, open and flocked
	failed    error    // why an Apply failed
	committed bool
	aborted   bool
}

// Unpack applies the uncompressed layer tar stream r to a new snapshot
// diffID and commits it; it returns the unpacked size (the sum of the sizes
// of the regular files). Unpack reads r up to the tar's end-of-archive
// marker, not to EOF: draining the rest (and verifying digests) is the
// caller's job. If the snapshot already exists when Unpack ends (another
// process won the race), the new copy is discarded and Unpack succeeds. On
// any error, or cancellation of ctx, nothing of the new snapshot is left.
// Callers that can skip the work check Exists first.
func (s *Store) Unpack(ctx context.Context, diffID string, r io.Reader) (int64, error) {
	p, err := s.Begin(diffID)
	if err != nil {
		return 0, err
	}
	size, err := p.Apply(ctx, r)
	if err == nil {
		err = p.Commit()
	}
	if err != nil {
		p.Abort()
		return 0, err
	}
	return size, nil
}

// Begin starts writing the snapshot diffID in a fresh locked temporary
// directory. Follow with Apply, then Commit or Abort; Abort also after a
// Commit is harmless, so `defer p.Abort()` is the usual pattern.
func (s *Store) Begin(diffID string) (*Pending, error) {
	hex, err := hexOf(diffID)
	if err != nil {
		return nil, err
	}
	tmp, dir, err := s.newTemp()
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", diffID, err)
	}
	p := &Pending{store: s, diffID: diffID, hex: hex, tmp: tmp, dir: dir}
	fd := int(dir.Fd())
	err = unix.Mkdirat(fd, fsDir, 0o755)
	if err == nil {
		err = unix.Fchmodat(fd, fsDir, 0o755, 0) // whatever the umask
	}
	if err != nil {
		p.Abort()
		return nil, fmt.Errorf("snapshot %s: %w", diffID, err)
	}
	return p, nil
}

// Apply writes the uncompressed layer tar stream r into the pending
// snapshot and returns the bytes of regular files written. It reads r up to
// the end-of-archive marker and no further, and checks ctx between entries
// and while copying. After an error the Pending can only be aborted.
//
// Every path is resolved inside the snapshot, as if its root were "/":
//   - entry names are cleaned; absolute names count from the root, like in
//     Docker ("/etc/x" is etc/x); a relative name that still climbs out
//     ("../x", "a/../../x") is an errdefs.InvalidArgument error;
//   - symlinks are data: their targets are stored as given, but a later
//     entry written through one (link/x where link -> /etc or ../..) is
//     resolved with the root as "/", so it lands inside the snapshot
//     (directories missing on the way are made there, 0755);
//   - the last component of a name is never followed: an entry replaces
//     what is there, except that a directory entry keeps an existing
//     directory (and its contents) and gives it its owner, mode and times;
//   - a hard link's target must be an existing non-directory of this layer,
//     resolved inside it; anything else is an InvalidArgument error;
//   - whiteouts .wh.<name> become character devices 0/0 and .wh..wh..opq
//     sets trusted.overlay.opaque=y on its directory; other .wh..wh. names
//     (aufs bookkeeping) are skipped.
//
// Owner, mode (with setuid, setgid, sticky), access and modification times
// and xattrs (PAX records SCHILY.xattr.<name>) are applied; directory times
// are set after the last entry, and a hard link takes nothing from its own
// header (its inode has the target's). Xattrs trusted.overlay.* and
// user.overlay.* are dropped, so a layer cannot steer overlayfs (redirects,
// metacopy; opaque directories come only from .wh..wh..opq); an xattr the
// kernel or filesystem refuses with EOPNOTSUPP or EPERM (no xattr support,
// user.* on a symlink, an LSM guarding security.*) is skipped.
//
// Regular files, directories, symlinks, hard links, character and block
// devices and fifos are supported; GNU sparse files are written out in
// full, contiguous files ('7') are regular files and PAX global headers are
// ignored. Any other entry type is an InvalidArgument error: skipping it
// would build a different tree than the layer's.
func (p *Pending) Apply(ctx context.Context, r io.Reader) (int64, error) {
	if p.committed || p.aborted || p.failed != nil {
		return 0, errdefs.Conflict("snapshot %s: apply after commit, abort or a failed apply", p.diffID)
	}
	fd, err := unix.Openat(int(p.dir.Fd()), fsDir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		p.failed = err
		return 0, fmt.Errorf("snapshot %s: %w", p.diffID, err)
	}
	root := os.NewFile(uintptr(fd), filepath.Join(p.tmp, fsDir))
	defer root.Close()
	size, err := applyTar(ctx, root, loc{dirfd: int(p.dir.Fd()), base: fsDir}, r, p.store.pathrsOnly)
	if err != nil {
		p.failed = err
		return 0, err
	}
	return size, nil
}

// Commit makes the snapshot visible: it syncs the filesystem once (rather
// than each file), renames the temporary directory into place and syncs the
// store directory. If the snapshot appeared meanwhile (another writer won),
// the copy is discarded and Commit succeeds. Committing twice is fine.
func (p *Pending) Commit() error {
	switch {
	case p.committed:
		return nil
	case p.aborted:
		return errdefs.Conflict("snapshot %s: commit after abort", p.diffID)
	case p.failed != nil:
		return errdefs.Conflict("snapshot %s: commit after a failed apply: %v", p.diffID, p.failed)
	}
	if err := unix.Syncfs(int(p.dir.Fd())); err != nil {
		return fmt.Errorf("snapshot %s: sync: %w", p.diffID, err)
	}
	final := filepath.Join(p.store.dir, p.hex)
	err := renameNoReplace(p.tmp, final)
	if errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY) {
		// Another writer won; an unremoved copy is Cleanup's once unlocked.
		_ = os.RemoveAll(p.tmp)
		err = nil
	} else if err == nil {
		err = syncDir(p.store.dir)
	}
	if err != nil {
		return fmt.Errorf("snapshot %s: commit: %w", p.diffID, err)
	}
	p.committed = true
	_ = p.dir.Close() // releases the lock
	return nil
}

// Abort removes the temporary directory. It does nothing after Commit or a
// previous Abort.
func (p *Pending) Abort() {
	if p.committed || p.aborted {
		return
	}
	p.aborted = true
	_ = os.RemoveAll(p.tmp) // under the lock; a leftover is Cleanup's
	_ = p.dir.Close()
}

// Remove deletes the snapshot diffID. It first renames it to a .tmp-del-
// name, so the snapshot disappears at once and a crash leaves only
// something Cleanup removes. Removing a missing snapshot is not an error.
func (s *Store) Remove(diffID string) error {
	hex, err := hexOf(diffID)
	if err != nil {
		return err
	}
	del := filepath.Join(s.dir, delPrefix+rand.Text())
	if err := os.Rename(filepath.Join(s.dir, hex), del); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("remove snapshot %s: %w", diffID, err)
	}
	if err := removeLocked(del); err != nil {
		return fmt.Errorf("remove snapshot %s: %w", diffID, err)
	}
	return nil
}

// Cleanup removes the .tmp-* directories that no live process holds: the
// leftovers of interrupted unpacks and removals. Snapshots being written or
// removed right now, by this process or another, are left alone.
func (s *Store) Cleanup() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := removeLocked(filepath.Join(s.dir, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// newTemp creates a .tmp-<random> directory and locks it. Between mkdir
// and flock, Cleanup elsewhere may take the new directory for a leftover
// and lock or remove it; then we try another name.
func (s *Store) newTemp() (string, *os.File, error) {
	for range 8 {
		tmp := filepath.Join(s.dir, tmpPrefix+rand.Text())
		if err := os.Mkdir(tmp, 0o700); err != nil {
			return "", nil, err
		}
		f, err := lockDir(tmp)
		if err != nil {
			return "", nil, err
		}
		if f != nil {
			return tmp, f, nil
		}
	}
	return "", nil, errdefs.Conflict("cannot lock a temporary directory in %s", s.dir)
}

// removeLocked removes the temporary directory path if it can lock it; if
// another holder has the lock, that holder is writing or removing it.
func removeLocked(path string) error {
	f, err := lockDir(path)
	if err != nil || f == nil {
		return err
	}
	defer f.Close()
	return os.RemoveAll(path)
}

// lockDir opens the directory path and takes an exclusive flock on it
// without waiting. It returns nil, nil if someone else holds the lock or if
// path no longer names the directory that was locked (it was removed or
// renamed in between). Closing the file releases the lock.
func lockDir(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, nil
	}
	if err != nil {
		f.Close()
		return nil, &os.PathError{Op: "flock", Path: path, Err: err}
	}
	var held, named unix.Stat_t
	if err := unix.Fstat(fd, &held); err != nil {
		f.Close()
		return nil, err
	}
	err = unix.Lstat(path, &named)
	if errors.Is(err, unix.ENOENT) || (err == nil && (held.Dev != named.Dev || held.Ino != named.Ino)) {
		f.Close()
		return nil, nil
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// renameNoReplace renames oldpath to newpath, failing with EEXIST (or
// ENOTEMPTY) if newpath exists.
func renameNoReplace(oldpath, newpath string) error {
	err := unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		// No RENAME_NOREPLACE here. Renaming a directory onto a non-empty
		// one fails with ENOTEMPTY, and snapshots are never empty.
		err = unix.Rename(oldpath, newpath)
	}
	return err
}

// syncDir fsyncs the directory dir, making renames in it durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
