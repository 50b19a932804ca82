package views

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/image"
	"berth/internal/testimage"
	"berth/themes"
	"berth/ui"
)

// BenchmarkLayersFirstFrame times the layer browser from the key to its
// first full frame on the image — busybox plus 5 layers of 40 MB
// random data, 6 layers, about 202 MB — pulled into a real engine root:
// Open's command (the engine's analysis), the message taken in, and the
// 200x60 frame drawn.
func BenchmarkLayersFirstFrame(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Fatal("needs root: engine.New refuses to run without it (CI runs as root)")
	}
	ctx := context.Background()
	reg := testimage.NewRegistry(b)
	testimage.Push(b, reg.Host, "big:latest", testimage.Big(b, 5, 40_000_000))
	eng, err := engine.New(ctx, b.TempDir(), engine.WithRunRoot(filepath.Join(b.TempDir(), "run")))
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	ref := reg.Host + "/big:latest"
	if _, err := eng.PullImage(ctx, ref, image.PullOptions{}); err != nil {
		b.Fatal(err)
	}
	e := &env{Common: ui.NewCommon(themes.Dark()), eng: eng, ctx: ctx, now: time.Now}

	var frame string
	for b.Loop() {
		v := newLayersView(e, ref)
		v.SetSize(200, 58)
		v.Update(v.Open()())
		frame = v.View()
	}
	if !strings.Contains(frame, "in 6 layers") || !strings.Contains(frame, "random-5") {
		b.Fatalf("not the first frame of the benchmark image:\n%s", frame)
	}
}
