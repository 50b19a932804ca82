package monitor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"
)

// ResolveUser reads a user spec ("", "uid", "uid:gid", "name", "name:group",
// "uid:group", "name:gid") the way Docker and runc do, against /etc/passwd
// and /etc/group inside rootfs (opened without ever leaving rootfs, however
// their paths or links are made). "" is 0:0 with root's groups; a numeric
// uid needs no passwd entry (its gid is then 0 unless given); a name that
// is not there is an error like "unable to find user bob: no matching
// entries in passwd file". home is the user's home directory ("/" if none).
//
// groups are the supplementary groups, as Docker (since 20.10.18) gives
// them: the primary gid first, then the groups of /etc/group that list the
// user's name (only when the spec names no group), then groupAdd
// (--group-add: names of /etc/group or numeric gids); each gid once.
func ResolveUser(rootfs, spec string, groupAdd ...string) (uid, gid int, groups []int, home string, err error) {
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
	groups = appendGroups(nil, u.Gid)
	groups = appendGroups(groups, u.Sgids...)
	if len(groupAdd) > 0 {
		add, err := resolveGroups(rootfs, groupAdd)
		if err != nil {
			return 0, 0, nil, "", err
		}
		groups = appendGroups(groups, add...)
	}
	return u.Uid, u.Gid, groups, u.Home, nil
}

// appendGroups appends the gids that groups lacks, in order.
func appendGroups(groups []int, gids ...int) []int {
	for _, g := range gids {
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	return groups
}

// resolveGroups turns --group-add values into gids: a name or gid of the
// container's /etc/group (first match), else a number taken as it is.
func resolveGroups(rootfs string, names []string) ([]int, error) {
	var entries []user.Group
	if group, closeGroup := openInRoot(rootfs, "/etc/group"); group != nil {
		var err error
		entries, err = user.ParseGroup(group)
		closeGroup()
		if err != nil {
			return nil, fmt.Errorf("read the container's /etc/group: %w", err)
		}
	}
	var out []int
	for _, name := range names {
		i := slices.IndexFunc(entries, func(g user.Group) bool { return g.Name == name || strconv.Itoa(g.Gid) == name })
		if i >= 0 {
			out = append(out, entries[i].Gid)
			continue
		}
		gid, err := strconv.ParseUint(name, 10, 31)
		if err != nil {
			return nil, fmt.Errorf("unable to find group %s of --group-add: no matching entries in the container's /etc/group: use a group named there or a numeric gid", name)
		}
		out = append(out, int(gid))
	}
	return out, nil
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

// makeWorkdir creates the working directory inside rootfs if it is missing:
// its missing parents owned by root with mode 0755, itself owned by the
// user (uid, gid), so the user can write where it starts. Podman does the
// same; Docker leaves the directory root's (README, Differences from Docker).
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
