package image_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"berth/engine/content"
	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/snapshot"
	"berth/engine/store"
	"berth/internal/testimage"
)

// Docker's reference grammar (distribution/reference), the oracle for what
// ParseRef may accept: a normalized name, then a tag or a digest.
var (
	fzRefPathComponent = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	fzRefDomain        = `(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?`
	fzRefRepo          = regexp.MustCompile(`^` + fzRefDomain + `/` + fzRefPathComponent + `(?:/` + fzRefPathComponent + `)*$`)
	fzRefTag           = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	fzRefDigest        = regexp.MustCompile(`^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$`)
)

// FuzzParseRef checks ParseRef on any string: it never panics; an error is
// an invalid-argument error of one printable line; a reference it accepts
// is valid in Docker's grammar, has exactly one of tag and digest,
// re-parses to itself from both its full and its familiar form, and a name
// of one component is Docker Hub's library/.
func FuzzParseRef(f *testing.F) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, s := range []string{
		"busybox", "busybox:1.36", "library/busybox", "docker.io/busybox", "index.docker.io/library/busybox:latest",
		"user/app:v1", "docker.io/library/library/x", "docker.io/library/a/b:1", "docker.io/foo.bar/x", "docker.io/localhost/x",
		"library/a/b", "localhost", "localhost/a", "localhost:5000", "localhost:5000/a", "localhost:5000/a/b:tag",
		"127.0.0.1:5000/big", "127.0.0.1:5000/big:latest", "[::1]:5000/a:v1", "[::1]/a", "[fe80::1%25eth0]:5000/a",
		"example.com/a/b/c/d@" + digest, "busybox@" + digest, "busybox:1.36@" + digest, "busybox@sha256:abc",
		"busybox@sha256:" + strings.Repeat("AB", 32), "busybox@sha512:" + strings.Repeat("a", 128), "busybox@md5:" + strings.Repeat("a", 32),
		"Busybox", "EXAMPLE.COM/busybox", "busybox:Latest", "busybox:-x", "busybox:.x", "busybox:" + strings.Repeat("t", 129),
		":", "::", "@", ":tag", "@" + digest, "/", "//", "a//b", "a/", "/a", "a..b", "a__b", "a___b", "a--b", "-a", "a-",
		"a:b:c", "a@b@c", "a b", "a\nb", "a\x1b[31mb", "büsybox", "bücher.de/x", "xn--bcher-kva.de/x", "a_b.c-d.example.com:443/x",
		strings.Repeat("a", 256), strings.Repeat("a/", 127) + "a", "example.com/" + strings.Repeat("a", 250),
		"docker.io", "docker.io/", "docker.io/library", "sha256:" + strings.Repeat("ab", 32), strings.Repeat("ab", 32),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := image.ParseRef(s)
		if err != nil {
			if !errdefs.IsInvalidArgument(err) {
				t.Errorf("ParseRef(%q) error %v is not an invalid argument", s, err)
			}
			if msg := err.Error(); !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
				t.Errorf("ParseRef(%q) error is not one printable line: %q", s, msg)
			}
			return
		}
		full := r.String()
		if !fzRefRepo.MatchString(r.Repo) || len(r.Repo) > 255 {
			t.Errorf("ParseRef(%q) accepted repository %q, which Docker's grammar refuses", s, r.Repo)
		}
		switch {
		case (r.Tag == "") == (r.Digest == ""):
			t.Errorf("ParseRef(%q) = tag %q, digest %q: want exactly one", s, r.Tag, r.Digest)
		case r.Tag != "" && !fzRefTag.MatchString(r.Tag):
			t.Errorf("ParseRef(%q) accepted tag %q", s, r.Tag)
		case r.Digest != "" && !fzRefDigest.MatchString(r.Digest):
			t.Errorf("ParseRef(%q) accepted digest %q", s, r.Digest)
		}
		if want := strings.TrimPrefix(r.Repo, strings.SplitN(r.Repo, "/", 2)[0]+"/"); r.Path() != want {
			t.Errorf("ParseRef(%q).Path() = %q, want %q", s, r.Path(), want)
		}
		for _, form := range []string{full, r.Familiar()} {
			again, err := image.ParseRef(form)
			if err != nil {
				t.Errorf("ParseRef(%q) = %q, which does not parse: %v", s, form, err)
				continue
			}
			if again.Repo != r.Repo || again.Tag != r.Tag || again.Digest != r.Digest {
				t.Errorf("ParseRef(%q) = %q, but %q parses to %q", s, full, form, again.String())
			}
		}
		name, _, _ := strings.Cut(s, "@")
		if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
			name = name[:i]
		}
		if !strings.Contains(name, "/") && r.Repo != "docker.io/library/"+name {
			t.Errorf("ParseRef(%q).Repo = %q, want docker.io/library/%s", s, r.Repo, name)
		}
		if r.Tag != "" {
			if repo, tag := image.SplitFamiliar(full); repo != image.Familiar(r.Repo) || tag != r.Tag {
				t.Errorf("SplitFamiliar(%q) = %q, %q; want %q, %q", full, repo, tag, image.Familiar(r.Repo), r.Tag)
			}
		}
	})
}

// FuzzLoad feeds arbitrary tars to Load and checks after every input that,
// error or not:
//   - every blob in the content store matches its digest, and nothing is
//     left half-written (blobs/ingest, snapshots/.tmp-*);
//   - every image recorded is whole (its config, manifest and layer blobs
//     and its layers' snapshots exist), and every name Load printed resolves;
//   - Load wrote nothing outside the root's own files, and holds no lease
//     and no descriptor on a blob or snapshot once it returns;
//   - an error has a class and is one printable line;
//   - memory obtained from the system grew by less than fzMaxGrowth plus a
//     few times the input's size: declared sizes never become allocations.
//
// Opening a root costs more than most loads, so each fuzzing process keeps
// one and starts a fresh one every fzRootUses inputs; the checks above hold
// for a root that earlier inputs have filled as much as for an empty one.
func FuzzLoad(f *testing.F) {
	if os.Geteuid() != 0 {
		f.Fatal("FuzzLoad needs root (layers carry owners and device nodes): run it as root, as CI does")
	}
	for _, a := range fzLoadSeeds(f) {
		f.Add(a)
	}
	w := &fzWorker{base: f.TempDir()}
	f.Cleanup(w.close)
	f.Fuzz(func(t *testing.T, archive []byte) { w.check(t, archive) })
}

const (
	// fzMaxGrowth bounds what one Load may add to the process's memory on
	// top of a small multiple of its input (a zstd layer may use a window
	// of up to 128 MiB).
	fzMaxGrowth = 192 << 20
	// fzRootUses is how many inputs one root takes before a fresh one.
	fzRootUses = 200
)

// fzWorker is one fuzzing process's berth root and what it has checked.
type fzWorker struct {
	base     string
	n        int // roots opened
	uses     int
	root     *fzRoot
	verified map[string]int64 // blob digest -> size when its content was checked
}

// fzRoot is a berth root: the stores Load works on.
type fzRoot struct {
	dir   string
	db    *store.Store
	blobs *content.Store
	snaps *snapshot.Store
	svc   *image.Service
}

func (w *fzWorker) close() {
	if w.root != nil {
		w.root.db.Close()
		os.RemoveAll(w.root.dir)
		w.root = nil
	}
}

// open returns the worker's root, a fresh one every fzRootUses inputs.
func (w *fzWorker) open(t *testing.T) *fzRoot {
	t.Helper()
	if w.root != nil && w.uses < fzRootUses {
		w.uses++
		return w.root
	}
	w.close()
	w.n++
	w.uses, w.verified = 1, map[string]int64{}
	r := &fzRoot{dir: filepath.Join(w.base, fmt.Sprint(w.n))}
	var err error
	if r.db, err = store.Open(filepath.Join(r.dir, "db")); err != nil {
		t.Fatal(err)
	}
	if r.blobs, err = content.New(filepath.Join(r.dir, "blobs")); err != nil {
		t.Fatal(err)
	}
	if r.snaps, err = snapshot.New(filepath.Join(r.dir, "snapshots")); err != nil {
		t.Fatal(err)
	}
	r.svc = image.NewService(r.db, r.blobs, r.snaps)
	w.root = r
	return r
}

func (w *fzWorker) check(t *testing.T, archive []byte) {
	r := w.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	res, err := r.svc.Load(ctx, bytes.NewReader(archive))
	runtime.ReadMemStats(&m1)
	if grew := int64(m1.Sys) - int64(m0.Sys); grew > fzMaxGrowth+8*int64(len(archive)) {
		t.Errorf("Load of a %d-byte archive grew the process by %d MiB", len(archive), grew>>20)
	}

	if err != nil {
		if !errdefs.Classified(err) {
			t.Errorf("Load error has no class: %v", err)
		}
		if msg := err.Error(); !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
			t.Errorf("Load error is not one printable line: %q", msg)
		}
	} else if len(res.Loaded) == 0 {
		t.Error("Load succeeded but loaded nothing")
	}
	w.checkBlobs(t)
	r.checkRecords(t, ctx, res)
	r.checkFiles(t)
	if t.Failed() {
		w.close() // the next input starts on a clean root
		t.Logf("Load: %+v, %v", res, err)
	}
}

// checkBlobs checks that every blob matches its digest; a blob checked
// before is checked again only if its size changed.
func (w *fzWorker) checkBlobs(t *testing.T) {
	t.Helper()
	blobs, err := w.root.blobs.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range blobs {
		size, err := w.root.blobs.Stat(d)
		if err != nil {
			t.Errorf("blob %s: %v", d, err)
			continue
		}
		if was, ok := w.verified[d]; ok && was == size {
			continue
		}
		b, err := w.root.blobs.ReadAll(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("sha256:%x", sha256.Sum256(b)); got != d {
			t.Errorf("blob %s holds content of digest %s", d, got)
		}
		w.verified[d] = size
	}
}

// checkRecords checks the image records, the leases and the names Load
// printed.
func (r *fzRoot) checkRecords(t *testing.T, ctx context.Context, res image.LoadResult) {
	t.Helper()
	err := r.db.View(ctx, func(tx *store.Tx) error {
		imgs, err := tx.Images()
		if err != nil {
			return err
		}
		for _, img := range imgs {
			need := []string{img.ID, img.ManifestDigest}
			for _, l := range img.Layers {
				need = append(need, l.BlobDigest)
				if !r.snaps.Exists(l.DiffID) {
					t.Errorf("image %s is recorded but the snapshot of its layer %s is missing", img.ID, l.DiffID)
				}
			}
			for _, d := range need {
				if !r.blobs.Exists(d) {
					t.Errorf("image %s is recorded but its blob %s is missing", img.ID, d)
				}
			}
		}
		leases, err := tx.LiveLeases()
		if err != nil {
			return err
		}
		if len(leases) > 0 {
			t.Errorf("leases left after Load: %v", leases)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range res.Loaded {
		ref := strings.TrimPrefix(strings.TrimPrefix(line, "Loaded image ID: "), "Loaded image: ")
		if _, err := r.svc.Inspect(ctx, ref); err != nil {
			t.Errorf("Load said %q, but %s does not resolve: %v", line, ref, err)
		}
	}
}

// checkFiles checks that the root holds only what the stores make, nothing
// half-written, and that no descriptor is left open on a blob or snapshot.
func (r *fzRoot) checkFiles(t *testing.T) {
	t.Helper()
	parent := fzList(t, filepath.Dir(r.dir))
	if !slices.Equal(parent, []string{filepath.Base(r.dir)}) {
		t.Errorf("beside the root: %q", parent)
	}
	for _, name := range fzList(t, r.dir) {
		if !slices.Contains([]string{"blobs", "db", "db-shm", "db-wal", "snapshots"}, name) {
			t.Errorf("unexpected file in the root: %s", name)
		}
	}
	if left := testimage.Leftovers(r.dir); len(left) > 0 {
		t.Errorf("left half-written: %q", left)
	}
	for _, name := range fzList(t, filepath.Join(r.dir, "blobs")) {
		if name != "sha256" && name != "ingest" {
			t.Errorf("unexpected file in blobs/: %s", name)
		}
	}
	for _, fd := range fzList(t, "/proc/self/fd") {
		target, err := os.Readlink("/proc/self/fd/" + fd)
		if err != nil {
			continue // the descriptor of the listing itself, closed by now
		}
		for _, dir := range []string{"blobs", "snapshots"} {
			if strings.HasPrefix(target, filepath.Join(r.dir, dir)+"/") {
				t.Errorf("descriptor %s is still open on %s", fd, target)
			}
		}
	}
}

func fzList(t *testing.T, dir string) []string {
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

// fzFile is one entry of a hand-made archive.
type fzFile struct {
	name     string
	body     []byte
	typ      byte // tar.TypeReg if 0
	linkname string
	size     int64 // the declared size if not 0; the body is cut or padded to it
}

// fzTar writes the files as a tar. A file whose declared size differs from
// its body ends the archive right after its header block.
func fzTar(f *testing.F, files ...fzFile) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, a := range files {
		h := &tar.Header{Name: a.name, Typeflag: a.typ, Linkname: a.linkname, Mode: 0o644, ModTime: testimage.Epoch, Size: int64(len(a.body))}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if a.size != 0 {
			h.Size = a.size
		}
		if err := tw.WriteHeader(h); err != nil {
			f.Fatal(err)
		}
		if h.Size != int64(len(a.body)) && h.Typeflag == tar.TypeReg {
			return buf.Bytes()
		}
		if _, err := tw.Write(a.body); err != nil {
			f.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

func fzBlobName(b []byte) string { return "blobs/sha256/" + fzHex(b) }

func fzHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func fzJSON(f *testing.F, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// fzImage is a small image's blobs: an uncompressed layer, its gzip blob,
// a config and a schema 2 manifest.
type fzImage struct {
	layer, blob, config, manifest []byte
}

func newFzImage(f *testing.F, layer []byte, diffIDs ...string) fzImage {
	im := fzImage{layer: layer, blob: testimage.Gzip(layer)}
	if diffIDs == nil {
		diffIDs = []string{testimage.Digest(layer)}
	}
	im.config = testimage.ConfigFor(diffIDs...)
	type desc struct {
		MediaType types.MediaType `json:"mediaType"`
		Size      int64           `json:"size"`
		Digest    string          `json:"digest"`
	}
	im.manifest = fzJSON(f, map[string]any{
		"schemaVersion": 2, "mediaType": types.DockerManifestSchema2,
		"config": desc{types.DockerConfigJSON, int64(len(im.config)), testimage.Digest(im.config)},
		"layers": []desc{{types.DockerLayer, int64(len(im.blob)), testimage.Digest(im.blob)}},
	})
	return im
}

// index is an OCI index.json naming the manifest, with a name annotation.
func (im fzImage) index(f *testing.F, name string) []byte {
	return fzJSON(f, map[string]any{
		"schemaVersion": 2, "mediaType": types.OCIImageIndex,
		"manifests": []map[string]any{{
			"mediaType": types.DockerManifestSchema2, "size": len(im.manifest), "digest": testimage.Digest(im.manifest),
			"annotations": map[string]string{"io.containerd.image.name": name, "org.opencontainers.image.ref.name": "1"},
			"platform":    map[string]string{"os": "linux", "architecture": "amd64"},
		}},
	})
}

// saved is the image as berth save writes it: docker-archive and OCI
// layout in one tar. extra files come first, manifest names replace the
// manifest.json entry if given.
func (im fzImage) saved(f *testing.F, manifest []byte, extra ...fzFile) []byte {
	if manifest == nil {
		manifest = fzJSON(f, []map[string]any{{"Config": fzBlobName(im.config), "RepoTags": []string{"fuzz:1"}, "Layers": []string{fzBlobName(im.blob)}}})
	}
	files := append(extra,
		fzFile{name: fzBlobName(im.manifest), body: im.manifest},
		fzFile{name: fzBlobName(im.config), body: im.config},
		fzFile{name: fzBlobName(im.blob), body: im.blob},
		fzFile{name: "index.json", body: im.index(f, "docker.io/library/fuzz:1")},
		fzFile{name: "manifest.json", body: manifest},
		fzFile{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
	)
	return fzTar(f, files...)
}

// fzLoadSeeds are valid archives of the three kinds Load reads and hostile
// or broken ones.
func fzLoadSeeds(f *testing.F) [][]byte {
	layer := testimage.Tar(
		testimage.Entry{Name: "etc/", Type: tar.TypeDir},
		testimage.Entry{Name: "etc/hello", Body: "hello\n"},
		testimage.Entry{Name: "bin/sh", Type: tar.TypeSymlink, Linkname: "/bin/busybox"},
	)
	im := newFzImage(f, layer)
	cfgHex := fzHex(im.config)
	oldManifest := func(cfg string, layers []string, tags ...string) []byte {
		return fzJSON(f, []map[string]any{{"Config": cfg, "RepoTags": tags, "Layers": layers}})
	}
	// docker save before Docker 25: <id>.json config, <dir>/layer.tar.
	oldArchive := func(manifest []byte, extra ...fzFile) []byte {
		return fzTar(f, append(extra,
			fzFile{name: "l1/", typ: tar.TypeDir},
			fzFile{name: "l1/layer.tar", body: layer},
			fzFile{name: cfgHex + ".json", body: im.config},
			fzFile{name: "repositories", body: []byte(`{"fuzz":{"1":"l1"}}`)},
			fzFile{name: "manifest.json", body: manifest},
		)...)
	}
	ociOnly := func(index []byte, extra ...fzFile) []byte {
		return fzTar(f, append(extra,
			fzFile{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
			fzFile{name: "index.json", body: index},
			fzFile{name: fzBlobName(im.manifest), body: im.manifest},
			fzFile{name: fzBlobName(im.config), body: im.config},
			fzFile{name: fzBlobName(im.blob), body: im.blob},
		)...)
	}
	nested := fzJSON(f, map[string]any{"schemaVersion": 2, "mediaType": types.OCIImageIndex,
		"manifests": []map[string]any{{"mediaType": types.OCIImageIndex, "size": len(im.index(f, "x")), "digest": testimage.Digest(im.index(f, "x"))}}})
	otherLayer := testimage.Tar(testimage.Entry{Name: "other", Body: "other"})
	escaping := testimage.Tar(testimage.Entry{Name: "../../../../evil", Body: "x"})
	escImg := newFzImage(f, escaping)
	twoLayers := newFzImage(f, layer, testimage.Digest(layer), testimage.Digest(layer))
	wrongDiff := newFzImage(f, layer, testimage.Digest(otherLayer))
	many := make([]string, 2000)
	for i := range many {
		many[i] = "l1/layer.tar"
	}
	return [][]byte{
		// Valid: berth save (docker-archive + OCI layout), old docker save, OCI only.
		im.saved(f, nil),
		oldArchive(oldManifest(cfgHex+".json", []string{"l1/layer.tar"}, "fuzz:1", "example.com:5000/a/b:2")),
		ociOnly(im.index(f, "docker.io/library/fuzz:1")),
		ociOnly(nested, fzFile{name: fzBlobName(im.index(f, "x")), body: im.index(f, "x")}),
		oldArchive(oldManifest(cfgHex+".json", []string{"l1/layer.tar"})),
		// manifest.json names paths outside the archive.
		oldArchive(oldManifest("../../etc/passwd", []string{"l1/layer.tar"}, "fuzz:1")),
		oldArchive(oldManifest(cfgHex+".json", []string{"../../../etc/shadow"}, "fuzz:1")),
		oldArchive(oldManifest("/"+cfgHex+".json", []string{"./l1/../l1/layer.tar"}, "fuzz:1")),
		im.saved(f, oldManifest(fzBlobName(im.config), []string{"blobs/sha256/../../l1/layer.tar"}, "fuzz:1")),
		// Bad tags.
		oldArchive(oldManifest(cfgHex+".json", []string{"l1/layer.tar"}, "UPPER:1", "a:b:c", "x@sha256:1", "\x1b[2J:1")),
		ociOnly(im.index(f, "\x1b[31mred/x:1\n")),
		// Blobs that do not match their names, missing blobs.
		fzTar(f, fzFile{name: fzBlobName(im.config), body: im.manifest}, fzFile{name: "manifest.json", body: []byte("[]")}),
		fzTar(f, fzFile{name: "blobs/sha256/" + strings.Repeat("0", 64), body: []byte("x")}),
		fzTar(f, fzFile{name: "blobs/sha256/NOTHEX", body: []byte("x")}, fzFile{name: "index.json", body: []byte("{}")}),
		im.saved(f, oldManifest(fzBlobName(im.config), []string{fzBlobName(otherLayer)}, "fuzz:1")),
		ociOnly(fzJSON(f, map[string]any{"schemaVersion": 2, "manifests": []map[string]any{{"mediaType": types.OCIManifestSchema1, "size": 1, "digest": "sha256:" + strings.Repeat("1", 64)}}})),
		// Layers that disagree with the config, or escape their root.
		wrongDiff.saved(f, nil),
		twoLayers.saved(f, nil),
		escImg.saved(f, nil),
		oldArchive(fzJSON(f, []map[string]any{{"Config": cfgHex + ".json", "Layers": many}})),
		// Symlinks and hard links in the archive, in place of metadata and blobs.
		fzTar(f, fzFile{name: "manifest.json", typ: tar.TypeSymlink, linkname: "/etc/passwd"},
			fzFile{name: fzBlobName(im.config), typ: tar.TypeLink, linkname: "/etc/shadow"},
			fzFile{name: "index.json", typ: tar.TypeSymlink, linkname: "../../../../etc/passwd"}),
		im.saved(f, nil, fzFile{name: "../../escape.json", body: []byte("{}")}, fzFile{name: "/abs/x", body: []byte("x")}),
		// Huge declared sizes, cut archives, nested archives, non-tars.
		fzTar(f, fzFile{name: "manifest.json", body: []byte("[]"), size: 1 << 40}),
		fzTar(f, fzFile{name: fzBlobName(im.blob), body: im.blob, size: 1 << 34}),
		fzTar(f, fzFile{name: "index.json", body: []byte("{}"), size: 15 << 20}),
		im.saved(f, nil)[:1500],
		fzTar(f, fzFile{name: "inner.tar", body: im.saved(f, nil)}),
		fzTar(f, fzFile{name: "l1/layer.tar", body: fzTar(f, fzFile{name: "layer.tar", body: layer})},
			fzFile{name: cfgHex + ".json", body: im.config},
			fzFile{name: "manifest.json", body: oldManifest(cfgHex+".json", []string{"l1/layer.tar"}, "fuzz:1")}),
		testimage.Gzip(im.saved(f, nil)),
		[]byte("not a tar at all, not even close, just some text that is long enough"),
		nil,
	}
}
