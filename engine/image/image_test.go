package image_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"berth/engine/content"
	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/progress"
	"berth/engine/snapshot"
	"berth/engine/store"
	"berth/internal/testimage"
)

// env is one berth root with an image service, and a registry.
type env struct {
	t    *testing.T
	root string
	svc  *image.Service
	reg  *testimage.Registry
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: layers carry owners and device nodes (CI runs as root)")
	}
	e := &env{t: t, root: t.TempDir(), reg: testimage.NewRegistry(t)}
	e.svc = e.open()
	return e
}

// open builds a service over the env's root, as another berth process would.
func (e *env) open() *image.Service { return openBench(e.t, e.root) }

func openBench(t testing.TB, root string) *image.Service {
	t.Helper()
	db, err := store.Open(filepath.Join(root, "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := content.New(filepath.Join(root, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := snapshot.New(filepath.Join(root, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	return image.NewService(db, blobs, snaps)
}

// recorder collects a pull's progress stream.
type recorder struct {
	mu      sync.Mutex
	updates []progress.Update
}

func (r *recorder) send(u progress.Update) {
	r.mu.Lock()
	r.updates = append(r.updates, u)
	r.mu.Unlock()
}

// final maps layer IDs to their last state.
func (r *recorder) final() map[string]progress.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]progress.State{}
	for _, u := range r.updates {
		if u.ID != "" {
			out[u.ID] = u.State
		}
	}
	return out
}

func (r *recorder) messages() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, u := range r.updates {
		if u.ID == "" {
			b.WriteString(u.Message + "\n")
		}
	}
	return b.String()
}

func (e *env) pull(ref string, opts image.PullOptions) (image.PullResult, *recorder, error) {
	rec := &recorder{}
	opts.Progress = rec.send
	res, err := e.svc.Pull(context.Background(), ref, opts)
	return res, rec, err
}

// leftovers lists half-written temp files in the root.
func (e *env) leftovers() []string { return testimage.Leftovers(e.root) }

func TestPullBusyboxAndReuse(t *testing.T) {
	e := newEnv(t)
	testimage.Push(t, e.reg.Host, "busybox:latest", testimage.Busybox(t))
	res, rec, err := e.pull(e.reg.Host+"/busybox", image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.UpToDate || !strings.HasPrefix(res.ID, "sha256:") {
		t.Fatalf("first pull: %+v", res)
	}
	for id, st := range rec.final() {
		if st != progress.Done {
			t.Errorf("layer %s ended %v, want %v", id, st, progress.Done)
		}
	}
	if !strings.Contains(rec.messages(), "Status: Downloaded newer image for "+e.reg.Host+"/busybox:latest") {
		t.Errorf("messages:\n%s", rec.messages())
	}
	// The layer is really unpacked: busybox is an executable file.
	in, err := e.svc.Inspect(context.Background(), e.reg.Host+"/busybox")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.RootFS.Layers) != 1 || in.Os != "linux" || in.Architecture != "amd64" || in.Size < 500_000 {
		t.Fatalf("inspect: %+v", in)
	}
	snapDir := filepath.Join(e.root, "snapshots", strings.TrimPrefix(in.RootFS.Layers[0], "sha256:"), "fs")
	fi, err := os.Stat(filepath.Join(snapDir, "bin", "busybox"))
	if err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("bin/busybox in snapshot: %v %v", fi, err)
	}
	if l, err := os.Readlink(filepath.Join(snapDir, "bin", "sh")); err != nil || l != "busybox" {
		t.Fatalf("bin/sh link: %q %v", l, err)
	}

	// Again: nothing is fetched.
	res2, rec2, err := e.pull(e.reg.Host+"/busybox:latest", image.PullOptions{})
	if err != nil || !res2.UpToDate || res2.ID != res.ID {
		t.Fatalf("second pull: %+v %v", res2, err)
	}
	if !strings.Contains(rec2.messages(), "Image is up to date") {
		t.Errorf("second pull messages:\n%s", rec2.messages())
	}

	// An image sharing the busybox layer: that layer already exists.
	bbLayer := testimage.Layer(t, testimage.BusyboxLayer(t))
	extra := testimage.Layer(t, testimage.Tar(testimage.Entry{Name: "hello.txt", Body: "hi"}))
	testimage.Push(t, e.reg.Host, "two:1", testimage.Image(t, testimage.BusyboxConfig, bbLayer, extra))
	_, rec3, err := e.pull(e.reg.Host+"/two:1", image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	states := rec3.final()
	bbDigest, _ := bbLayer.Digest()
	if got := states[image.ShortID(bbDigest.String())]; got != progress.AlreadyExists {
		t.Errorf("shared layer state %v, want Already exists (%v)", got, states)
	}
	list, err := e.svc.List(context.Background())
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	if e := e.leftovers(); len(e) > 0 {
		t.Errorf("leftovers: %v", e)
	}
}

func TestPullMultiPlatformIndex(t *testing.T) {
	e := newEnv(t)
	amd := testimage.Busybox(t)
	armCfg := testimage.BusyboxConfig
	armCfg.Env = append(armCfg.Env, "ARCH=arm64")
	arm := testimage.Image(t, armCfg, testimage.Layer(t, testimage.Tar(testimage.Entry{Name: "arch", Body: "arm64"})))
	armCF, _ := arm.ConfigFile()
	armCF = armCF.DeepCopy()
	armCF.Architecture = "arm64"
	arm, err := mutate.ConfigFile(arm, armCF)
	if err != nil {
		t.Fatal(err)
	}
	testimage.PushIndex(t, e.reg.Host, "multi:latest", map[string]v1.Image{"linux/amd64": amd, "linux/arm64": arm})

	res, _, err := e.pull(e.reg.Host+"/multi", image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	amdID, _ := amd.ConfigName()
	if res.ID != amdID.String() {
		t.Errorf("default platform picked %s, want the amd64 image %s", res.ID, amdID)
	}
	armID, _ := arm.ConfigName()
	res, _, err = e.pull(e.reg.Host+"/multi", image.PullOptions{Platform: "linux/arm64"})
	if err != nil || res.ID != armID.String() {
		t.Errorf("--platform linux/arm64 picked %s (%v), want %s", res.ID, err, armID)
	}
	_, _, err = e.pull(e.reg.Host+"/multi", image.PullOptions{Platform: "linux/s390x"})
	if !errdefs.IsNotFound(err) || !strings.Contains(err.Error(), "linux/arm64") {
		t.Errorf("missing platform: %v", err)
	}
}

func TestPullCompressions(t *testing.T) {
	e := newEnv(t)
	tarBytes := testimage.Tar(testimage.Entry{Name: "etc/", Type: '5'}, testimage.Entry{Name: "etc/motd", Body: "compressed"})
	diffID := testimage.Digest(tarBytes)
	zstdBlob := zstdCompress(t, tarBytes)
	cases := []struct {
		name string
		blob []byte
	}{
		{"gzip", testimage.Gzip(tarBytes)},
		{"zstd", zstdBlob},
		{"uncompressed", tarBytes},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testimage.PushRaw(t, e.reg.Host, "comp:"+tc.name, testimage.ConfigFor(diffID), testimage.RawLayer{Blob: tc.blob})
			if _, _, err := e.pull(e.reg.Host+"/comp:"+tc.name, image.PullOptions{}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(e.root, "snapshots", strings.TrimPrefix(diffID, "sha256:"), "fs", "etc", "motd"))
			if err != nil || string(b) != "compressed" {
				t.Fatalf("etc/motd: %q %v", b, err)
			}
		})
	}
}

func TestPullBadInput(t *testing.T) {
	e := newEnv(t)
	outside := t.TempDir()
	good := testimage.Busybox(t)
	testimage.Push(t, e.reg.Host, "good:latest", good)

	broken := testimage.Layer(t, testimage.RandomTar(7, 1<<20))
	brokenDigest, _ := broken.Digest()
	testimage.Push(t, e.reg.Host, "flip:latest", testimage.Image(t, testimage.BusyboxConfig, broken))
	e.reg.SetFault(brokenDigest.String(), testimage.FlipByte)

	cut := testimage.Layer(t, testimage.RandomTar(8, 2<<20))
	cutDigest, _ := cut.Digest()
	testimage.Push(t, e.reg.Host, "cut:latest", testimage.Image(t, testimage.BusyboxConfig, cut))
	e.reg.SetFault(cutDigest.String(), testimage.CutHalfway)

	tarBytes := testimage.RandomTar(9, 256<<10)
	gz := testimage.Gzip(tarBytes)
	testimage.PushRaw(t, e.reg.Host, "truncated:latest", testimage.ConfigFor(testimage.Digest(tarBytes)),
		testimage.RawLayer{Blob: gz[:len(gz)/2]})
	okLayer := testimage.Gzip(testimage.Tar(testimage.Entry{Name: "a", Body: "a"}))
	testimage.PushRaw(t, e.reg.Host, "badconfig:latest", []byte("this is { not json"), testimage.RawLayer{Blob: okLayer})

	hostile := func(tag string, entries ...testimage.Entry) {
		tb := testimage.Tar(entries...)
		testimage.PushRaw(t, e.reg.Host, "hostile:"+tag, testimage.ConfigFor(testimage.Digest(tb)), testimage.RawLayer{Blob: testimage.Gzip(tb)})
	}
	hostile("dotdot", testimage.Entry{Name: "../../../../" + outside + "/escaped", Body: "x"})
	hostile("hardlink", testimage.Entry{Name: "passwd", Type: '1', Linkname: "../../../../../../etc/passwd"})
	hostile("whiteout", testimage.Entry{Name: "a/.wh...", Body: ""}, testimage.Entry{Name: ".wh.../x"})

	cases := []struct {
		name  string
		ref   string
		class func(error) bool
		want  string // part of the one-line message
	}{
		{"malformed reference", "UPPER/Case", errdefs.IsInvalidArgument, "invalid reference"},
		{"malformed reference 2", "busybox:la:test", errdefs.IsInvalidArgument, "invalid reference"},
		{"empty reference", "", errdefs.IsInvalidArgument, "empty image reference"},
		{"unknown tag", e.reg.Host + "/good:nope", errdefs.IsNotFound, "not found"},
		{"unknown repository", e.reg.Host + "/nothing:latest", errdefs.IsNotFound, "not found"},
		{"unreachable registry", "127.0.0.1:1/x", errdefs.IsUnavailable, "unreachable"},
		{"digest mismatch", e.reg.Host + "/flip", errdefs.IsDataCorrupt, "digest"},
		{"registry closes mid-layer", e.reg.Host + "/cut", errdefs.IsUnavailable, "interrupted"},
		{"truncated gzip", e.reg.Host + "/truncated", errdefs.IsDataCorrupt, "layer"},
		{"config not JSON", e.reg.Host + "/badconfig", errdefs.IsDataCorrupt, "not valid JSON"},
		{"../ path", e.reg.Host + "/hostile:dotdot", errdefs.IsInvalidArgument, "escapes"},
		{"hard link outside", e.reg.Host + "/hostile:hardlink", errdefs.IsInvalidArgument, "passwd"},
		{"whiteout of ../x", e.reg.Host + "/hostile:whiteout", errdefs.IsInvalidArgument, ".wh."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := e.svc.List(context.Background())
			_, _, err := e.pull(tc.ref, image.PullOptions{})
			if err == nil {
				t.Fatalf("pull %q succeeded", tc.ref)
			}
			if !tc.class(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("pull %q: error %q (class wrong or lacks %q)", tc.ref, err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			after, _ := e.svc.List(context.Background())
			if len(after) != len(before) {
				t.Errorf("the store changed: %d images before, %d after", len(before), len(after))
			}
			if l := e.leftovers(); len(l) > 0 {
				t.Errorf("half-written leftovers: %v", l)
			}
		})
	}
	if ents, _ := os.ReadDir(outside); len(ents) > 0 {
		t.Errorf("something was written outside the store: %v", ents)
	}
	// The next good pull still works.
	if _, _, err := e.pull(e.reg.Host+"/good", image.PullOptions{}); err != nil {
		t.Fatalf("good pull after the bad ones: %v", err)
	}
}

func TestPullSymlinkEscapeIsContained(t *testing.T) {
	e := newEnv(t)
	outside := t.TempDir()
	tb := testimage.Tar(
		testimage.Entry{Name: "link", Type: '2', Linkname: outside},
		testimage.Entry{Name: "link/pwned", Body: "inside"},
	)
	testimage.PushRaw(t, e.reg.Host, "symlink:latest", testimage.ConfigFor(testimage.Digest(tb)), testimage.RawLayer{Blob: testimage.Gzip(tb)})
	_, _, err := e.pull(e.reg.Host+"/symlink", image.PullOptions{})
	if err != nil && !errdefs.IsInvalidArgument(err) {
		t.Fatalf("pull: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "pwned")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a file was written through the symlink outside the snapshot: %v", err)
	}
}

func TestPullCanceled(t *testing.T) {
	e := newEnv(t)
	slow := testimage.Layer(t, testimage.RandomTar(3, 4<<20))
	d, _ := slow.Digest()
	testimage.Push(t, e.reg.Host, "slow:latest", testimage.Image(t, testimage.BusyboxConfig, slow))
	e.reg.SetFault(d.String(), testimage.Stall)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var once sync.Once
	go func() {
		<-started
		cancel()
	}()
	_, err := e.svc.Pull(ctx, e.reg.Host+"/slow", image.PullOptions{Progress: func(u progress.Update) {
		if u.State == progress.Downloading && u.Current > 0 {
			once.Do(func() { close(started) })
		}
	}})
	if !errdefs.IsCanceled(err) {
		t.Fatalf("canceled pull: %v", err)
	}
	if l := e.leftovers(); len(l) > 0 {
		t.Errorf("leftovers after cancel: %v", l)
	}
}

func TestConcurrentPullsShareLayers(t *testing.T) {
	e := newEnv(t)
	testimage.Push(t, e.reg.Host, "big:latest", testimage.Big(t, 3, 2<<20))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := e.open() // each as its own berth process would
			_, errs[i] = svc.Pull(context.Background(), e.reg.Host+"/big", image.PullOptions{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("pull %d: %v", i, err)
		}
	}
	list, _ := e.svc.List(context.Background())
	if len(list) != 1 || list[0].Layers != 4 {
		t.Fatalf("list: %+v", list)
	}
}
