package image_test

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/layertree"
	"berth/internal/testimage"
)

// Layers of a pulled image: the history's commands, one empty step
// skipped; the marks of a file deleted, one modified, one added; and the
// waste they make, in bytes by hand.
func TestLayers(t *testing.T) {
	e := newEnv(t)
	base := testimage.Tar(
		testimage.Entry{Name: "etc/", Type: tar.TypeDir},
		testimage.Entry{Name: "etc/big", Body: strings.Repeat("b", 4000)},
		testimage.Entry{Name: "etc/conf", Body: "v1"},
	)
	top := testimage.Tar(
		testimage.Entry{Name: "etc/", Type: tar.TypeDir},
		testimage.Entry{Name: "etc/.wh.big"},
		testimage.Entry{Name: "etc/conf", Body: "v2!"},
		testimage.Entry{Name: "new", Body: "hello"},
	)
	img := testimage.Image(t, v1.Config{Cmd: []string{"sh"}}, testimage.Layer(t, base), testimage.Layer(t, top))
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.History = []v1.History{
		{CreatedBy: "ADD rootfs.tar /"},
		{CreatedBy: "ENV A=1", EmptyLayer: true},
		{CreatedBy: "RUN rm /etc/big && echo v2! > /etc/conf"},
	}
	img, err := mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	testimage.Push(t, e.reg.Host, "wh:1", img)
	if _, _, err := e.pull(e.reg.Host+"/wh:1", image.PullOptions{}); err != nil {
		t.Fatal(err)
	}

	a, err := e.svc.Layers(context.Background(), e.reg.Host+"/wh:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Layers) != 2 {
		t.Fatalf("%d layers, want 2", len(a.Layers))
	}
	if a.Layers[0].Command != "ADD rootfs.tar /" || a.Layers[1].Command != "RUN rm /etc/big && echo v2! > /etc/conf" {
		t.Errorf("commands %q, %q", a.Layers[0].Command, a.Layers[1].Command)
	}
	if a.Layers[0].Size != 4002 || a.Layers[1].Size != 8 || a.Size != 4010 {
		t.Errorf("sizes %d, %d, total %d; want 4002, 8, 4010", a.Layers[0].Size, a.Layers[1].Size, a.Size)
	}
	if !strings.HasPrefix(a.Layers[0].DiffID, "sha256:") || !strings.HasPrefix(a.Layers[0].Digest, "sha256:") {
		t.Errorf("digests %q, %q", a.Layers[0].DiffID, a.Layers[0].Digest)
	}
	ch := a.Layers[1].Changes
	for path, want := range map[string]layertree.Mark{"etc/big": layertree.Removed, "etc/conf": layertree.Modified, "new": layertree.Added} {
		if n := ch.Find(path); n == nil || n.Mark != want {
			t.Errorf("layer 2: %s is %+v, want %v", path, n, want)
		}
	}
	if n := ch.Find("etc/big"); n == nil || n.Size != 4000 {
		t.Errorf("layer 2: the deletion of etc/big is %+v, want 4000 B", n)
	}
	// etc/big: 4000 then 0; etc/conf: 2 then 3; new: 5.
	// Wasted 4000+5 = 4005; efficiency (0+2+5)/(4000+5+5).
	if a.Wasted != 4005 {
		t.Errorf("wasted %d B, want 4005", a.Wasted)
	}
	if want := 7.0 / 4010.0; a.Efficiency < want-1e-9 || a.Efficiency > want+1e-9 {
		t.Errorf("efficiency %.6f, want %.6f", a.Efficiency, want)
	}
	if tree := a.ImageTree(1); tree.Find("etc/big") == nil || tree.Find("etc/big").Mark != layertree.Removed || tree.Size != 8 {
		t.Errorf("image tree at layer 2: %+v", tree)
	}

	if _, err := e.svc.Layers(context.Background(), "nosuch:1"); !errdefs.IsNotFound(err) {
		t.Errorf("unknown image: %v, want not found", err)
	}

	// A layer whose snapshot went missing is named, with the fix.
	if err := os.RemoveAll(filepath.Join(e.root, "snapshots", strings.TrimPrefix(a.Layers[1].DiffID, "sha256:"))); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Layers(context.Background(), e.reg.Host+"/wh:1")
	if !errdefs.IsNotFound(err) || !strings.Contains(err.Error(), "layer 2 of image") || !strings.Contains(err.Error(), "pull the image again") {
		t.Errorf("missing snapshot: %v", err)
	}
}

// The screenshot's image (testimage.Wasteful): the archive deleted in the
// layer after the one that fetched it wastes its 3 MB, the rewritten
// config both its copies; the empty ENV step has no layer.
func TestLayersWasteful(t *testing.T) {
	e := newEnv(t)
	testimage.Push(t, e.reg.Host, "tool:1", testimage.Wasteful(t))
	if _, _, err := e.pull(e.reg.Host+"/tool:1", image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	a, err := e.svc.Layers(context.Background(), e.reg.Host+"/tool:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Layers) != 3 || !strings.HasPrefix(a.Layers[2].Command, "/bin/sh -c rm /tmp/toolchain.tar.gz") {
		t.Fatalf("layers %+v", a.Layers)
	}
	if a.Wasted != 3_000_016 || len(a.Waste) != 2 || a.Waste[0].Path != "/tmp/toolchain.tar.gz" {
		t.Errorf("wasted %d B in %+v; want 3,000,016 B, the archive first", a.Wasted, a.Waste)
	}
	if n := a.Layers[2].Changes.Find("tmp/toolchain.tar.gz"); n == nil || n.Mark != layertree.Removed || n.Size != 3_000_000 {
		t.Errorf("the archive's deletion: %+v", n)
	}
}
