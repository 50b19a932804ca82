package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"berth/engine"
	"berth/engine/container"
	"berth/engine/image"
	"berth/internal/testimage"
)

// BenchmarkNew times opening a root that holds a few images and nothing to
// clean up, the common case of every CLI command: what engine.New costs
// with its start-up clean-up of leftovers included.
func BenchmarkNew(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Fatal("needs root: engine.New refuses to run without it (CI runs as root)")
	}
	root, run := b.TempDir(), filepath.Join(b.TempDir(), "run")
	reg := testimage.NewRegistry(b)
	eng, err := engine.New(context.Background(), root, engine.WithRunRoot(run))
	if err != nil {
		b.Fatal(err)
	}
	for i := range 4 {
		ref := fmt.Sprintf("%s/img%d:latest", reg.Host, i)
		testimage.Push(b, reg.Host, fmt.Sprintf("img%d:latest", i), testimage.Big(b, 3, 64<<10+int64(i)))
		if _, err := eng.PullImage(context.Background(), ref, image.PullOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	eng.Close()
	b.ResetTimer()
	for b.Loop() {
		eng, err := engine.New(context.Background(), root, engine.WithRunRoot(run))
		if err != nil {
			b.Fatal(err)
		}
		eng.Close()
	}
}

// BenchmarkNew200Containers times opening a root with 200 created
// containers, as the TUI and every CLI command do: the store, the check of
// every container's monitor (Reconcile), the clean-ups.
func BenchmarkNew200Containers(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Fatal("needs root: engine.New refuses to run without it (CI runs as root)")
	}
	ctx := context.Background()
	root, run := b.TempDir(), filepath.Join(b.TempDir(), "run")
	reg := testimage.NewRegistry(b)
	testimage.Push(b, reg.Host, "busybox:latest", testimage.Busybox(b))
	eng, err := engine.New(ctx, root, engine.WithRunRoot(run))
	if err != nil {
		b.Fatal(err)
	}
	ref := reg.Host + "/busybox:latest"
	if _, err := eng.PullImage(ctx, ref, image.PullOptions{}); err != nil {
		b.Fatal(err)
	}
	for range 200 {
		if _, err := eng.CreateContainer(ctx, container.CreateOptions{Image: ref, Cmd: []string{"true"}, NetworkMode: "none"}); err != nil {
			b.Fatal(err)
		}
	}
	eng.Close()
	b.ResetTimer()
	for b.Loop() {
		eng, err := engine.New(ctx, root, engine.WithRunRoot(run))
		if err != nil {
			b.Fatal(err)
		}
		eng.Close()
	}
}
