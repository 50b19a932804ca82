package monitor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"
)

// ResolveUser reads a user spec ("", "uid", "uid:gid", "name", "name:group",
// "uid:group", "name:gid") the way Docker and runc do, against /etc/passwd
// and /etc/group inside rootfs (opened without ever leaving rootfs, however
// their paths or links are made). "" is 0:0 with root's groups; a numeric
// uid needs no passwd entry; a name that is not there is an error like
// "unable to find user bob: no matching entries in passwd file". groups are
// the supplementary groups, home the user's home directory ("/" if none).
func ResolveUser(rootfs, spec string) (uid, gid int, groups []int, home string, err error) {
	passwd, closePasswd := openInRoot(rootfs, "/etc/passwd")
	defer closePasswd()
	group, closeGroup := openInRoot(rootfs, "/etc/group")
	defer closeGroup()
	u, err := user.GetExecUser(spec, &user.ExecUser{Home: "/"}, passwd, group)
	if err != nil {
		return 0, 0, nil, "", err
	}
	if u.Home == "" {
		u.Home = "/"
	}
	return u.Uid, u.Gid, u.Sgids, u.Home, nil
}

// openInRoot opens a regular file inside root for reading; a file that is
// missing or unreadable gives a nil reader (GetExecUser then uses defaults).
func openInRoot(root, path string) (io.Reader, func()) {
	h, err := pathrs.OpenInRoot(root, path)
	if err != nil {
		return nil, func() {}
	}
	defer h.Close()
	var st unix.Stat_t
	if unix.Fstat(int(h.Fd()), &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, func() {} // not a fifo, device or directory
	}
	f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, func() {}
	}
	return f, func() { f.Close() }
}

// makeWorkdir creates the working directory inside rootfs if it is missing,
// owned by the user, as Docker does.
func makeWorkdir(rootfs, dir string, uid, gid int) error {
	if dir == "" || dir == "/" {
		return nil
	}
	h, err := pathrs.OpenInRoot(rootfs, dir)
	if err == nil {
		h.Close()
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("working directory %s: %w", dir, err)
	}
	root, err := os.Open(rootfs)
	if err != nil {
		return err
	}
	defer root.Close()
	h, err = pathrs.MkdirAllHandle(root, dir, 0o755)
	if err != nil {
		return fmt.Errorf("create working directory %s: %w", dir, err)
	}
	defer h.Close()
	if err := unix.Fchownat(int(h.Fd()), "", uid, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("create working directory %s: %w", dir, err)
	}
	return nil
}
