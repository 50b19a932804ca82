package container

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

var (
	diffT0 = time.Unix(1700000000, 0)
	diffT1 = time.Unix(1700000500, 123)
)

// diffTree builds a directory by hand, as an unpacked layer or a writable
// layer looks on disk, from lines "kind path [arg]":
//
//	d path         directory
//	f path [text]  regular file
//	l path target  symlink
//	w path         whiteout (character device 0/0)
//	o path         opaque directory (trusted.overlay.opaque=y)
//	c path         character device 1/3
//
// "$HOST" in a symlink target stands for host, a directory outside the
// tree. Every entry then gets the times diffT0.
func diffTree(t *testing.T, host string, lines ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, line := range lines {
		kind, rest, _ := strings.Cut(line, " ")
		name, arg, _ := strings.Cut(rest, " ")
		p := filepath.Join(root, name)
		var err error
		switch kind {
		case "d":
			err = os.Mkdir(p, 0o755)
		case "o":
			if err = os.Mkdir(p, 0o755); err == nil {
				err = unix.Setxattr(p, "trusted.overlay.opaque", []byte("y"), 0)
			}
		case "f":
			err = os.WriteFile(p, []byte(arg), 0o644)
		case "l":
			err = os.Symlink(strings.ReplaceAll(arg, "$HOST", host), p)
		case "w":
			err = unix.Mknod(p, unix.S_IFCHR, 0)
		case "c":
			err = unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3)))
		default:
			t.Fatalf("bad tree line %q", line)
		}
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	setTimes(t, root, diffT0)
	return root
}

// setTimes gives every entry under root (root too) the access and
// modification time ts, symlinks themselves included.
func setTimes(t *testing.T, root string, ts time.Time) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return touch(p, ts)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func touch(p string, ts time.Time) error {
	spec := unix.NsecToTimespec(ts.UnixNano())
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{spec, spec}, unix.AT_SYMLINK_NOFOLLOW)
}

func changeLines(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, string(c.Kind)+" "+c.Path)
	}
	return out
}

func TestDiffChanges(t *testing.T) {
	requireRoot(t) // mknod, trusted xattrs, chown
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "secret"), []byte("host"), 0o600); err != nil {
		t.Fatal(err)
	}
	// What the runtime leaves in the writable layer of a container that
	// changed nothing: its mount points, and /etc copied up with a new
	// time because the runtime created files in it.
	runtimeLeft := []string{"d dev", "d proc", "d sys", "d sys/fs", "d etc", "f etc/hosts", "f etc/hostname", "f etc/resolv.conf"}
	etcTouched := func(t *testing.T, upper string) {
		if err := touch(filepath.Join(upper, "etc"), diffT1); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		lowers [][]string // top first
		upper  []string
		tweak  func(t *testing.T, upper string)
		want   []string
	}{
		{
			name:   "untouched container",
			lowers: [][]string{{"d bin", "f bin/sh", "d etc", "f etc/passwd root", "d proc"}},
			upper:  runtimeLeft, tweak: etcTouched,
			want: []string{},
		},
		{
			name:   "untouched container of an image without /etc, /dev, /proc or /sys",
			lowers: [][]string{{"d bin", "f bin/sh"}},
			upper:  runtimeLeft, tweak: etcTouched,
			want: []string{},
		},
		{
			name:   "mount trees are left out with what they hold",
			lowers: [][]string{{"d dev", "c dev/null"}},
			upper:  []string{"d dev", "d dev/shm", "c dev/zero", "w dev/null", "d proc", "f proc/x", "d sys"},
			want:   []string{},
		},
		{
			name:   "a file added to the runtime's /etc",
			lowers: [][]string{{"d bin"}},
			upper:  append(slices.Clone(runtimeLeft), "f etc/motd hi"),
			want:   []string{"C /etc", "A /etc/motd"},
		},
		{
			name:   "a mount point file with content is not the runtime's",
			lowers: [][]string{{"d etc"}},
			upper:  []string{"d etc", "f etc/hosts 10.0.0.1 db", "f etc/hostname"},
			want:   []string{"C /etc", "A /etc/hosts"},
		},
		{
			name:   "added, changed, deleted",
			lowers: [][]string{{"d bin", "f bin/ls", "f bin/sh", "d etc", "f etc/passwd root"}},
			upper:  []string{"f new x", "d etc", "f etc/passwd root+", "d bin", "w bin/ls", "w bin/never"},
			want:   []string{"C /bin", "D /bin/ls", "C /etc/passwd", "A /new"},
		},
		{
			name:   "an image symlink to the host is not followed",
			lowers: [][]string{{"l hostroot /", "l outside $HOST", "l up ../../../../..", "d etc", "f etc/passwd root"}},
			upper: []string{"d hostroot", "d hostroot/etc", "f hostroot/etc/passwd", "f hostroot/etc/shadow",
				"d outside", "f outside/secret", "d up", "d up/etc", "f up/etc/passwd"},
			want: []string{"C /hostroot", "A /hostroot/etc", "A /hostroot/etc/passwd", "A /hostroot/etc/shadow",
				"C /outside", "A /outside/secret", "C /up", "A /up/etc", "A /up/etc/passwd"},
		},
		{
			name: "the symlink removed and a directory made in its place",
			// rm /hostroot; mkdir -p /hostroot/etc; touch /hostroot/etc/shadow
			lowers: [][]string{{"l hostroot /", "d etc", "f etc/shadow x"}},
			upper:  []string{"o hostroot", "d hostroot/etc", "f hostroot/etc/shadow"},
			want:   []string{"C /hostroot", "A /hostroot/etc", "A /hostroot/etc/shadow"},
		},
		{
			name: "a symlink inside the image is not followed either",
			// Overlayfs merges by name: the container wrote /lib/new.so
			// through lib -> usr/lib, and made /lib a directory of its own.
			lowers: [][]string{{"l lib usr/lib", "d usr", "d usr/lib", "f usr/lib/libc.so"}},
			upper:  []string{"d usr", "d usr/lib", "f usr/lib/new.so", "o lib", "f lib/libc.so"},
			want:   []string{"C /lib", "A /lib/libc.so", "C /usr/lib", "A /usr/lib/new.so"},
		},
		{
			name:   "a whiteout in an image layer hides the layers below",
			lowers: [][]string{{"d opt", "w opt/gone"}, {"d opt", "f opt/gone", "f opt/kept"}},
			upper:  []string{"d opt", "f opt/gone", "f opt/kept"},
			want:   []string{"C /opt", "A /opt/gone", "C /opt/kept"},
		},
		{
			name:   "deleting what the image already hides is no change",
			lowers: [][]string{{"d opt", "w opt/gone"}, {"d opt", "f opt/gone", "f opt/kept"}},
			upper:  []string{"d opt", "w opt/gone", "f opt/kept"},
			want:   []string{"C /opt/kept"},
		},
		{
			name:   "an opaque directory in an image layer hides the layers below",
			lowers: [][]string{{"o var", "f var/a"}, {"d var", "f var/a", "f var/b"}},
			upper:  []string{"d var", "f var/a", "f var/b"},
			want:   []string{"C /var", "C /var/a", "A /var/b"},
		},
		{
			name:   "a directory removed and made again",
			lowers: [][]string{{"d data", "f data/x", "f data/y", "d data/sub", "f data/sub/z"}},
			upper:  []string{"o data", "f data/x", "f data/new", "d data/sub2"},
			want:   []string{"C /data", "A /data/new", "D /data/sub", "A /data/sub2", "C /data/x", "D /data/y"},
		},
		{
			name:   "under a remade directory, what the image had deeper down is deleted too",
			lowers: [][]string{{"d data", "f data/x", "d data/sub", "f data/sub/z"}},
			upper:  []string{"o data", "d data/sub"},
			want:   []string{"C /data", "C /data/sub", "D /data/sub/z", "D /data/x"},
		},
		{
			name:   "directory mode, owner and time",
			lowers: [][]string{{"d a", "d b", "d c", "d d", "f d/f"}},
			upper:  []string{"d a", "d b", "d c", "d d", "f d/f changed"},
			tweak: func(t *testing.T, upper string) {
				if err := os.Chmod(filepath.Join(upper, "a"), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := unix.Lchown(filepath.Join(upper, "b"), 1000, 1000); err != nil {
					t.Fatal(err)
				}
				if err := touch(filepath.Join(upper, "c"), diffT1); err != nil {
					t.Fatal(err)
				}
			},
			// d was only copied up for d/f: same mode, owner and time.
			want: []string{"C /a", "C /b", "C /c", "C /d/f"},
		},
		{
			name:   "a file replaced by a directory and a directory by a file",
			lowers: [][]string{{"f f", "d g", "f g/x"}},
			upper:  []string{"o f", "f f/y", "f g"},
			want:   []string{"C /f", "A /f/y", "C /g"},
		},
		{
			name:   "walk order",
			lowers: [][]string{{}},
			upper:  []string{"d a", "f a/b", "f a-c", "f a.d", "l z /etc"},
			want:   []string{"A /a", "A /a/b", "A /a-c", "A /a.d", "A /z"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lowers []string
			for _, l := range tc.lowers {
				lowers = append(lowers, diffTree(t, host, l...))
			}
			upper := diffTree(t, host, tc.upper...)
			if tc.tweak != nil {
				tc.tweak(t, upper)
			}
			got, err := changes(context.Background(), upper, lowers)
			if err != nil {
				t.Fatal(err)
			}
			if lines := changeLines(got); !slices.Equal(lines, tc.want) {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestDiffErrors(t *testing.T) {
	lower := t.TempDir()
	if _, err := changes(context.Background(), filepath.Join(t.TempDir(), "gone"), []string{lower}); !errdefs.IsDataCorrupt(err) {
		t.Errorf("a missing writable layer: %v", err)
	}
	if _, err := changes(context.Background(), t.TempDir(), []string{filepath.Join(lower, "gone")}); !errdefs.IsDataCorrupt(err) {
		t.Errorf("a missing image layer: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := changes(ctx, t.TempDir(), []string{lower}); err != context.Canceled {
		t.Errorf("canceled walk: %v", err)
	}
}

// TestDiffRealContainer runs containers on an overlay mount of the busybox
// layer under a hand-made layer, as berth mounts them, and reads what the
// runtime and the container left in the writable layer.
func TestDiffRealContainer(t *testing.T) {
	e := newRunEnv(t)
	for _, tc := range []struct {
		name   string
		top    []string // the layer over busybox's
		script string
		want   []string
	}{
		// Whiteouts take /dev, /proc, /sys and /etc out of the image,
		// so the runtime makes them all in the writable layer.
		{"untouched in an image without mount points", []string{"w dev", "w proc", "w sys", "w etc"}, "true", []string{}},
		{"untouched", nil, "true", []string{}},
		// /opt is copied up for /opt/conf, with its time: not a change.
		{"changes and the host symlink", []string{"l hostroot /", "d opt", "f opt/conf x"},
			"rm /hostroot && mkdir -p /hostroot/etc && touch /hostroot/etc/shadow && echo y >> /etc/passwd && echo x > /new && rm /bin/ls && echo y >> /opt/conf",
			[]string{"C /bin", "D /bin/ls", "C /etc/passwd", "C /hostroot", "A /hostroot/etc", "A /hostroot/etc/shadow", "A /new", "C /opt/conf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			upper, work, merged := filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "merged")
			for _, d := range []string{upper, work, merged} {
				if err := os.Mkdir(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			lowers := []string{diffTree(t, "", tc.top...), e.rootfs}
			data := "lowerdir=" + strings.Join(lowers, ":") + ",upperdir=" + upper + ",workdir=" + work + ",index=off"
			if err := unix.Mount("overlay", merged, "overlay", 0, data); err != nil {
				t.Fatal(err)
			}
			onOverlay := *e
			onOverlay.rootfs = merged
			r := onOverlay.run(t, sh(tc.script))
			if err := unix.Unmount(merged, 0); err != nil {
				t.Fatal(err)
			}
			if r.code != 0 {
				t.Fatalf("script exit %d: %s", r.code, r.out)
			}
			got, err := changes(context.Background(), upper, lowers)
			if err != nil {
				t.Fatal(err)
			}
			if lines := changeLines(got); !slices.Equal(lines, tc.want) {
				t.Errorf("changes:\n%s\nwant:\n%s\nwritable layer: %q", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"), walkNames(upper))
			}
		})
	}
}

// walkNames lists the paths under root, for failure messages.
func walkNames(root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, _ fs.DirEntry, _ error) error {
		out = append(out, strings.TrimPrefix(p, root))
		return nil
	})
	return out
}
