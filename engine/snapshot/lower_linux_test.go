package snapshot

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// lowerStack makes two layers by hand, top first:
//
//	top:    etc/ (opaque) etc/a   gone (whiteout)   link -> /   dir/ dir/top   swap (file)
//	bottom: etc/ etc/a etc/b      gone              tmp/        dir/ dir/low   swap/ swap/x
func lowerStack(t *testing.T) []string {
	t.Helper()
	top, bottom := t.TempDir(), t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"etc", "dir"} {
		must(os.Mkdir(filepath.Join(top, d), 0o755))
	}
	must(unix.Setxattr(filepath.Join(top, "etc"), opaqueXattr, []byte("y"), 0))
	must(os.WriteFile(filepath.Join(top, "etc/a"), nil, 0o644))
	must(os.WriteFile(filepath.Join(top, "dir/top"), nil, 0o644))
	must(os.WriteFile(filepath.Join(top, "swap"), nil, 0o644))
	must(unix.Mknod(filepath.Join(top, "gone"), unix.S_IFCHR, 0))
	must(os.Symlink("/", filepath.Join(top, "link")))
	for _, d := range []string{"etc", "tmp", "dir", "swap"} {
		must(os.Mkdir(filepath.Join(bottom, d), 0o755))
	}
	for _, f := range []string{"etc/a", "etc/b", "gone", "dir/low", "swap/x"} {
		must(os.WriteFile(filepath.Join(bottom, f), nil, 0o644))
	}
	return []string{top, bottom}
}

func TestLowerDirView(t *testing.T) {
	requireRoot(t)
	root, err := OpenLowerDir(lowerStack(t))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	names, err := root.Names()
	if err != nil || !slices.Equal(names, []string{"dir", "etc", "link", "swap", "tmp"}) {
		t.Errorf("root names %q, %v", names, err)
	}
	for _, tc := range []struct {
		name  string
		found bool
		mode  uint32
	}{
		{"etc", true, unix.S_IFDIR}, {"gone", false, 0}, {"link", true, unix.S_IFLNK},
		{"swap", true, unix.S_IFREG}, {"tmp", true, unix.S_IFDIR}, {"nothing", false, 0},
	} {
		st, found, err := root.Lookup(tc.name)
		if err != nil || found != tc.found || (found && st.Mode&unix.S_IFMT != tc.mode) {
			t.Errorf("lookup %s: found %v mode %o, %v", tc.name, found, st.Mode&unix.S_IFMT, err)
		}
	}
	for _, tc := range []struct {
		dir   string
		names []string
	}{
		{"etc", []string{"a"}},          // opaque in the top layer
		{"dir", []string{"low", "top"}}, // merged
		{"link", nil},                   // a symlink is no directory, even to "/"
		{"swap", nil},                   // a file on top hides the directory below
		{"gone", nil},                   // whited out
		{"nothing", nil},                // missing
	} {
		d, err := root.Open(tc.dir)
		if err != nil {
			t.Fatalf("open %s: %v", tc.dir, err)
		}
		names, err := d.Names()
		d.Close()
		if err != nil || !slices.Equal(names, tc.names) {
			t.Errorf("%s names %q, %v; want %q", tc.dir, names, err, tc.names)
		}
	}
	etc, err := root.Open("etc")
	if err != nil {
		t.Fatal(err)
	}
	defer etc.Close()
	if _, found, err := etc.Lookup("b"); found || err != nil {
		t.Errorf("etc/b under an opaque directory: found %v, %v", found, err)
	}
	for _, bad := range []string{"", ".", "..", "../etc", "etc/a", "/etc"} {
		if _, _, err := root.Lookup(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("lookup %q: %v", bad, err)
		}
		if _, err := root.Open(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("open %q: %v", bad, err)
		}
	}
	if _, err := OpenLowerDir([]string{filepath.Join(t.TempDir(), "missing")}); !errdefs.IsDataCorrupt(err) {
		t.Errorf("missing layer: %v", err)
	}
}
