package image_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/internal/testimage"
)

func (e *env) snapshots() int {
	ents, _ := os.ReadDir(filepath.Join(e.root, "snapshots"))
	n := 0
	for _, en := range ents {
		if !strings.HasPrefix(en.Name(), ".") {
			n++
		}
	}
	return n
}

func (e *env) blobCount() int {
	ents, _ := os.ReadDir(filepath.Join(e.root, "blobs", "sha256"))
	return len(ents)
}

func TestTagRemovePrune(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bb := e.reg.Host + "/busybox"
	testimage.Push(t, e.reg.Host, "busybox:latest", testimage.Busybox(t))
	res, _, err := e.pull(bb, image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Tag(ctx, bb, "mybox:1"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Tag(ctx, "nothing:here", "x:1"); !errdefs.IsNotFound(err) {
		t.Fatalf("tag of a missing image: %v", err)
	}
	in, err := e.svc.Inspect(ctx, "mybox:1")
	if err != nil || in.ID != res.ID || len(in.RepoTags) != 2 {
		t.Fatalf("inspect mybox:1: %+v %v", in, err)
	}
	// By ID with two names: refused without force.
	if _, err := e.svc.Remove(ctx, image.ShortID(res.ID), image.RemoveOptions{}); !errdefs.IsConflict(err) {
		t.Fatalf("rmi by ID with two names: %v", err)
	}
	// By name: only the name goes.
	out, err := e.svc.Remove(ctx, "mybox:1", image.RemoveOptions{})
	if err != nil || len(out) != 1 || out[0].Untagged != "mybox:1" {
		t.Fatalf("rmi mybox:1: %+v %v", out, err)
	}
	if e.snapshots() != 1 {
		t.Fatalf("snapshot gone after untag")
	}
	// A second image sharing the layer keeps it alive.
	bbLayer := testimage.Layer(t, testimage.BusyboxLayer(t))
	testimage.Push(t, e.reg.Host, "two:1", testimage.Image(t, testimage.BusyboxConfig, bbLayer,
		testimage.Layer(t, testimage.Tar(testimage.Entry{Name: "x", Body: "x"}))))
	if _, _, err := e.pull(e.reg.Host+"/two:1", image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	if e.snapshots() != 2 {
		t.Fatalf("snapshots = %d, want 2 (shared layer stored once)", e.snapshots())
	}
	out, err = e.svc.Remove(ctx, bb, image.RemoveOptions{})
	if err != nil || out[len(out)-1].Deleted != res.ID {
		t.Fatalf("rmi last name: %+v %v", out, err)
	}
	if e.snapshots() != 2 {
		t.Fatalf("shared snapshot removed while image two still uses it")
	}
	if _, err := e.svc.Inspect(ctx, bb); !errdefs.IsNotFound(err) || !strings.Contains(err.Error(), "berth pull") {
		t.Fatalf("inspect removed image: %v", err)
	}
	// Re-pointing two:1 at another image leaves the old one dangling; prune removes it.
	testimage.Push(t, e.reg.Host, "two:1", testimage.Busybox(t))
	if _, _, err := e.pull(e.reg.Host+"/two:1", image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	list, _ := e.svc.List(ctx)
	dangling := 0
	for _, s := range list {
		if len(s.RepoTags) == 0 {
			dangling++
		}
	}
	if dangling != 1 {
		t.Fatalf("dangling images = %d, want 1: %+v", dangling, list)
	}
	rep, err := e.svc.Prune(ctx, false)
	if err != nil || len(rep.Removed) != 1 || rep.SpaceReclaimed <= 0 {
		t.Fatalf("prune: %+v %v", rep, err)
	}
	if e.snapshots() != 1 {
		t.Fatalf("snapshots after prune = %d, want 1", e.snapshots())
	}
	rep, err = e.svc.Prune(ctx, true)
	if err != nil || len(rep.Removed) != 2 {
		t.Fatalf("prune -a: %+v %v", rep, err)
	}
	if e.snapshots() != 0 || e.blobCount() != 0 {
		t.Fatalf("after removing every image: %d snapshots, %d blobs left", e.snapshots(), e.blobCount())
	}
}

func TestHistory(t *testing.T) {
	e := newEnv(t)
	testimage.Push(t, e.reg.Host, "big:latest", testimage.Big(t, 2, 1<<20))
	res, _, err := e.pull(e.reg.Host+"/big", image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := e.svc.History(context.Background(), e.reg.Host+"/big")
	if err != nil || len(h) != 3 {
		t.Fatalf("history: %+v %v", h, err)
	}
	if h[0].ID != res.ID || h[1].ID != "<missing>" || h[0].Size < 1<<20 || h[0].CreatedBy != "testimage layer" {
		t.Fatalf("history rows: %+v", h)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	testimage.Push(t, e.reg.Host, "busybox:latest", testimage.Busybox(t))
	res, _, err := e.pull(e.reg.Host+"/busybox", image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.svc.Save(ctx, []string{e.reg.Host + "/busybox"}, &buf); err != nil {
		t.Fatal(err)
	}
	archive := buf.Bytes()
	for _, want := range []string{"manifest.json", "index.json", "oci-layout", "blobs/sha256/"} {
		if !bytes.Contains(archive, []byte(want)) {
			t.Errorf("saved tar lacks %s", want)
		}
	}
	other := &env{t: t, root: t.TempDir()}
	other.svc = other.open()
	lr, err := other.svc.Load(ctx, bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	if len(lr.Loaded) != 1 || lr.Loaded[0] != "Loaded image: "+e.reg.Host+"/busybox:latest" {
		t.Fatalf("load: %+v", lr)
	}
	in, err := other.svc.Inspect(ctx, e.reg.Host+"/busybox")
	if err != nil || in.ID != res.ID {
		t.Fatalf("loaded image: %+v %v", in, err)
	}
	if _, err := os.Stat(filepath.Join(other.root, "snapshots", strings.TrimPrefix(in.RootFS.Layers[0], "sha256:"), "fs", "bin", "busybox")); err != nil {
		t.Fatalf("loaded layer not unpacked: %v", err)
	}
	// Loading twice is harmless.
	if _, err := other.svc.Load(ctx, bytes.NewReader(archive)); err != nil {
		t.Fatal(err)
	}
	// Bad archives: clear errors, nothing left half-written.
	for name, data := range map[string][]byte{
		"not a tar": []byte("hello, this is not a tar file at all, really, it is not"),
		"truncated": archive[:len(archive)/2],
		"empty":     {},
	} {
		_, err := other.svc.Load(ctx, bytes.NewReader(data))
		if err == nil || !(errdefs.IsInvalidArgument(err) || errdefs.IsDataCorrupt(err)) {
			t.Errorf("load %s: %v", name, err)
		}
		if l := other.leftovers(); len(l) > 0 {
			t.Errorf("load %s left %v", name, l)
		}
	}
}

func TestPullWithCredentials(t *testing.T) {
	e := newEnv(t)
	testimage.Push(t, e.reg.Host, "private:latest", testimage.Busybox(t))
	e.reg.RequireAuth("alice", "s3cret")
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)

	_, _, err := e.pull(e.reg.Host+"/private", image.PullOptions{})
	if !errdefs.IsUnauthorized(err) {
		t.Fatalf("pull without credentials: %v", err)
	}
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, e.reg.Host, base64.StdEncoding.EncodeToString([]byte("alice:s3cret")))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.pull(e.reg.Host+"/private", image.PullOptions{}); err != nil {
		t.Fatalf("pull with ~/.docker/config.json credentials: %v", err)
	}
}
