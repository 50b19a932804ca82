package volume

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
	"berth/engine/store"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
}

func newService(t *testing.T) (*Service, *store.Store, string) {
	t.Helper()
	root := t.TempDir()
	db, err := store.Open(filepath.Join(root, "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewService(db, root), db, root
}

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"data", true}, {"my-vol_1.x", true}, {"a1", true}, {strings.Repeat("f", 64), true},
		{"a", false}, {"", false}, {"../x", false}, {"a/b", false}, {"/abs", false},
		{".hidden", false}, {"-x", false}, {"..", false}, {"x y", false}, {"x\nline", false}, {"é1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckName(tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
			}
			if err != nil && (!errdefs.IsInvalidArgument(err) || strings.Contains(err.Error(), "\n")) {
				t.Fatalf("want a one-line InvalidArgument, got %v", err)
			}
		})
	}
	if n := RandomName(); len(n) != 64 || CheckName(n) != nil {
		t.Fatalf("RandomName() = %q", n)
	}
}

func TestCreateListInspectRemove(t *testing.T) {
	s, db, root := newService(t)
	ctx := context.Background()
	v, created, err := s.Create(ctx, CreateOptions{Name: "data", Labels: map[string]string{"k": "v"}})
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if v.Mountpoint != filepath.Join(root, "volumes", "data", "_data") {
		t.Fatalf("mountpoint %s", v.Mountpoint)
	}
	if st, err := os.Stat(v.Mountpoint); err != nil || !st.IsDir() || st.Mode().Perm() != 0o755 {
		t.Fatalf("mountpoint: %v %v", st, err)
	}
	if st, _ := os.Stat(filepath.Join(root, "volumes")); st.Mode().Perm() != 0o700 {
		t.Fatalf("volumes dir mode %v", st.Mode())
	}
	os.WriteFile(filepath.Join(v.Mountpoint, "f"), []byte("kept"), 0o644)
	// Creating it again returns it as it is (Docker's rule).
	if _, created, err := s.Create(ctx, CreateOptions{Name: "data"}); err != nil || created {
		t.Fatalf("second create: %v %v", created, err)
	}
	if b, _ := os.ReadFile(filepath.Join(v.Mountpoint, "f")); string(b) != "kept" {
		t.Fatal("second create touched the contents")
	}
	anon, _, err := s.Create(ctx, CreateOptions{Anonymous: true})
	if err != nil || len(anon.Name) != 64 {
		t.Fatalf("anonymous: %v %v", anon, err)
	}
	if _, _, err := s.Create(ctx, CreateOptions{Name: "../x"}); !errdefs.IsInvalidArgument(err) {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "x")); err == nil {
		t.Fatal("a bad name made a directory")
	}

	list, err := s.List(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	in, err := s.Inspect(ctx, "data")
	if err != nil {
		t.Fatal(err)
	}
	if in.Driver != "local" || in.Scope != "local" || in.Name != "data" || in.Labels["k"] != "v" || in.Mountpoint != v.Mountpoint {
		t.Fatalf("inspect: %+v", in)
	}
	if _, err := time.Parse(time.RFC3339, in.CreatedAt); err != nil {
		t.Fatalf("CreatedAt %q: %v", in.CreatedAt, err)
	}
	if in, _ := s.Inspect(ctx, anon.Name); in.Labels[AnonymousLabel] != "" || len(in.Labels) != 1 {
		t.Fatalf("anonymous labels: %v", in.Labels)
	}

	// In use: a container row that mounts it.
	err = db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.PutContainer(store.Container{ID: strings.Repeat("a", 64), Name: "web", ImageID: "sha256:x", Created: time.Now(), Config: []byte("{}"), State: []byte("{}")}); err != nil {
			return err
		}
		return tx.UseVolume(strings.Repeat("a", 64), "data")
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Remove(ctx, "data", true)
	if !errdefs.IsConflict(err) || !strings.Contains(err.Error(), "web") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("remove in use: %v", err)
	}
	if users, _ := s.Users(ctx, "data"); !slices.Equal(users, []string{"web"}) {
		t.Fatalf("users %v", users)
	}
	// The container goes: the volume and its data stay.
	db.Update(ctx, func(tx *store.Tx) error { return tx.DeleteContainer(strings.Repeat("a", 64)) })
	if b, _ := os.ReadFile(filepath.Join(v.Mountpoint, "f")); string(b) != "kept" {
		t.Fatal("data gone with the container")
	}
	if err := s.Remove(ctx, "data", false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "volumes", "data")); !os.IsNotExist(err) {
		t.Fatalf("directory left: %v", err)
	}
	if err := s.Remove(ctx, "data", false); !errdefs.IsNotFound(err) {
		t.Fatalf("remove missing: %v", err)
	}
	if err := s.Remove(ctx, "data", true); err != nil {
		t.Fatalf("remove -f missing: %v", err)
	}
}

func TestPrune(t *testing.T) {
	s, db, _ := newService(t)
	ctx := context.Background()
	for _, o := range []CreateOptions{{Name: "named"}, {Name: "used", Anonymous: true}, {Name: "anon1", Anonymous: true}, {Name: "labelled", Labels: map[string]string{"keep": "1"}}} {
		if _, _, err := s.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(s.Path("anon1"), "f"), []byte("12345"), 0o644)
	db.Update(ctx, func(tx *store.Tx) error {
		tx.PutContainer(store.Container{ID: strings.Repeat("b", 64), Name: "c", ImageID: "sha256:x", Created: time.Now(), Config: []byte("{}"), State: []byte("{}")})
		return tx.UseVolume(strings.Repeat("b", 64), "used")
	})
	rep, err := s.Prune(ctx, false, Filters{})
	if err != nil || !slices.Equal(rep.Removed, []string{"anon1"}) || rep.Space != 5 {
		t.Fatalf("prune: %+v %v", rep, err)
	}
	f, _ := ParseFilters([]string{"label!=keep"})
	rep, err = s.Prune(ctx, true, f)
	if err != nil || !slices.Equal(rep.Removed, []string{"named"}) {
		t.Fatalf("prune -a label!=keep: %+v %v", rep, err)
	}
	rep, _ = s.Prune(ctx, true, Filters{})
	if !slices.Equal(rep.Removed, []string{"labelled"}) {
		t.Fatalf("prune -a: %+v", rep)
	}
	list, _ := s.List(ctx)
	if len(list) != 1 || list[0].Name != "used" || list[0].RefCount != 1 {
		t.Fatalf("left: %+v", list)
	}
}

func TestFilters(t *testing.T) {
	v := &Volume{Name: "webdata", Labels: map[string]string{"app": "web"}}
	used := &Volume{Name: "db", RefCount: 1}
	for _, tc := range []struct {
		args       []string
		v, used    bool
		invalidArg bool
	}{
		{args: nil, v: true, used: true},
		{args: []string{"dangling=true"}, v: true},
		{args: []string{"dangling=false"}, used: true},
		{args: []string{"name=web"}, v: true},
		{args: []string{"label=app"}, v: true},
		{args: []string{"label=app=web"}, v: true},
		{args: []string{"label=app=db"}},
		{args: []string{"label!=app"}, used: true},
		{args: []string{"driver=local"}, v: true, used: true},
		{args: []string{"dangling=maybe"}, invalidArg: true},
		{args: []string{"color=red"}, invalidArg: true},
		{args: []string{"name"}, invalidArg: true},
	} {
		f, err := ParseFilters(tc.args)
		if tc.invalidArg {
			if !errdefs.IsInvalidArgument(err) {
				t.Errorf("%v: want InvalidArgument, got %v", tc.args, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if f.Match(v) != tc.v || f.Match(used) != tc.used {
			t.Errorf("%v: match %v %v, want %v %v", tc.args, f.Match(v), f.Match(used), tc.v, tc.used)
		}
	}
}

// layer makes a directory standing for one unpacked image layer.
func layer(t *testing.T, build func(dir string)) string {
	t.Helper()
	dir := t.TempDir()
	build(dir)
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestPopulate(t *testing.T) {
	requireRoot(t)
	s, _, _ := newService(t)
	ctx := context.Background()
	outside := t.TempDir()
	must(t, os.WriteFile(filepath.Join(outside, "secret"), []byte("host secret"), 0o600))
	// Bottom layer: /data with files, a hard link, a device, a symlink
	// out of the image, a file the top layer deletes; /etc/passwd.
	bottom := layer(t, func(d string) {
		must(t, os.MkdirAll(filepath.Join(d, "data", "sub"), 0o750))
		must(t, os.WriteFile(filepath.Join(d, "data", "a"), []byte("alpha"), 0o640))
		must(t, os.Chown(filepath.Join(d, "data", "a"), 1000, 1001))
		must(t, os.Link(filepath.Join(d, "data", "a"), filepath.Join(d, "data", "a-link")))
		must(t, os.WriteFile(filepath.Join(d, "data", "sub", "gone"), []byte("deleted above"), 0o644))
		must(t, os.Chown(filepath.Join(d, "data", "sub"), 33, 33))
		must(t, unix.Chmod(filepath.Join(d, "data", "sub"), 0o2750))
		must(t, os.Symlink(outside+"/secret", filepath.Join(d, "data", "escape")))
		must(t, unix.Mknod(filepath.Join(d, "data", "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
		must(t, unix.Chmod(filepath.Join(d, "data", "null"), 0o666))
		must(t, os.Chown(filepath.Join(d, "data"), 999, 999))
		must(t, os.Chmod(filepath.Join(d, "data"), 0o711))
		must(t, os.MkdirAll(filepath.Join(d, "etc"), 0o755))
		must(t, os.WriteFile(filepath.Join(d, "etc", "passwd"), []byte("root:x:0:0::/root:/bin/sh\n"), 0o644))
		// A symlinked mount path that climbs out: resolved inside the image.
		must(t, os.Symlink("../../../../../../"+outside, filepath.Join(d, "link-out")))
	})
	top := layer(t, func(d string) {
		must(t, os.MkdirAll(filepath.Join(d, "data", "sub"), 0o755))
		must(t, os.Chown(filepath.Join(d, "data", "sub"), 33, 33))
		must(t, unix.Chmod(filepath.Join(d, "data", "sub"), 0o2750))
		must(t, unix.Mknod(filepath.Join(d, "data", "sub", "gone"), unix.S_IFCHR, 0)) // whiteout
		must(t, os.WriteFile(filepath.Join(d, "data", "b"), []byte("beta"), 0o4755))
		must(t, unix.Chmod(filepath.Join(d, "data", "b"), 0o4755))
		must(t, os.Chown(filepath.Join(d, "data"), 999, 999))
		must(t, os.Chmod(filepath.Join(d, "data"), 0o711))
	})
	layers := []string{top, bottom}

	if _, _, err := s.Create(ctx, CreateOptions{Name: "vol"}); err != nil {
		t.Fatal(err)
	}
	must(t, s.Populate("vol", layers, "/data"))
	dst := s.Path("vol")
	check := func(rel string, mode os.FileMode, uid, gid int, body string) {
		t.Helper()
		p := filepath.Join(dst, rel)
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != mode {
			t.Errorf("%s: mode %v, want %v", rel, st.Mode(), mode)
		}
		var us unix.Stat_t
		unix.Lstat(p, &us)
		if int(us.Uid) != uid || int(us.Gid) != gid {
			t.Errorf("%s: owner %d:%d, want %d:%d", rel, us.Uid, us.Gid, uid, gid)
		}
		if body != "" {
			if b, _ := os.ReadFile(p); string(b) != body {
				t.Errorf("%s: %q, want %q", rel, b, body)
			}
		}
	}
	check(".", os.ModeDir|0o711, 999, 999, "")
	check("a", 0o640, 1000, 1001, "alpha")
	check("b", os.ModeSetuid|0o755, 0, 0, "beta")
	check("sub", os.ModeDir|os.ModeSetgid|0o750, 33, 33, "")
	check("null", os.ModeDevice|os.ModeCharDevice|0o666, 0, 0, "")
	var a, al unix.Stat_t
	unix.Stat(filepath.Join(dst, "a"), &a)
	unix.Stat(filepath.Join(dst, "a-link"), &al)
	if a.Ino != al.Ino || a.Nlink != 2 {
		t.Errorf("hard link not kept: %d/%d nlink %d", a.Ino, al.Ino, a.Nlink)
	}
	if _, err := os.Lstat(filepath.Join(dst, "sub", "gone")); !os.IsNotExist(err) {
		t.Errorf("a whited-out file was copied: %v", err)
	}
	if target, err := os.Readlink(filepath.Join(dst, "escape")); err != nil || target != outside+"/secret" {
		t.Errorf("symlink: %q %v (copied as a link, never followed)", target, err)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "host secret" {
		t.Error("the copy touched the host")
	}

	// A volume with contents is left as it is.
	must(t, os.Remove(filepath.Join(dst, "a")))
	must(t, s.Populate("vol", layers, "/data"))
	if _, err := os.Stat(filepath.Join(dst, "a")); !os.IsNotExist(err) {
		t.Error("a volume that has contents was filled again")
	}

	// A path through a symlink that climbs out stays in the image: the
	// host directory it names is not copied.
	if _, _, err := s.Create(ctx, CreateOptions{Name: "vol2"}); err != nil {
		t.Fatal(err)
	}
	for _, ls := range [][]string{layers, {bottom}} {
		must(t, s.Populate("vol2", ls, "/link-out"))
		if names, _ := os.ReadDir(s.Path("vol2")); len(names) != 0 {
			t.Errorf("%d layers: a symlink out of the image was followed: %v", len(ls), names)
		}
	}
	// Through an allowed symlink inside the image, and a missing path.
	must(t, s.Populate("vol2", layers, "/missing"))
	must(t, s.Populate("vol2", []string{bottom}, "/etc"))
	if b, _ := os.ReadFile(filepath.Join(s.Path("vol2"), "passwd")); !strings.HasPrefix(string(b), "root:") {
		t.Errorf("one-layer copy: %q", b)
	}
	// No mount of the image view is left behind.
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mi), top) {
		t.Error("the image view stayed mounted")
	}
}

// Layer paths longer than the 256 bytes fsconfig takes in one string.
func TestPopulateLongLayerPaths(t *testing.T) {
	requireRoot(t)
	s, _, _ := newService(t)
	base := t.TempDir()
	var layers []string
	for i := range 3 {
		l := filepath.Join(base, strings.Repeat(string(rune('a'+i)), 200), "fs")
		must(t, os.MkdirAll(filepath.Join(l, "data"), 0o755))
		must(t, os.WriteFile(filepath.Join(l, "data", fmt.Sprint(i)), []byte("x"), 0o644))
		layers = append(layers, l)
	}
	if _, _, err := s.Create(context.Background(), CreateOptions{Name: "long"}); err != nil {
		t.Fatal(err)
	}
	must(t, s.Populate("long", layers, "/data"))
	names, _ := os.ReadDir(s.Path("long"))
	if len(names) != 3 {
		t.Fatalf("copied %v, want the three layers' files", names)
	}
}

// Containers made at once over one new volume: one fills it, none fails.
func TestPopulateConcurrent(t *testing.T) {
	requireRoot(t)
	s, _, _ := newService(t)
	l := layer(t, func(d string) {
		for i := range 300 {
			must(t, os.MkdirAll(filepath.Join(d, "data", fmt.Sprint("d", i)), 0o755))
			must(t, os.WriteFile(filepath.Join(d, "data", fmt.Sprint("d", i), "f"), []byte("x"), 0o644))
		}
	})
	if _, _, err := s.Create(context.Background(), CreateOptions{Name: "shared"}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	start := make(chan struct{})
	for range 8 {
		go func() { <-start; errs <- s.Populate("shared", []string{l}, "/data") }()
	}
	close(start)
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if names, _ := os.ReadDir(s.Path("shared")); len(names) != 300 {
		t.Fatalf("%d entries, want 300", len(names))
	}
}
