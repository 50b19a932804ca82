package views

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/image"
	"berth/engine/layertree"
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

// BenchmarkLayersSelectLayer times what a key that selects another layer
// costs in Update on an image of 6 layers of 4,000 files each, the files
// column showing the image at that layer (built beforehand, as the command
// that builds it does): listing the visible files and making their rows.
func BenchmarkLayersSelectLayer(b *testing.B) {
	var layers [][]layertree.Entry
	var details []image.LayerDetail
	for i := range 6 {
		es := []layertree.Entry{{Path: fmt.Sprint(i), Kind: layertree.KindDir, Mode: fs.ModeDir | 0o755}}
		for f := range 4000 {
			es = append(es, layertree.Entry{Path: fmt.Sprintf("%d/f%05d", i, f), Kind: layertree.KindFile, Mode: 0o644, Size: 10_000})
		}
		layers = append(layers, es)
		details = append(details, image.LayerDetail{Index: i, Size: 40_000_000})
	}
	a := image.NewLayerAnalysis("sha256:"+strings.Repeat("ab", 32), details, layers)
	e := &env{Common: ui.NewCommon(themes.Dark()), eng: newFakeEngine(), ctx: context.Background(), now: time.Now}
	v := newLayersView(e, "many:latest")
	v.SetSize(200, 58)
	v.Open() // its command is not run: the analysis is given here
	v.Update(layersMsg{Tab: v, Seq: v.seq, A: a})
	v.imageMode = true
	for i := range 6 {
		v.images[i] = a.ImageTree(i)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		v.list.SetCursor(i % 6)
		v.showLayer()
		_ = v.View()
	}
	b.StopTimer()
	if len(v.rows) < 4000 {
		b.Fatalf("%d rows shown", len(v.rows))
	}
}
