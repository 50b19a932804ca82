package testimage

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The users image: what a Dockerfile with a non-root USER makes.
const (
	// UsersSecret is /home/appuser/secret: mode 0400, owned by appuser,
	// in a home directory of mode 0700.
	UsersSecret = "only appuser may read this\n"
	// UsersGNUCat is the host's GNU cat, linked against the C library, so
	// running it makes the dynamic loader read /lib64 and /lib.
	UsersGNUCat = "/opt/gnu/cat"
	// UsersRootCat is the same cat, setuid root (a stand-in for sudo).
	UsersRootCat = "/opt/gnu/rootcat"
)

// UsersConfig is the users image's config: USER appuser, WORKDIR its home.
var UsersConfig = v1.Config{
	Cmd:        []string{"sh"},
	Env:        BusyboxConfig.Env,
	User:       "appuser",
	WorkingDir: "/home/appuser",
}

// Users is busybox plus a layer (UsersLayer) with a non-root user.
func Users(t TB) v1.Image {
	t.Helper()
	return Image(t, UsersConfig, Layer(t, BusyboxLayer(t)), Layer(t, UsersLayer(t)))
}

// UsersLayer is the tar of the users image's second layer:
//
//	/etc/passwd     root, appuser (1000:1000, home /home/appuser), nobody (65534:65534)
//	/etc/group      root 0, wheel 10 (root), staff 50 (appuser), audio 29,
//	                appuser 1000, nogroup 65534
//	/home/appuser   0700 appuser; secret in it 0400 appuser (UsersSecret)
//	/data           0755 appuser: only appuser may write in it
//	/opt/gnu/cat    the host's /usr/bin/cat, 0755 root (UsersGNUCat)
//	/opt/gnu/rootcat  the same, 04755 root (UsersRootCat)
//	the dynamic loader and libraries cat needs, at the paths the host has
//	them (/lib64/ld-linux-x86-64.so.2, /lib/x86_64-linux-gnu/libc.so.6)
func UsersLayer(t TB) []byte {
	t.Helper()
	const bin = "/usr/bin/cat"
	cat, err := os.ReadFile(bin)
	if err != nil {
		t.Fatalf("testimage: %v (the users image takes the host's GNU cat)", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	put := func(name string, typ byte, mode int64, uid int, body []byte) {
		h := &tar.Header{Name: name, Typeflag: typ, Mode: mode, Uid: uid, Gid: uid, ModTime: Epoch, Size: int64(len(body))}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("testimage: %v", err)
		}
		tw.Write(body)
	}
	const app = 1000
	passwd := "root:x:0:0:root:/root:/bin/sh\n" +
		"appuser:x:1000:1000:App User:/home/appuser:/bin/sh\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	group := "root:x:0:\nwheel:x:10:root\nstaff:x:50:appuser\naudio:x:29:\nappuser:x:1000:\nnogroup:x:65534:\n"
	put("etc/", tar.TypeDir, 0o755, 0, nil)
	put("etc/passwd", tar.TypeReg, 0o644, 0, []byte(passwd))
	put("etc/group", tar.TypeReg, 0o644, 0, []byte(group))
	put("home/", tar.TypeDir, 0o755, 0, nil)
	put("home/appuser/", tar.TypeDir, 0o700, app, nil)
	put("home/appuser/secret", tar.TypeReg, 0o400, app, []byte(UsersSecret))
	put("data/", tar.TypeDir, 0o755, app, nil)
	put("opt/", tar.TypeDir, 0o755, 0, nil)
	put("opt/gnu/", tar.TypeDir, 0o755, 0, nil)
	put(strings.TrimPrefix(UsersGNUCat, "/"), tar.TypeReg, 0o755, 0, cat)
	put(strings.TrimPrefix(UsersRootCat, "/"), tar.TypeReg, 0o4755, 0, cat)
	dirs := map[string]bool{"etc": true, "home": true, "opt": true}
	for _, f := range sharedObjects(t, bin) {
		body, err := os.ReadFile(f.host)
		if err != nil {
			t.Fatalf("testimage: %v", err)
		}
		var parents []string
		for d := path.Dir(f.image); d != "." && d != "/" && !dirs[d]; d = path.Dir(d) {
			parents = append([]string{d}, parents...)
			dirs[d] = true
		}
		for _, d := range parents {
			put(d+"/", tar.TypeDir, 0o755, 0, nil)
		}
		put(f.image, tar.TypeReg, 0o755, 0, body)
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("testimage: %v", err)
	}
	return buf.Bytes()
}

// sharedObject is a file the dynamic loader needs: where the host has it
// (links followed) and where the image gets it (relative to /).
type sharedObject struct{ host, image string }

// sharedObjects are the dynamic loader bin names (PT_INTERP) and the
// libraries it loads (DT_NEEDED, found in the loader's own directory or
// the usual library directories), as the host has them.
func sharedObjects(t TB, bin string) []sharedObject {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	defer f.Close()
	var interp string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, err := io.ReadAll(p.Open())
			if err != nil {
				t.Fatalf("testimage: %s: %v", bin, err)
			}
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	if interp == "" {
		t.Fatalf("testimage: %s is not dynamically linked", bin)
	}
	interpReal, err := filepath.EvalSymlinks(interp)
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	out := []sharedObject{{interpReal, strings.TrimPrefix(interp, "/")}}
	libDir := filepath.Dir(interpReal) // e.g. /usr/lib/x86_64-linux-gnu
	imageDir := "lib"
	if arch := filepath.Base(libDir); strings.Contains(arch, "-linux-") {
		imageDir = "lib/" + arch // Debian's multiarch directory
	}
	needed, err := f.ImportedLibraries()
	if err != nil {
		t.Fatalf("testimage: %s: %v", bin, err)
	}
	for _, lib := range needed {
		found := ""
		for _, d := range []string{libDir, "/lib64", "/usr/lib64", "/lib", "/usr/lib"} {
			if p, err := filepath.EvalSymlinks(filepath.Join(d, lib)); err == nil {
				found = p
				break
			}
		}
		if found == "" {
			t.Fatalf("testimage: %s needs %s, which is not in %s or the usual library directories", bin, lib, libDir)
		}
		out = append(out, sharedObject{found, imageDir + "/" + lib})
	}
	return out
}
