package cli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// The files of berth save -o and berth load -i: what can go wrong with the
// path is said before any work starts, in one line that names the path and
// the fix.

// checkOutput says, before anything is written, why the archive cannot be
// written to path. It returns the path to write: an existing symlink is
// resolved, so that the file it points to is replaced, not the link.
func checkOutput(path string) (string, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return "", errdefs.InvalidArgument("cannot write the archive to %s: it is a directory: give a file name, e.g. -o %s",
			path, filepath.Join(path, "image.tar"))
	case errors.Is(err, fs.ErrNotExist) && strings.HasSuffix(path, "/"):
		return "", errdefs.InvalidArgument("cannot write the archive to %s: a name ending in / is a directory: give a file name, e.g. -o %s",
			path, filepath.Join(path, "image.tar"))
	case err == nil && !fi.Mode().IsRegular():
		return "", errdefs.InvalidArgument("cannot write the archive to %s: it is not a regular file (%s): give a file name, or leave out -o and redirect the output",
			path, fileKind(fi.Mode()))
	case err == nil:
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return "", errdefs.InvalidArgument("cannot write the archive to %s: directory %s does not exist: create it first (mkdir -p %s) or give another path",
				path, dir, dir)
		}
	default:
		return "", outputError(path, err)
	}
	if err := unix.Access(filepath.Dir(path), unix.W_OK); err != nil {
		return "", outputError(path, err)
	}
	return path, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a file"
}

// outputError is one line for an error met while creating or writing the
// archive at path: the system's reason without the temp file's name, and
// the fix.
func outputError(path string, err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return errdefs.InvalidArgument("cannot write the archive to %s: %v", path, err)
	}
	what := "cannot write the archive to " + path
	switch errno {
	case syscall.EACCES, syscall.EPERM:
		return errdefs.Wrap(errdefs.ErrPermissionDenied, err, "%s: permission denied: choose a place you can write to, e.g. -o /tmp/image.tar", what)
	case syscall.EROFS:
		return errdefs.Wrap(errdefs.ErrPermissionDenied, err, "%s: the file system is read-only: choose a place you can write to, e.g. -o /tmp/image.tar", what)
	case syscall.ENOSPC, syscall.EDQUOT:
		return errdefs.Wrap(errdefs.ErrResourceExhausted, err, "%s: no space left on its device: free some space or write elsewhere", what)
	case syscall.ENOTDIR:
		return errdefs.Wrap(errdefs.ErrInvalidArgument, err, "%s: a part of the path is not a directory: give a path in an existing directory", what)
	case syscall.ENOENT, syscall.EOPNOTSUPP:
		return errdefs.Wrap(errdefs.ErrInvalidArgument, err, "%s: files cannot be created there (%v): choose another place, e.g. -o /tmp/image.tar", what, errno)
	case syscall.EISDIR:
		return errdefs.Wrap(errdefs.ErrInvalidArgument, err, "%s: it is a directory: give a file name, e.g. -o %s", what, filepath.Join(path, "image.tar"))
	}
	return errdefs.Wrap(errdefs.ErrInvalidArgument, err, "%s: %v", what, errno)
}

// errWriter remembers the first error of the file it writes, so that a full
// disk is told apart from an error of what fills the file.
type errWriter struct {
	f   *os.File
	err error
}

func (w *errWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// writeFileAtomic writes path, mode 0644, through a temp file renamed into
// place only when fill succeeded: a failed or interrupted save leaves no
// half-written tar. The temp file is nameless (O_TMPFILE) until fill is
// done, so even a killed berth leaves nothing behind; on file systems
// without O_TMPFILE it is a hidden named file, removed on every error.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	dir, base := filepath.Dir(path), filepath.Base(path)
	tmp := filepath.Join(dir, "."+base+".tmp-"+rand.Text())
	f, err := os.OpenFile(dir, os.O_WRONLY|unix.O_TMPFILE|unix.O_CLOEXEC, 0o644)
	named := err != nil
	if named {
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return outputError(path, err)
		}
	}
	defer os.Remove(tmp) // after the rename there is nothing to remove
	defer f.Close()
	if err := f.Chmod(0o644); err != nil { // whatever the umask
		return outputError(path, err)
	}
	w := &errWriter{f: f}
	if err := fill(w); err != nil {
		if w.err != nil {
			return outputError(path, w.err)
		}
		return err
	}
	if err := f.Sync(); err != nil {
		return outputError(path, err)
	}
	if !named {
		proc := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
		if err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, tmp, unix.AT_SYMLINK_FOLLOW); err != nil {
			return outputError(path, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return outputError(path, err)
	}
	return nil
}

// openInput opens the archive berth load -i names.
func openInput(path string) (*os.File, error) {
	what := "cannot read the archive " + path
	f, err := os.Open(path)
	var errno syscall.Errno
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		return nil, errdefs.Wrap(errdefs.ErrNotFound, err, "%s: no such file: check the path", what)
	case errors.Is(err, fs.ErrPermission):
		return nil, errdefs.Wrap(errdefs.ErrPermissionDenied, err, "%s: permission denied", what)
	case errors.As(err, &errno):
		return nil, errdefs.Wrap(errdefs.ErrInvalidArgument, err, "%s: %v", what, errno)
	default:
		return nil, errdefs.Wrap(errdefs.ErrInvalidArgument, err, "%s: %v", what, err)
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, errdefs.InvalidArgument("%s: it is a directory: give the tar file, e.g. -i %s", what, filepath.Join(path, "image.tar"))
	}
	return f, nil
}
