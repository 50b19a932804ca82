// Package testimage builds the images berth's tests and benchmarks pull, and
// serves them from a registry on 127.0.0.1: a runnable busybox, layers of
// random data, multi-platform indexes, and hostile or broken images written
// byte by byte. Nothing here reaches the network beyond loopback.
package testimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Epoch is the fixed time stamped on everything, so digests are stable.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// BusyboxPath is where Debian's busybox-static puts the static binary.
const BusyboxPath = "/bin/busybox"

// TB is the part of testing.TB used here.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Registry is an in-memory OCI registry on 127.0.0.1 with fault injection.
type Registry struct {
	Host string // "127.0.0.1:port"
	srv  *httptest.Server

	mu     sync.Mutex
	faults map[string]Fault // by blob digest
	user   string           // with pass: Basic auth required when set
	pass   string
}

// RequireAuth makes every request need HTTP Basic credentials user:pass.
func (r *Registry) RequireAuth(user, pass string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.user, r.pass = user, pass
}

// Fault changes how one blob is served.
type Fault int

const (
	// CutHalfway sends half the blob, then drops the connection.
	CutHalfway Fault = iota + 1
	// FlipByte serves the blob with one byte changed.
	FlipByte
	// Stall sends half the blob, then waits until the client goes away.
	Stall
)

// NewRegistry starts a registry; it stops when the test ends.
func NewRegistry(t TB) *Registry {
	t.Helper()
	r := &Registry{faults: map[string]Fault{}}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.serve(h, w, req)
	}))
	r.Host = strings.TrimPrefix(r.srv.URL, "http://")
	t.Cleanup(r.srv.Close)
	return r
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }

// SetFault makes the registry serve blob digest with fault f (0 clears).
func (r *Registry) SetFault(digest string, f Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f == 0 {
		delete(r.faults, digest)
		return
	}
	r.faults[digest] = f
}

func (r *Registry) serve(h http.Handler, w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	user, pass := r.user, r.pass
	r.mu.Unlock()
	if u, p, ok := req.BasicAuth(); user != "" && (!ok || u != user || p != pass) {
		w.Header().Set("WWW-Authenticate", `Basic realm="berth-test"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		return
	}
	i := strings.LastIndex(req.URL.Path, "/blobs/")
	if req.Method != http.MethodGet || i < 0 {
		h.ServeHTTP(w, req)
		return
	}
	r.mu.Lock()
	f := r.faults[req.URL.Path[i+len("/blobs/"):]]
	r.mu.Unlock()
	if f == 0 {
		h.ServeHTTP(w, req)
		return
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(rec.Code)
	switch f {
	case FlipByte:
		body = bytes.Clone(body)
		body[len(body)/2] ^= 0xff
		w.Write(body)
	case CutHalfway:
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // drops the connection
	case Stall:
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		<-req.Context().Done()
	}
}

// Push writes img to host/repo:tag.
func Push(t TB, host, repoTag string, img v1.Image) {
	t.Helper()
	ref, err := name.ParseReference(host + "/" + repoTag)
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("testimage: push %s: %v", ref, err)
	}
}

// PushIndex writes an index of imgs (with their platforms) to host/repo:tag.
func PushIndex(t TB, host, repoTag string, imgs map[string]v1.Image) {
	t.Helper()
	var adds []mutate.IndexAddendum
	for plat, img := range imgs {
		p, err := v1.ParsePlatform(plat)
		if err != nil {
			t.Fatalf("testimage: %v", err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	ref, err := name.ParseReference(host + "/" + repoTag)
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatalf("testimage: push index %s: %v", ref, err)
	}
}

// Entry is one tar entry of a hand-made layer.
type Entry struct {
	Name     string
	Type     byte // tar.TypeReg if 0
	Body     string
	Linkname string
	Mode     int64
}

// Tar builds an uncompressed tar of entries.
func Tar(entries ...Entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Typeflag: e.Type, Linkname: e.Linkname, Mode: e.Mode, ModTime: Epoch, Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if h.Typeflag == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.Body))
		}
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		io.WriteString(tw, e.Body)
	}
	tw.Close()
	return buf.Bytes()
}

// Gzip compresses b.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// Digest is "sha256:<hex>" of b.
func Digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// Layer builds a gzip layer from a tar.
func Layer(t TB, tarBytes []byte) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(tarBytes)), nil
	}, tarball.WithCompressionLevel(gzip.BestSpeed))
	if err != nil {
		t.Fatalf("testimage: layer: %v", err)
	}
	return l
}

// Image stacks layers into an image with a fixed config.
func Image(t TB, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	cf = cf.DeepCopy()
	cf.Config = cfg
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: Epoch}
	cf.History = nil
	for range layers {
		cf.History = append(cf.History, v1.History{Created: v1.Time{Time: Epoch}, CreatedBy: "testimage layer"})
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	return img
}

// BusyboxLayer is the tar of a minimal root: /bin/busybox and applet links.
func BusyboxLayer(t TB) []byte {
	t.Helper()
	bb, err := os.ReadFile(BusyboxPath)
	if err != nil {
		t.Fatalf("testimage: %v (install Debian's busybox-static)", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := []string{"bin/", "etc/", "tmp/", "root/", "dev/", "proc/", "sys/"}
	for _, d := range dirs {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: mode, ModTime: Epoch})
	}
	tw.WriteHeader(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb)), ModTime: Epoch})
	tw.Write(bb)
	for _, a := range applets(t) {
		tw.WriteHeader(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777, ModTime: Epoch})
	}
	passwd := "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	group := "root:x:0:\nnogroup:x:65534:\n"
	for _, f := range [][2]string{{"etc/passwd", passwd}, {"etc/group", group}} {
		tw.WriteHeader(&tar.Header{Name: f[0], Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f[1])), ModTime: Epoch})
		io.WriteString(tw, f[1])
	}
	tw.Close()
	return buf.Bytes()
}

// applets are the commands the busybox binary provides, sorted, as
// `busybox --list` prints them.
func applets(t TB) []string {
	out, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		t.Fatalf("testimage: %s --list: %v", BusyboxPath, err)
	}
	var list []string
	for _, a := range strings.Fields(string(out)) {
		if a != "busybox" && !strings.Contains(a, "/") {
			list = append(list, a)
		}
	}
	sort.Strings(list)
	return list
}

// BusyboxConfig is the config of the busybox image.
var BusyboxConfig = v1.Config{Cmd: []string{"sh"}, Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}

// Busybox is a runnable busybox image.
func Busybox(t TB) v1.Image {
	return Image(t, BusyboxConfig, Layer(t, BusyboxLayer(t)))
}

// RandomTar is a tar holding one file of n random bytes (seeded).
func RandomTar(seed uint64, n int64) []byte {
	rng := rand.New(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 'b', 'e', 'r', 't', 'h'}))
	data := make([]byte, n)
	for i := 0; i+8 <= len(data); i += 8 {
		v := rng.Uint64()
		for k := range 8 {
			data[i+k] = byte(v >> (8 * k))
		}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("data/random-%d", seed), Typeflag: tar.TypeReg, Mode: 0o644, Size: n, ModTime: Epoch})
	tw.Write(data)
	tw.Close()
	return buf.Bytes()
}

// Big is busybox plus layers of random data: the benchmark image.
func Big(t TB, layers int, layerBytes int64) v1.Image {
	ls := []v1.Layer{Layer(t, BusyboxLayer(t))}
	for i := range layers {
		ls = append(ls, Layer(t, RandomTar(uint64(i+1), layerBytes)))
	}
	return Image(t, BusyboxConfig, ls...)
}

// RawLayer is a layer blob given byte by byte: its diffID is whatever the
// config will claim, so broken layers can be served with valid digests.
type RawLayer struct {
	Blob      []byte
	DiffID    string
	MediaType types.MediaType
}

// PushRaw writes an image made of a raw config and raw layer blobs, with a
// Docker schema 2 manifest, to host/repoTag. It returns the manifest digest.
func PushRaw(t TB, host, repoTag string, config []byte, layers ...RawLayer) string {
	t.Helper()
	ref, err := name.ParseReference(host + "/" + repoTag)
	if err != nil {
		t.Fatalf("testimage: %v", err)
	}
	type desc struct {
		MediaType types.MediaType `json:"mediaType"`
		Size      int64           `json:"size"`
		Digest    string          `json:"digest"`
	}
	m := struct {
		SchemaVersion int             `json:"schemaVersion"`
		MediaType     types.MediaType `json:"mediaType"`
		Config        desc            `json:"config"`
		Layers        []desc          `json:"layers"`
	}{2, types.DockerManifestSchema2, desc{types.DockerConfigJSON, int64(len(config)), Digest(config)}, []desc{}}
	blobs := [][]byte{config}
	for _, l := range layers {
		mt := l.MediaType
		if mt == "" {
			mt = types.DockerLayer
		}
		m.Layers = append(m.Layers, desc{mt, int64(len(l.Blob)), Digest(l.Blob)})
		blobs = append(blobs, l.Blob)
	}
	for _, b := range blobs {
		if err := remote.WriteLayer(ref.Context(), static.NewLayer(b, types.DockerLayer)); err != nil {
			t.Fatalf("testimage: write blob: %v", err)
		}
	}
	raw, _ := json.Marshal(m)
	if err := remote.Put(ref, rawManifest{raw, types.DockerManifestSchema2}); err != nil {
		t.Fatalf("testimage: put manifest: %v", err)
	}
	return Digest(raw)
}

// ConfigFor is a valid config JSON for layers with the given diffIDs.
func ConfigFor(diffIDs ...string) []byte {
	cfg := map[string]any{
		"architecture": "amd64", "os": "linux", "created": Epoch,
		"config": BusyboxConfig,
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	}
	b, _ := json.Marshal(cfg)
	return b
}

type rawManifest struct {
	b  []byte
	mt types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.b, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

// Leftovers lists what interrupted writes left in a berth root: temp files of
// the content store and temp directories of the snapshot store.
func Leftovers(root string) []string {
	var out []string
	ingest, _ := os.ReadDir(root + "/blobs/ingest")
	for _, f := range ingest {
		out = append(out, "blobs/ingest/"+f.Name())
	}
	snaps, _ := os.ReadDir(root + "/snapshots")
	for _, f := range snaps {
		if strings.HasPrefix(f.Name(), ".") {
			out = append(out, "snapshots/"+f.Name())
		}
	}
	return out
}
