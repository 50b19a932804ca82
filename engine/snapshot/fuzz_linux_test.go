package snapshot

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// FuzzUnpack applies arbitrary tar streams to a pending snapshot and checks,
// for every input, that whatever happens (an error or a finished layer):
//   - nothing outside the layer root changed: the directory "outside" next
//     to the store (contents, modes, owners, times, xattrs), the store
//     directory itself, and the snapshot's temporary directory, which must
//     hold nothing but the root "fs";
//   - after Abort (the path Unpack takes on an error) the store is empty;
//   - no file descriptor leaked, and a failed Apply leaves a Pending that
//     refuses to commit;
//   - an error is one printable line (a layer's names must not bring
//     newlines or terminal escapes into it).
//
// The stream is applied as given, and once more, if it parses, with every
// "@OUT@" in its names and link targets replaced by the absolute path of the
// outside directory: that is how the seeds aim absolute symlinks and hard
// links at a real directory beside the root, never at the host's own /etc.
// The seeds run with both resolvers (openat2 and pathrs-lite); the fuzzer
// flips between them.
//
// The workspace (one per fuzzing process) is, under a temporary directory:
//
//	outside/           secret, sub/inner, link -> secret, xattr user.probe
//	snapshots/         the store; during Apply .tmp-<random>/fs is the root
//
// so "../../../outside" climbs from the root to outside/.
func FuzzUnpack(f *testing.F) {
	if os.Geteuid() != 0 {
		f.Fatal("FuzzUnpack needs root (owners, device nodes, trusted xattrs): run it as root, as CI does")
	}
	for _, s := range unpackSeeds(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	w := newFuzzSpace(f)
	f.Fuzz(func(t *testing.T, stream []byte, pathrsOnly bool) {
		w.check(t, stream, pathrsOnly)
		if aimed, ok := aimOutside(stream, w.outside); ok {
			w.check(t, aimed, pathrsOnly)
		}
	})
}

// fuzzOut stands for the absolute path of the outside directory in seeds.
const fuzzOut = "@OUT@"

// maxFuzzLayer bounds the bytes of file content an input may declare. A
// sparse entry declares its size without carrying the bytes, and the
// applier writes holes out in full, so a 1 KiB input could otherwise ask
// for terabytes of zeros: that is not what the fuzzer is here to measure.
const maxFuzzLayer = 64 << 20

// fuzzSpace is one fuzzing process's workspace.
type fuzzSpace struct {
	base, outside string
	store         *Store
}

func newFuzzSpace(f *testing.F) *fuzzSpace {
	base := f.TempDir()
	w := &fuzzSpace{base: base, outside: filepath.Join(base, "outside")}
	if err := os.MkdirAll(filepath.Join(w.outside, "sub"), 0o755); err != nil {
		f.Fatal(err)
	}
	for name, body := range map[string]string{"secret": "keep", "sub/inner": "inner"} {
		if err := os.WriteFile(filepath.Join(w.outside, name), []byte(body), 0o600); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.Symlink("secret", filepath.Join(w.outside, "link")); err != nil {
		f.Fatal(err)
	}
	if err := unix.Setxattr(w.outside, "user.probe", []byte("1"), 0); err != nil {
		f.Fatal(err)
	}
	s, err := New(filepath.Join(base, "snapshots"))
	if err != nil {
		f.Fatal(err)
	}
	w.store = s
	// pathrs-lite keeps a handle on /proc once it has used it: open it
	// now, so that it does not count as a leaked descriptor later.
	for _, pathrsOnly := range []bool{false, true} {
		s.pathrsOnly = pathrsOnly
		p, err := s.Begin(testID(1))
		if err != nil {
			f.Fatal(err)
		}
		_, err = p.Apply(context.Background(), bytes.NewReader(tarBytes(f, reg("a/b/c", "x"), hardlink("a/d", "a/b/c"))))
		p.Abort()
		if err != nil {
			f.Fatal(err)
		}
	}
	return w
}

// check applies one stream and asserts the properties of FuzzUnpack.
func (w *fuzzSpace) check(t *testing.T, stream []byte, pathrsOnly bool) {
	if declaredSize(stream) > maxFuzzLayer {
		return
	}
	fds := fdCount(t)
	w.store.pathrsOnly = pathrsOnly
	p, err := w.store.Begin(testID(1))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(p.tmp, fsDir)
	before := spaceState(t, w.base, root)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, applyErr := p.Apply(ctx, bytes.NewReader(stream))

	if names := dirNames(t, p.tmp); !slices.Equal(names, []string{fsDir}) {
		t.Errorf("the snapshot's temporary directory holds %q, want only %q", names, fsDir)
	}
	after := spaceState(t, w.base, root)
	for _, name := range unionKeys(before, after) {
		if before[name] != after[name] {
			t.Errorf("outside the layer root, %s changed:\n before %q\n after  %q", name, before[name], after[name])
		}
	}
	if applyErr != nil {
		if msg := applyErr.Error(); !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
			t.Errorf("error with control characters or invalid UTF-8: %q", msg)
		}
		if err := p.Commit(); !errdefs.IsConflict(err) {
			t.Errorf("Commit after a failed Apply = %v, want a conflict", err)
		}
	}
	p.Abort()
	if names := dirNames(t, w.store.Dir()); len(names) > 0 {
		t.Errorf("left in the store after Abort: %q", names)
	}
	if n := fdCount(t); n != fds {
		t.Errorf("%d file descriptors open after the unpack, %d before", n, fds)
	}
	if t.Failed() {
		t.Logf("apply error: %v", applyErr)
	}
}

// declaredSize sums the content sizes the stream's headers declare (sparse
// files count their full size), as far as the stream parses.
func declaredSize(stream []byte) int64 {
	tr := tar.NewReader(bytes.NewReader(stream))
	var total int64
	for {
		hdr, err := tr.Next()
		if hdr == nil || (err != nil && !errors.Is(err, tar.ErrInsecurePath)) {
			return total
		}
		if hdr.Size > 0 {
			total += hdr.Size
		}
		if total < 0 || total > maxFuzzLayer {
			return maxFuzzLayer + 1
		}
	}
}

// aimOutside rewrites a stream that parses in full and names fuzzOut
// anywhere, replacing fuzzOut with outside in names and link targets.
func aimOutside(stream []byte, outside string) ([]byte, bool) {
	if !bytes.Contains(stream, []byte(fuzzOut)) {
		return nil, false
	}
	tr := tar.NewReader(bytes.NewReader(stream))
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false
		}
		body, err := io.ReadAll(io.LimitReader(tr, 1<<20+1))
		if err != nil || len(body) > 1<<20 {
			return nil, false
		}
		h := *hdr
		h.Name = strings.ReplaceAll(h.Name, fuzzOut, outside)
		h.Linkname = strings.ReplaceAll(h.Linkname, fuzzOut, outside)
		h.PAXRecords = maps(hdr.PAXRecords, "path", "linkpath")
		h.Size = int64(len(body))
		if h.Typeflag == tar.TypeGNUSparse {
			h.Typeflag = tar.TypeReg
		}
		if tw.WriteHeader(&h) != nil {
			return nil, false
		}
		if _, err := tw.Write(body); err != nil {
			return nil, false
		}
	}
	if tw.Close() != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// maps copies m without the keys drop.
func maps(m map[string]string, drop ...string) map[string]string {
	if m == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range m {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}

// spaceState describes everything under base but the subtree skip (of
// which only the type is kept): type, mode, owner, size, times, content
// digest or link target, and xattrs with their values.
func spaceState(t *testing.T, base, skip string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		if p == skip {
			state[rel] = d.Type().String()
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		desc := fmt.Sprintf("mode=%o uid=%d gid=%d size=%d ino=%d nlink=%d mtime=%d.%d",
			st.Mode, st.Uid, st.Gid, st.Size, st.Ino, st.Nlink, st.Mtim.Sec, st.Mtim.Nsec)
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" sha256=%x", sha256.Sum256(b))
		case unix.S_IFLNK:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " target=" + target
		}
		desc += " xattrs=" + xattrValues(t, p)
		state[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// xattrValues lists the xattrs of p (not following a symlink) with their
// values.
func xattrValues(t *testing.T, p string) string {
	t.Helper()
	var out []string
	for _, name := range xattrNames(t, p) {
		buf := make([]byte, 64<<10)
		n, err := unix.Lgetxattr(p, name, buf)
		if err != nil {
			t.Fatalf("lgetxattr %s %s: %v", p, name, err)
		}
		out = append(out, fmt.Sprintf("%s=%q", name, buf[:n]))
	}
	return strings.Join(out, ",")
}

func unionKeys(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// fdCount is the number of file descriptors this process has open.
func fdCount(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// unpackSeeds are hostile and odd layers. Paths are seen from the layer
// root, which is <base>/snapshots/.tmp-<random>/fs: "../../../outside" is
// the outside directory.
func unpackSeeds(f *testing.F) [][]byte {
	const up = "../../../outside"
	out := fuzzOut
	long := strings.Repeat("n", 255)
	deep := strings.Repeat("d/", 120)
	dev := func(typ byte, name string, major, minor int64) ent {
		return ent{hdr: tar.Header{Typeflag: typ, Name: name, Mode: 0o666, Devmajor: major, Devminor: minor}}
	}
	pax := func(e ent, records map[string]string) ent {
		return e.with(func(h *tar.Header) { h.PAXRecords = records })
	}
	layers := [][]ent{
		// Traversal by name.
		{reg("../../etc/x", "x")},
		{reg(up+"/secret", "pwned")},
		{dirEnt("a/"), reg("a/../../b", "x")},
		{reg("/abs/file", "x"), reg("/../../x", "y"), reg("/etc/passwd", "root::0:0")},
		{reg("./../"+up[3:]+"/new", "x")},
		{reg("a/./b/../../../outside/new", "x")},
		// Symlinks, then entries through them.
		{symlink("l", "/"), reg("l"+out+"/secret", "pwned"), reg("l"+out+"/new", "pwned")},
		{symlink("l", out), reg("l/secret", "pwned"), dirEnt("l/sub/"), reg("l/sub/inner", "pwned")},
		{symlink("l", up), reg("l/secret", "pwned"), reg("l/new", "pwned")},
		{dirEnt("a/"), symlink("a/up", "../"+up), reg("a/up/secret", "pwned")},
		{symlink("dd", ".."), reg("dd/dd/dd/outside/secret", "pwned")},
		{symlink("a", "b"), symlink("b", up), dirEnt("a/new/"), reg("a/new/f", "pwned")},
		{symlink("a", "b"), symlink("b", "a"), reg("a/x", "loop")},
		{symlink("l", up+"/secret"), reg("l", "replaced")},
		{symlink("l", up+"/sub"), dirEnt("l/"), reg("l/inner", "pwned")},
		{symlink("l", up), dev(tar.TypeChar, "l/null", 1, 3), dev(tar.TypeFifo, "l/fifo", 0, 0)},
		{symlink("s", out+"/secret").with(func(h *tar.Header) {
			h.Uid, h.Gid, h.Mode = 123, 456, 0o4777
			h.PAXRecords = map[string]string{"SCHILY.xattr.user.evil": "1", "SCHILY.xattr.trusted.evil": "1"}
		})},
		{symlink("d", "/nonexistent/deeper"), reg("d/f", "x")},
		{symlink("self", "."), reg("self/self/f", "x")},
		{symlink("empty", ""), reg("empty/f", "x")},
		// Hard links out, to directories and to symlinks.
		{hardlink("h", up+"/secret")},
		{hardlink("h", out+"/secret")},
		{symlink("l", out), hardlink("h", "l/secret")},
		{symlink("l", up), hardlink("h", "l/secret")},
		{symlink("up", "../../../../../.."), hardlink("h", "up"+out+"/secret")},
		{dirEnt("d/"), hardlink("h", "d")},
		{hardlink("h", "/")},
		{hardlink("h", "h")},
		{symlink("s", up+"/secret"), hardlink("h", "s"), reg("h", "through the link")},
		{symlink("s", out+"/secret"), hardlink("h", "s"), reg("s", "x"), hardlink("h2", "h")},
		{reg("f", "inside"), symlink("l", out), hardlink("l/f2", "f")},
		{reg("f", "x"), hardlink("g", "f"), reg("f", "y"), hardlink("f", "g")},
		// Whiteouts.
		{reg(".wh..wh..opq", "")},
		{dirEnt("a/"), reg("a/.wh..wh..opq", ""), reg("a/.wh..wh..opq", "")},
		{dirEnt("a/"), reg("a/.wh...", "")},
		{reg(".wh..", ""), reg(".wh.", "")},
		{reg(up+"/.wh.secret", "")},
		{symlink("l", out), reg("l/.wh.secret", ""), reg("l/.wh..wh..opq", "")},
		{symlink("l", up), reg("l/.wh.secret", "")},
		{symlink("s", up+"/secret"), reg(".wh.s", "")},
		{reg(".wh..wh.plnk/1234", "x"), reg("a/.wh..wh.aufs", "")},
		{dirEnt("d/"), reg("d/f", "x"), reg(".wh.d", ""), reg("d/g", "y")},
		// Devices, fifos, owners and special bits.
		{dev(tar.TypeChar, "dev/null", 1, 3), dev(tar.TypeBlock, "dev/sda", 8, 0), dev(tar.TypeFifo, "run/fifo", 0, 0)},
		{dev(tar.TypeChar, "dev/big", 1<<20, 1<<20), dev(tar.TypeBlock, "dev/wh", 0, 0)},
		{dev(tar.TypeBlock, "dev/sda", 8, 0), reg("dev/sda", "over the device")},
		{reg("bin/su", "su").with(func(h *tar.Header) { h.Mode = 0o4755; h.Uid, h.Gid = 0, 0 }),
			reg("bin/sg", "sg").with(func(h *tar.Header) { h.Mode = 0o2711; h.Uid, h.Gid = 1<<31-1, 1<<31-1 }),
			dirEnt("tmp/").with(func(h *tar.Header) { h.Mode = 0o1777 }),
			dirEnt("./").with(func(h *tar.Header) { h.Mode = 0o7777; h.Uid = 65534 })},
		{reg("f", "x").with(func(h *tar.Header) { h.Mode = 0o7777777; h.Uid = 1 << 40; h.Gid = 1<<32 + 5 })},
		// Duplicates and type changes.
		{reg("f", "one"), reg("f", "two"), reg("f", "three")},
		{dirEnt("d/"), reg("d/f", "x"), reg("d", "now a file"), dirEnt("d/")},
		{reg("f", "x"), dirEnt("f/"), reg("f/g", "y"), symlink("f", up)},
		{dirEnt("d/"), symlink("d", up), reg("d/secret", "pwned")},
		{reg("f", "x"), reg("f/g", "y")},
		{reg(".", "x")},
		{dirEnt("."), dirEnt("./"), dirEnt("/"), dirEnt("")},
		// Long names and deep trees.
		{reg(long, "x"), reg(long+"x", "y")},
		{reg(deep+"f", "deep"), symlink(deep+"l", strings.Repeat("../", 123)+"outside"), reg(deep+"l/secret", "pwned")},
		{reg(strings.Repeat("a/", 2100)+"f", "x")},
		{symlink("l", strings.Repeat("x", 5000))},
		{reg(strings.Repeat("a/", 2100)+"\x1b[2J\n\xff/f", "x")},
		{pax(reg("f", "x"), map[string]string{"SCHILY.xattr.user." + long + "\n\x1b[31m": "v"})},
		// PAX records: odd xattrs and overlay steering.
		{pax(reg("f", "x"), map[string]string{
			"SCHILY.xattr.trusted.overlay.opaque":   "y",
			"SCHILY.xattr.trusted.overlay.redirect": "/" + up,
			"SCHILY.xattr.user.overlay.metacopy":    "",
			"SCHILY.xattr.security.capability":      "garbage",
			"SCHILY.xattr.security.selinux":         "system_u:object_r:shadow_t:s0",
			"SCHILY.xattr.user.a/../b":              "slash",
		})},
		{pax(reg("f", "x"), map[string]string{"SCHILY.xattr.user." + long: "long name"})},
		{pax(reg("f", "x"), map[string]string{"SCHILY.xattr.": "empty name"})},
		{pax(reg("f", "x"), map[string]string{"SCHILY.xattr.bogus": "no namespace"})},
		{pax(reg("f", "x"), map[string]string{"SCHILY.xattr.user.big": strings.Repeat("v", 70000)})},
		{pax(dirEnt("d/"), map[string]string{"SCHILY.xattr.trusted.overlay.opaque": "y", "SCHILY.xattr.system.posix_acl_access": "\x02\x00"})},
		{pax(symlink("s", up), map[string]string{"SCHILY.xattr.user.x": "1", "SCHILY.xattr.trusted.x": "1"})},
		{ent{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"path": up + "/secret"}}}, reg("f", "x")},
		// Entry types.
		{{hdr: tar.Header{Typeflag: 'V', Name: "volume", Format: tar.FormatGNU}}},
		{{hdr: tar.Header{Typeflag: tar.TypeCont, Name: "cont", Mode: 0o600}, body: "contiguous"}},
		{{hdr: tar.Header{Typeflag: tar.TypeRegA, Name: "old/", Mode: 0o755, Format: tar.FormatGNU}}},
		{{hdr: tar.Header{Typeflag: 'Z', Name: "unknown"}}},
	}
	var seeds [][]byte
	for _, l := range layers {
		seeds = append(seeds, tarBytes(f, l...))
	}
	// Streams that tar.Writer will not write: declared sizes with no data,
	// truncation, a sparse file far bigger than its tar, garbage.
	whole := tarBytes(f, reg("a", "small"), reg("b", strings.Repeat("0123456789", 300)), reg("c", "after"))
	seeds = append(seeds,
		headerOnly(f, tar.Header{Typeflag: tar.TypeReg, Name: "huge", Size: 1 << 40, Mode: 0o644, Format: tar.FormatPAX}),
		headerOnly(f, tar.Header{Typeflag: tar.TypeReg, Name: "big", Size: 1 << 20, Mode: 0o644, Format: tar.FormatGNU}),
		whole[:1024+100],
		whole[:2048+700],
		whole[:len(whole)-1024],
		whole[512:],
		sparseSeed(f),
		bytes.Repeat([]byte("garbage!"), 128),
		nil,
	)
	return seeds
}

// headerOnly is a stream that ends right after hdr's header block.
func headerOnly(f *testing.F, hdr tar.Header) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&hdr); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes() // no Flush: the content never comes
}

// sparseSeed is a PAX 1.0 sparse file: a tiny map and 512 bytes of data
// standing for a file of 1 MiB. Its realsize is what mutation grows into a
// sparse bomb.
func sparseSeed(f *testing.F) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := tar.Header{Typeflag: tar.TypeReg, Name: "GNUSparseFile.0/sparse", Mode: 0o644, Size: 1024,
		PAXRecords: map[string]string{"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
			"GNU.sparse.name": "sparse", "GNU.sparse.realsize": "1048576"},
		Format: tar.FormatPAX}
	if err := tw.WriteHeader(&hdr); err != nil {
		f.Fatal(err)
	}
	// The map: one entry, offset 4096, 512 bytes; then its data.
	block := make([]byte, 1024)
	copy(block, "1\n4096\n512\n")
	copy(block[512:], strings.Repeat("s", 512))
	if _, err := tw.Write(block); err != nil {
		f.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}
