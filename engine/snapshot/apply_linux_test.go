package snapshot

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// netRawCap is a security.capability value (VFS_CAP_REVISION_2,
// effective) granting CAP_NET_RAW, as ping has.
const netRawCap = "\x01\x00\x00\x02" + "\x00\x20\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

func TestUnpackEntries(t *testing.T) {
	requireRoot(t)
	s := newStore(t)
	id := testID(1)
	t1 := time.Unix(1600000000, 123456789)
	t2 := time.Unix(1500000000, 987654321)
	at := time.Unix(1400000000, 5)
	stream := tarBytes(t,
		dirEnt("./").with(func(h *tar.Header) { h.Mode = 0o751; h.ModTime = t2 }),
		dirEnt("etc/").with(func(h *tar.Header) { h.Mode = 0o750; h.Uid = 10; h.Gid = 20; h.ModTime = t1 }),
		reg("etc/passwd", "root:x:0:0").with(func(h *tar.Header) {
			h.ModTime, h.AccessTime = t2, at
			h.PAXRecords = map[string]string{"SCHILY.xattr.user.test": "hello", "SCHILY.xattr.trusted.test": "t"}
		}),
		dirEnt("bin/"),
		reg("bin/su", "su-binary").with(func(h *tar.Header) { h.Mode = 0o4755 }),
		reg("bin/ping", "ping").with(func(h *tar.Header) {
			h.Mode = 0o755
			h.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": netRawCap}
		}),
		reg("bin/sg", "sg").with(func(h *tar.Header) { h.Mode = 0o2711; h.Uid = 1; h.Gid = 2 }),
		hardlink("bin/su2", "bin/su"),
		dirEnt("tmp/").with(func(h *tar.Header) { h.Mode = 0o1777 }),
		symlink("etc/link", "/etc/passwd").with(func(h *tar.Header) { h.Uid = 5; h.Gid = 6; h.ModTime = t1 }),
		ent{hdr: tar.Header{Typeflag: tar.TypeChar, Name: "dev/null", Mode: 0o666, Devmajor: 1, Devminor: 3}},
		ent{hdr: tar.Header{Typeflag: tar.TypeBlock, Name: "dev/loop0", Mode: 0o660, Gid: 6, Devmajor: 7, Devminor: 0}},
		ent{hdr: tar.Header{Typeflag: tar.TypeFifo, Name: "run/fifo", Mode: 0o620, Uid: 3}},
		reg("deep/er/file", "x"), // parents not in the tar
		ent{hdr: tar.Header{Typeflag: tar.TypeCont, Name: "deep/cont", Mode: 0o600}, body: "contiguous"},
		ent{hdr: tar.Header{Typeflag: tar.TypeRegA, Name: "deep/old", Mode: 0o600, Format: tar.FormatGNU}, body: "v7"},
		ent{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "c"}}},
	)
	size, err := s.Unpack(context.Background(), id, bytes.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len("root:x:0:0") + len("su-binary") + len("sg") + len("x") + len("contiguous") + len("v7") + len("ping")); size != want {
		t.Errorf("size = %d, want %d (hard links count once)", size, want)
	}
	if got, err := s.Size(id); err != nil || got != size {
		t.Errorf("Size = %d, %v; want %d", got, err, size)
	}
	root := s.Path(id)
	t.Run("atime", func(t *testing.T) { // first: reading the file may move it
		st := lstat(t, filepath.Join(root, "etc/passwd"))
		if got := time.Unix(st.Atim.Unix()); !got.Equal(at) {
			t.Errorf("atime = %v, want %v", got, at)
		}
	})

	tests := []struct {
		path       string
		typ        uint32
		perm       uint32
		uid, gid   uint32
		mtime      time.Time
		content    string // regular file content, or symlink target
		rdev       uint64
		checkTimes bool
	}{
		{".", unix.S_IFDIR, 0o751, 0, 0, t2, "", 0, true},
		{"etc", unix.S_IFDIR, 0o750, 10, 20, t1, "", 0, true},
		{"etc/passwd", unix.S_IFREG, 0o644, 0, 0, t2, "root:x:0:0", 0, true},
		{"bin/su", unix.S_IFREG, 0o4755, 0, 0, t0, "su-binary", 0, true},
		{"bin/su2", unix.S_IFREG, 0o4755, 0, 0, t0, "su-binary", 0, true},
		{"bin/sg", unix.S_IFREG, 0o2711, 1, 2, t0, "sg", 0, true},
		{"tmp", unix.S_IFDIR, 0o1777, 0, 0, t0, "", 0, true},
		{"etc/link", unix.S_IFLNK, 0, 5, 6, t1, "/etc/passwd", 0, true},
		{"dev/null", unix.S_IFCHR, 0o666, 0, 0, t0, "", unix.Mkdev(1, 3), true},
		{"dev/loop0", unix.S_IFBLK, 0o660, 0, 6, t0, "", unix.Mkdev(7, 0), true},
		{"run/fifo", unix.S_IFIFO, 0o620, 3, 0, t0, "", 0, true},
		{"dev", unix.S_IFDIR, 0o755, 0, 0, time.Time{}, "", 0, false}, // made on the way
		{"deep/er", unix.S_IFDIR, 0o755, 0, 0, time.Time{}, "", 0, false},
		{"deep/cont", unix.S_IFREG, 0o600, 0, 0, t0, "contiguous", 0, true},
		{"deep/old", unix.S_IFREG, 0o600, 0, 0, t0, "v7", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p := filepath.Join(root, tc.path)
			st := lstat(t, p)
			if typ := st.Mode & unix.S_IFMT; typ != tc.typ {
				t.Errorf("type = %o, want %o", typ, tc.typ)
			}
			if tc.typ != unix.S_IFLNK {
				if perm := st.Mode & 0o7777; perm != tc.perm {
					t.Errorf("mode = %o, want %o", perm, tc.perm)
				}
			}
			if st.Uid != tc.uid || st.Gid != tc.gid {
				t.Errorf("owner = %d:%d, want %d:%d", st.Uid, st.Gid, tc.uid, tc.gid)
			}
			if tc.checkTimes {
				if mt := time.Unix(st.Mtim.Unix()); !mt.Equal(tc.mtime) {
					t.Errorf("mtime = %v, want %v", mt, tc.mtime)
				}
			}
			if st.Rdev != tc.rdev {
				t.Errorf("rdev = %d, want %d", st.Rdev, tc.rdev)
			}
			switch tc.typ {
			case unix.S_IFREG:
				if b, _ := os.ReadFile(p); string(b) != tc.content {
					t.Errorf("content = %q, want %q", b, tc.content)
				}
			case unix.S_IFLNK:
				if target, _ := os.Readlink(p); target != tc.content {
					t.Errorf("target = %q, want %q", target, tc.content)
				}
			}
		})
	}

	t.Run("xattrs", func(t *testing.T) {
		p := filepath.Join(root, "etc/passwd")
		if v, _ := xattr(t, p, "user.test"); v != "hello" {
			t.Errorf("user.test = %q, want hello", v)
		}
		if v, _ := xattr(t, p, "trusted.test"); v != "t" {
			t.Errorf("trusted.test = %q, want t", v)
		}
	})
	t.Run("file capability survives chown", func(t *testing.T) {
		if v, _ := xattr(t, filepath.Join(root, "bin/ping"), "security.capability"); v != netRawCap {
			t.Errorf("security.capability = %x, want %x", v, netRawCap)
		}
	})
	t.Run("hard link", func(t *testing.T) {
		a, b := lstat(t, filepath.Join(root, "bin/su")), lstat(t, filepath.Join(root, "bin/su2"))
		if a.Ino != b.Ino || a.Nlink != 2 {
			t.Errorf("bin/su2 is not a hard link of bin/su (inodes %d, %d, nlink %d)", a.Ino, b.Ino, a.Nlink)
		}
	})
	t.Run("nothing else", func(t *testing.T) { // the PAX global header made no file
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if got, want := strings.Join(names, " "), "bin deep dev etc run tmp"; got != want {
			t.Errorf("root holds %q, want %q", got, want)
		}
	})
}

func TestUnpackWhiteouts(t *testing.T) {
	requireRoot(t)
	s := newStore(t)
	id := testID(2)
	stream := tarBytes(t,
		dirEnt("etc/"),
		reg("etc/.wh.passwd", "").with(func(h *tar.Header) { h.Uid = 4; h.Gid = 5 }),
		reg("etc/shadow", "secret"),
		reg("etc/.wh.shadow", ""),   // a whiteout replaces what this layer wrote
		reg("var/.wh..wh..opq", ""), // opaque, directory not in the tar
		dirEnt("usr/").with(func(h *tar.Header) { h.Mode = 0o700 }),
		reg("usr/.wh..wh..opq", ""),
		dirEnt(".wh..wh.plnk/"), // aufs bookkeeping: skipped
		reg("a/.wh..wh.aufs", ""),
		dirEnt("o/").with(func(h *tar.Header) {
			h.PAXRecords = map[string]string{
				"SCHILY.xattr.trusted.overlay.opaque":   "y",
				"SCHILY.xattr.trusted.overlay.redirect": "/etc",
				"SCHILY.xattr.user.overlay.opaque":      "y",
				"SCHILY.xattr.user.kept":                "1",
			}
		}),
	)
	if _, err := s.Unpack(context.Background(), id, bytes.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	root := s.Path(id)

	for _, name := range []string{"etc/passwd", "etc/shadow"} {
		t.Run("whiteout "+name, func(t *testing.T) {
			st := lstat(t, filepath.Join(root, name))
			if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
				t.Errorf("mode %o rdev %d, want a character device 0/0", st.Mode, st.Rdev)
			}
		})
	}
	t.Run("whiteout owner", func(t *testing.T) {
		if st := lstat(t, filepath.Join(root, "etc/passwd")); st.Uid != 4 || st.Gid != 5 {
			t.Errorf("owner %d:%d, want 4:5", st.Uid, st.Gid)
		}
	})
	for _, name := range []string{"var", "usr"} {
		t.Run("opaque "+name, func(t *testing.T) {
			if v, ok := xattr(t, filepath.Join(root, name), opaqueXattr); !ok || v != "y" {
				t.Errorf("%s = %q (set %v), want y", opaqueXattr, v, ok)
			}
		})
	}
	t.Run("opaque keeps mode", func(t *testing.T) {
		if st := lstat(t, filepath.Join(root, "usr")); st.Mode&0o7777 != 0o700 {
			t.Errorf("mode %o, want 700", st.Mode&0o7777)
		}
	})
	t.Run("no whiteout names", func(t *testing.T) {
		for _, name := range []string{"etc/.wh.passwd", "var/.wh..wh..opq", ".wh..wh.plnk", "a/.wh..wh.aufs"} {
			if _, err := os.Lstat(filepath.Join(root, name)); !os.IsNotExist(err) {
				t.Errorf("%s exists: %v", name, err)
			}
		}
	})
	t.Run("overlay xattrs from the layer dropped", func(t *testing.T) {
		if got := xattrNames(t, filepath.Join(root, "o")); strings.Join(got, ",") != "user.kept" {
			t.Errorf("xattrs = %v, want only user.kept", got)
		}
	})
}

func TestUnpackReplaces(t *testing.T) {
	requireRoot(t)
	s := newStore(t)
	outside := newOutside(t)
	before := treeState(t, outside)
	id := testID(3)
	stream := tarBytes(t,
		reg("a", "file"),
		dirEnt("a/"), // a file gives way to a directory
		dirEnt("b/"),
		reg("b/c", "c"),
		reg("b", "now a file"), // a directory gives way to a file, children and all
		dirEnt("d/").with(func(h *tar.Header) { h.Mode = 0o700 }),
		reg("d/keep", "k"),
		dirEnt("d/").with(func(h *tar.Header) { h.Mode = 0o755; h.Uid = 7 }), // dir on dir: kept, new attributes
		symlink("l", filepath.Join(outside, "secret")),
		reg("l", "replaced the link"), // replaces the symlink, never writes through it
		symlink("m", outside),
		dirEnt("m/").with(func(h *tar.Header) { h.Mode = 0o700 }), // replaces the symlink
		reg("f", "f"),
		hardlink("h", "f"),
		hardlink("h", "f"), // already that file
		reg("x", "one"),
		reg("x", "two"),
	)
	if _, err := s.Unpack(context.Background(), id, bytes.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	root := s.Path(id)
	tests := []struct {
		path, content string
		typ, perm     uint32
		uid           uint32
	}{
		{"a", "", unix.S_IFDIR, 0o755, 0},
		{"b", "now a file", unix.S_IFREG, 0o644, 0},
		{"d", "", unix.S_IFDIR, 0o755, 7},
		{"d/keep", "k", unix.S_IFREG, 0o644, 0},
		{"l", "replaced the link", unix.S_IFREG, 0o644, 0},
		{"m", "", unix.S_IFDIR, 0o700, 0},
		{"h", "f", unix.S_IFREG, 0o644, 0},
		{"x", "two", unix.S_IFREG, 0o644, 0},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p := filepath.Join(root, tc.path)
			st := lstat(t, p)
			if st.Mode&unix.S_IFMT != tc.typ || st.Mode&0o7777 != tc.perm || st.Uid != tc.uid {
				t.Errorf("mode %o uid %d, want type %o perm %o uid %d", st.Mode, st.Uid, tc.typ, tc.perm, tc.uid)
			}
			if tc.typ == unix.S_IFREG {
				if b, _ := os.ReadFile(p); string(b) != tc.content {
					t.Errorf("content %q, want %q", b, tc.content)
				}
			}
		})
	}
	if _, err := os.Lstat(filepath.Join(root, "b/c")); err == nil {
		t.Error("b/c survived its directory being replaced by a file")
	}
	assertSameTree(t, outside, before)
}

// assertSameTree checks that nothing under dir changed since before.
func assertSameTree(t testing.TB, dir string, before map[string]string) {
	t.Helper()
	after := treeState(t, dir)
	for name, desc := range after {
		if before[name] != desc {
			t.Errorf("outside the layer, %s changed:\n before %q\n after  %q", name, before[name], desc)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			t.Errorf("outside the layer, %s disappeared", name)
		}
	}
}

// hostileCase is a layer that tries to reach outside its directory.
type hostileCase struct {
	name    string
	entries func(outside string) []ent
	// errText, if set, is in the error Unpack must return; if empty,
	// Unpack must succeed and check (if set) looks at the snapshot root.
	errText string
	osErr   bool // the error is a system error, not an InvalidArgument
	check   func(t *testing.T, root, outside string)
}

// inRoot is where an absolute path of the host lands inside the layer.
func inRoot(root, hostPath string) string { return filepath.Join(root, hostPath) }

func hostileCases() []hostileCase {
	return []hostileCase{
		{name: "dotdot", entries: func(string) []ent { return []ent{reg("../evil", "x")} },
			errText: `layer entry "../evil": path escapes the layer`},
		{name: "nested dotdot", entries: func(string) []ent { return []ent{dirEnt("a/"), reg("a/../../evil", "x")} },
			errText: `layer entry "a/../../evil": path escapes the layer`},
		{name: "dotdot after good entries", entries: func(string) []ent {
			return []ent{reg("ok", "fine"), dirEnt("d/"), reg("./../../../../evil", "x")}
		}, errText: "path escapes the layer"},
		{name: "absolute name is contained", entries: func(string) []ent { return []ent{reg("/abs/file", "x")} },
			check: func(t *testing.T, root, _ string) { wantFile(t, filepath.Join(root, "abs/file"), "x") }},
		{name: "absolute dotdot is contained", entries: func(string) []ent { return []ent{reg("/../../x", "x")} },
			check: func(t *testing.T, root, _ string) { wantFile(t, filepath.Join(root, "x"), "x") }},
		{name: "write through absolute symlink", entries: func(o string) []ent {
			return []ent{symlink("link", o), reg("link/secret", "pwned"), reg("link/new", "pwned")}
		}, check: func(t *testing.T, root, o string) {
			wantFile(t, filepath.Join(inRoot(root, o), "secret"), "pwned")
			wantFile(t, filepath.Join(inRoot(root, o), "new"), "pwned")
			wantLink(t, filepath.Join(root, "link"), o)
		}},
		{name: "write through relative symlink climbing up", entries: func(o string) []ent {
			return []ent{dirEnt("a/"), symlink("a/up", "../../../../../../../.."+o), reg("a/up/secret", "pwned")}
		}, check: func(t *testing.T, root, o string) {
			wantFile(t, filepath.Join(inRoot(root, o), "secret"), "pwned")
		}},
		{name: "write through symlink to root", entries: func(o string) []ent {
			return []ent{symlink("r", "/"), symlink("dd", ".."), reg("r"+o+"/secret", "a"), reg("dd/dd"+o+"/other", "b")}
		}, check: func(t *testing.T, root, o string) {
			wantFile(t, filepath.Join(inRoot(root, o), "secret"), "a")
			wantFile(t, filepath.Join(inRoot(root, o), "other"), "b")
		}},
		{name: "symlink chain", entries: func(o string) []ent {
			return []ent{symlink("a", "b"), symlink("b", o), dirEnt("a/new/"), reg("a/new/f", "pwned")}
		}, check: func(t *testing.T, root, o string) {
			wantFile(t, filepath.Join(inRoot(root, o), "new/f"), "pwned")
		}},
		{name: "directory and device through symlink", entries: func(o string) []ent {
			return []ent{symlink("link", o), dirEnt("link/sub/"),
				ent{hdr: tar.Header{Typeflag: tar.TypeChar, Name: "link/null", Mode: 0o666, Devmajor: 1, Devminor: 3}},
				ent{hdr: tar.Header{Typeflag: tar.TypeFifo, Name: "link/fifo", Mode: 0o600}}}
		}, check: func(t *testing.T, root, o string) {
			if st := lstat(t, filepath.Join(inRoot(root, o), "sub")); st.Mode&unix.S_IFMT != unix.S_IFDIR {
				t.Errorf("sub is not a directory inside the layer")
			}
			if st := lstat(t, filepath.Join(inRoot(root, o), "null")); st.Mode&unix.S_IFMT != unix.S_IFCHR {
				t.Errorf("null is not a device inside the layer")
			}
		}},
		{name: "file replaces symlink to outside file", entries: func(o string) []ent {
			return []ent{symlink("f", filepath.Join(o, "secret")), reg("f", "x").with(func(h *tar.Header) { h.Mode = 0o777 })}
		}, check: func(t *testing.T, root, _ string) { wantFile(t, filepath.Join(root, "f"), "x") }},
		{name: "attributes never follow a symlink", entries: func(o string) []ent {
			return []ent{symlink("s", filepath.Join(o, "secret")).with(func(h *tar.Header) {
				h.Uid, h.Gid, h.Mode = 123, 456, 0o4777
				h.PAXRecords = map[string]string{"SCHILY.xattr.user.evil": "1", "SCHILY.xattr.trusted.evil": "1"}
			})}
		}, check: func(t *testing.T, root, o string) {
			if st := lstat(t, filepath.Join(root, "s")); st.Uid != 123 || st.Gid != 456 {
				t.Errorf("symlink owner %d:%d, want 123:456", st.Uid, st.Gid)
			}
		}},
		{name: "hard link target with dotdot", entries: func(o string) []ent {
			return []ent{hardlink("h", "../"+filepath.Base(o)+"/secret")}
		}, errText: "escapes the layer"},
		{name: "hard link target absolute outside", entries: func(o string) []ent {
			return []ent{hardlink("h", filepath.Join(o, "secret"))}
		}, errText: "does not exist in the layer"},
		{name: "hard link target through symlink", entries: func(o string) []ent {
			return []ent{symlink("link", o), hardlink("h", "link/secret")}
		}, errText: "does not exist in the layer"},
		{name: "hard link target through dotdot symlink", entries: func(o string) []ent {
			return []ent{symlink("up", "../../../../../.."), hardlink("h", "up"+o+"/secret")}
		}, errText: "does not exist in the layer"},
		{name: "hard link to a directory", entries: func(string) []ent {
			return []ent{dirEnt("d/"), hardlink("h", "d")}
		}, errText: "is a directory"},
		{name: "hard link to the root", entries: func(string) []ent { return []ent{hardlink("h", "/")} },
			errText: "is a directory"},
		{name: "hard link to a symlink links the symlink", entries: func(o string) []ent {
			return []ent{symlink("s", filepath.Join(o, "secret")), hardlink("h", "s")}
		}, check: func(t *testing.T, root, o string) { wantLink(t, filepath.Join(root, "h"), filepath.Join(o, "secret")) }},
		{name: "hard link made through symlink", entries: func(o string) []ent {
			return []ent{reg("f", "inside"), symlink("link", o), hardlink("link/f2", "f")}
		}, check: func(t *testing.T, root, o string) { wantFile(t, filepath.Join(inRoot(root, o), "f2"), "inside") }},
		{name: "whiteout with dotdot", entries: func(o string) []ent {
			return []ent{reg("../"+filepath.Base(o)+"/.wh.secret", "")}
		}, errText: "path escapes the layer"},
		{name: "whiteout of dotdot", entries: func(string) []ent { return []ent{dirEnt("a/"), reg("a/.wh...", "")} },
			errText: "whiteout names no entry"},
		{name: "whiteout through symlink", entries: func(o string) []ent {
			return []ent{symlink("link", o), reg("link/.wh.secret", "")}
		}, check: func(t *testing.T, root, o string) {
			if st := lstat(t, filepath.Join(inRoot(root, o), "secret")); st.Mode&unix.S_IFMT != unix.S_IFCHR {
				t.Errorf("whiteout is not a device inside the layer")
			}
			wantLink(t, filepath.Join(root, "link"), o)
		}},
		{name: "whiteout of a symlink to outside", entries: func(o string) []ent {
			return []ent{symlink("s", filepath.Join(o, "secret")), reg(".wh.s", "")}
		}},
		{name: "opaque through symlink", entries: func(o string) []ent {
			return []ent{symlink("link", o), reg("link/.wh..wh..opq", "")}
		}, check: func(t *testing.T, root, o string) {
			if v, _ := xattr(t, inRoot(root, o), opaqueXattr); v != "y" {
				t.Errorf("opaque xattr not set inside the layer")
			}
		}},
		{name: "parent is a dangling symlink", entries: func(string) []ent {
			return []ent{symlink("d", "/nonexistent/deeper"), reg("d/f", "x")}
		}, check: func(t *testing.T, root, _ string) {
			wantFile(t, filepath.Join(root, "nonexistent/deeper/f"), "x")
			wantLink(t, filepath.Join(root, "d"), "/nonexistent/deeper")
		}},
		{name: "parent is a file", entries: func(string) []ent {
			return []ent{reg("f", "x"), reg("f/g", "y")}
		}, errText: "not a directory", osErr: true},
		{name: "root as a file", entries: func(string) []ent { return []ent{reg(".", "x")} },
			errText: "only a directory can stand for the layer root"},
		{name: "unsupported entry type", entries: func(string) []ent {
			return []ent{{hdr: tar.Header{Typeflag: 'V', Name: "volume", Format: tar.FormatGNU}}}
		}, errText: "unsupported tar entry type"},
	}
}

func wantFile(t *testing.T, p, content string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil || string(b) != content {
		t.Errorf("%s = %q, %v; want %q", p, b, err, content)
	}
	if st := lstat(t, p); st.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Errorf("%s is not a regular file", p)
	}
}

func wantLink(t *testing.T, p, target string) {
	t.Helper()
	if got, err := os.Readlink(p); err != nil || got != target {
		t.Errorf("%s -> %q, %v; want -> %q", p, got, err, target)
	}
}

func TestUnpackHostile(t *testing.T) {
	requireRoot(t)
	for _, resolver := range []string{"openat2", "pathrs"} {
		t.Run(resolver, func(t *testing.T) {
			if resolver == "openat2" && !haveOpenat2() {
				t.Skip("no openat2 here")
			}
			for i, tc := range hostileCases() {
				t.Run(tc.name, func(t *testing.T) { runHostile(t, tc, testID(100+i), resolver == "pathrs") })
			}
		})
	}
}

func runHostile(t *testing.T, tc hostileCase, id string, pathrsOnly bool) {
	s := newStore(t)
	s.pathrsOnly = pathrsOnly
	outside := newOutside(t)
	if err := unix.Setxattr(outside, "user.probe", []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	before := treeState(t, outside)
	outsideParent := treeState(t, filepath.Dir(s.Dir()))
	stream := tarBytes(t, tc.entries(outside)...)
	_, err := s.Unpack(context.Background(), id, bytes.NewReader(stream))
	if tc.errText != "" {
		if err == nil {
			t.Fatalf("Unpack succeeded, want an error with %q", tc.errText)
		}
		if !strings.Contains(err.Error(), tc.errText) {
			t.Errorf("error %q does not say %q", err, tc.errText)
		}
		if !tc.osErr && !errdefs.IsInvalidArgument(err) {
			t.Errorf("error %v is not an invalid argument", err)
		}
		assertNoSnapshot(t, s, id)
	} else {
		if err != nil {
			t.Fatalf("Unpack: %v", err)
		}
		if tc.check != nil {
			tc.check(t, s.Path(id), outside)
		}
	}
	assertSameTree(t, outside, before)
	// Nothing appeared next to the store (../evil and friends).
	after := treeState(t, filepath.Dir(s.Dir()))
	for name := range after {
		if _, ok := outsideParent[name]; !ok && !strings.HasPrefix(name, filepath.Base(s.Dir())) {
			t.Errorf("created next to the store: %s", name)
		}
	}
}

func TestUnpackBrokenStreams(t *testing.T) {
	big := strings.Repeat("0123456789", 10000)
	whole := tarBytes(t, reg("a", "small"), reg("big", big), reg("c", "after"))
	tests := []struct {
		name   string
		stream []byte
		class  func(error) bool
	}{
		{"cut in file data", whole[:2048+5000], errdefs.IsDataCorrupt},
		{"cut in a header", whole[:1024+100], errdefs.IsDataCorrupt},
		{"cut right after a header", whole[:len(whole)-1024-512], errdefs.IsDataCorrupt},
		{"not a tar", bytes.Repeat([]byte("garbage!"), 200), errdefs.IsDataCorrupt},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			id := testID(200 + i)
			_, err := s.Unpack(context.Background(), id, bytes.NewReader(tc.stream))
			if !tc.class(err) {
				t.Fatalf("Unpack error = %v, want data corrupt", err)
			}
			assertNoSnapshot(t, s, id)
		})
	}
	t.Run("no end marker is accepted", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Unpack(context.Background(), testID(210), bytes.NewReader(whole[:len(whole)-1024])); err != nil {
			t.Fatalf("Unpack of a tar without end marker: %v", err)
		}
	})
}

// failingReader returns err once n bytes of r have been read.
type failingReader struct {
	r   io.Reader
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	m, err := f.r.Read(p)
	f.n -= m
	return m, err
}

func TestUnpackReaderError(t *testing.T) {
	stream := tarBytes(t, reg("a", "small"), reg("big", strings.Repeat("x", 300000)))
	custom := errors.New("connection reset")
	tests := []struct {
		name  string
		err   error
		check func(error) bool
	}{
		{"classified error keeps its class", errdefs.DataCorrupt("digest mismatch"), errdefs.IsDataCorrupt},
		{"plain error is wrapped", custom, func(err error) bool { return errors.Is(err, custom) }},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			id := testID(300 + i)
			_, err := s.Unpack(context.Background(), id, &failingReader{r: bytes.NewReader(stream), n: 5000, err: tc.err})
			if !tc.check(err) {
				t.Fatalf("Unpack error = %v", err)
			}
			assertNoSnapshot(t, s, id)
		})
	}
}

// cancelingReader cancels its context once n bytes have been read.
type cancelingReader struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelingReader) Read(p []byte) (int, error) {
	m, err := c.r.Read(p)
	c.n -= m
	if c.n <= 0 {
		c.cancel()
	}
	return m, err
}

func TestUnpackCanceled(t *testing.T) {
	chunk := strings.Repeat("y", 3<<20)
	stream := tarBytes(t, reg("a", chunk), reg("b", chunk), reg("c", chunk), reg("d", "small"))
	tests := []struct {
		name   string
		cancel int // bytes read before cancellation
	}{
		{"before the start", 0},
		{"in the first file", 1 << 20},
		{"between files", 3<<20 + 1024},
		{"in a later file", 7 << 20},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			id := testID(400 + i)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r := io.Reader(&cancelingReader{r: bytes.NewReader(stream), n: tc.cancel, cancel: cancel})
			if tc.cancel == 0 {
				cancel()
			}
			_, err := s.Unpack(ctx, id, r)
			if !errdefs.IsCanceled(err) || !errors.Is(err, context.Canceled) {
				t.Fatalf("Unpack error = %v, want canceled", err)
			}
			assertNoSnapshot(t, s, id)
		})
	}
}

func TestUnpackStopsAtEndMarker(t *testing.T) {
	stream := tarBytes(t, reg("a", "content"))
	trailer := append(make([]byte, 8704), "TRAILER"...) // record padding and more
	r := bytes.NewReader(append(stream, trailer...))
	s := newStore(t)
	if _, err := s.Unpack(context.Background(), testID(500), r); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	if !bytes.Equal(rest, trailer) {
		t.Fatalf("after Unpack %d bytes are left, want the %d bytes after the end marker", len(rest), len(trailer))
	}
}
