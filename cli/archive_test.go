package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// mountTmpfs mounts a small tmpfs on a new directory for the test's life.
func mountTmpfs(t *testing.T, flags uintptr, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs (CI runs as root)")
	}
	dir := t.TempDir()
	if err := unix.Mount("berth-test", dir, "tmpfs", flags, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// entries lists a directory's names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.tar")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.tar")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	ro := mountTmpfs(t, unix.MS_RDONLY, "size=64k")
	for _, tc := range []struct {
		name, path string
		class      error
		words      []string // in the message, besides the path
		want       string   // the path to write, when it is fine
	}{
		{name: "existing directory", path: dir + "/", class: errdefs.ErrInvalidArgument,
			words: []string{"it is a directory", "give a file name, e.g. -o " + dir + "/image.tar"}},
		{name: "existing directory without slash", path: dir, class: errdefs.ErrInvalidArgument,
			words: []string{"it is a directory", "-o " + dir + "/image.tar"}},
		{name: "missing directory with slash", path: dir + "/new/", class: errdefs.ErrInvalidArgument,
			words: []string{"a name ending in / is a directory", "-o " + dir + "/new/image.tar"}},
		{name: "missing parent", path: dir + "/no/such/x.tar", class: errdefs.ErrInvalidArgument,
			words: []string{"directory " + dir + "/no/such does not exist", "mkdir -p " + dir + "/no/such"}},
		{name: "parent is a file", path: file + "/x.tar", class: errdefs.ErrInvalidArgument,
			words: []string{"a part of the path is not a directory"}},
		{name: "read-only file system", path: ro + "/x.tar", class: errdefs.ErrPermissionDenied,
			words: []string{"the file system is read-only", "choose a place you can write to"}},
		{name: "device", path: "/dev/null", class: errdefs.ErrInvalidArgument,
			words: []string{"it is not a regular file (a character device)", "leave out -o"}},
		{name: "new file", path: dir + "/new.tar", want: dir + "/new.tar"},
		{name: "existing file is replaced", path: file, want: file},
		{name: "a symlink's target is replaced, not the link", path: link, want: file},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkOutput(tc.path)
			if tc.class == nil {
				if err != nil || got != tc.want {
					t.Fatalf("checkOutput(%s) = %q, %v; want %q", tc.path, got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, tc.class) {
				t.Fatalf("checkOutput(%s): %v, want class %v", tc.path, err, tc.class)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "cannot write the archive to "+tc.path+": ") || strings.Contains(msg, "\n") {
				t.Errorf("message does not start with the path or is not one line: %q", msg)
			}
			for _, w := range tc.words {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
	if got := entries(t, dir); strings.Join(got, ",") != "file.tar,link.tar" {
		t.Errorf("checks wrote into %s: %v", dir, got)
	}
}

// The CLI says what is wrong with -o before it opens the engine or writes
// anything.
func TestSaveToDirectoryFailsUpFront(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(t.TempDir(), "root") // never created: the engine is not opened
	var out, errOut bytes.Buffer
	a := &app{out: &out, errOut: &errOut}
	cmd := a.command(nil)
	cmd.SetArgs([]string{"--root", root, "--run-root", root + "-run", "save", "-o", dir + "/", "busybox"})
	err := cmd.ExecuteContext(context.Background())
	want := "cannot write the archive to " + dir + "/: it is a directory: give a file name, e.g. -o " + dir + "/image.tar"
	if err == nil || err.Error() != want {
		t.Fatalf("save -o dir/: %v\nwant: %s", err, want)
	}
	if exitCode(err) != 1 {
		t.Errorf("exit code %d, want 1", exitCode(err))
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the engine was opened (root %s exists: %v)", root, err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("save left %v in %s", got, dir)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.tar")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A failing fill keeps the old file and leaves no temp file.
	boom := errdefs.NotFound("no such image")
	err := writeFileAtomic(path, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if err != boom {
		t.Fatalf("failed fill: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("failed fill changed the file: %q", b)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("failed fill left %v", got)
	}
	// A good fill replaces the file, readable by all like a redirect's.
	if err := writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if b, _ := os.ReadFile(path); err != nil || string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Errorf("after write: %q, %v, %v", b, fi.Mode(), err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("write left %v", got)
	}
}

// A full disk while writing is said as such, for the archive's path, and
// leaves nothing behind.
func TestWriteFileAtomicDiskFull(t *testing.T) {
	dir := mountTmpfs(t, 0, "size=64k")
	path := filepath.Join(dir, "big.tar")
	err := writeFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(make([]byte, 1<<20))
		return err
	})
	if !errdefs.IsResourceExhausted(err) || !strings.HasPrefix(err.Error(), "cannot write the archive to "+path+": no space left") {
		t.Fatalf("full disk: %v", err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("full disk left %v", got)
	}
}

func TestOpenInput(t *testing.T) {
	dir := t.TempDir()
	if _, err := openInput(dir); !errdefs.IsInvalidArgument(err) ||
		err.Error() != "cannot read the archive "+dir+": it is a directory: give the tar file, e.g. -i "+dir+"/image.tar" {
		t.Errorf("load -i dir: %v", err)
	}
	if _, err := openInput(dir + "/none.tar"); !errdefs.IsNotFound(err) ||
		err.Error() != "cannot read the archive "+dir+"/none.tar: no such file: check the path" {
		t.Errorf("load -i missing: %v", err)
	}
}
