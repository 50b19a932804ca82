package engine_test

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine"
	"berth/engine/image"
	"berth/engine/layertree"
	"berth/internal/testimage"
)

// BenchmarkImageLayers times the layer browser's analysis of the issue's
// image — busybox plus 5 layers of 40 MB random data, 6 layers, about
// 201 MB — pulled into an engine root. Sub-benchmarks:
//
//   - snapshots: ImageLayers as the TUI calls it (the unpacked snapshot
//     directories walked, one goroutine per layer, then the analysis);
//   - blobs: the other source, for comparison: every layer blob
//     decompressed and its tar headers read (ReadTar), then the analysis.
func BenchmarkImageLayers(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Fatal("needs root: engine.New refuses to run without it (CI runs as root)")
	}
	ctx := context.Background()
	root, run := b.TempDir(), filepath.Join(b.TempDir(), "run")
	reg := testimage.NewRegistry(b)
	testimage.Push(b, reg.Host, "big:latest", testimage.Big(b, 5, 40_000_000))
	eng, err := engine.New(ctx, root, engine.WithRunRoot(run))
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	ref := reg.Host + "/big:latest"
	if _, err := eng.PullImage(ctx, ref, image.PullOptions{}); err != nil {
		b.Fatal(err)
	}
	insp, err := eng.InspectImage(ctx, ref)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("snapshots", func(b *testing.B) {
		var a *image.LayerAnalysis
		for b.Loop() {
			if a, err = eng.ImageLayers(ctx, ref); err != nil {
				b.Fatal(err)
			}
		}
		if len(a.Layers) != 6 || a.Size < 200_000_000 {
			b.Fatalf("%d layers, %d B: not the benchmark image", len(a.Layers), a.Size)
		}
		b.ReportMetric(float64(a.Size)/1e6, "image-MB")
	})
	b.Run("blobs", func(b *testing.B) {
		for b.Loop() {
			var layers [][]layertree.Entry
			for _, l := range insp.Manifest.Layers {
				f, err := os.Open(filepath.Join(root, "blobs", "sha256", strings.TrimPrefix(l.Digest, "sha256:")))
				if err != nil {
					b.Fatal(err)
				}
				zr, err := gzip.NewReader(f)
				if err != nil {
					b.Fatal(err)
				}
				es, err := layertree.ReadTar(zr)
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				layers = append(layers, es)
			}
			layertree.Analyze(layers)
		}
	})
}
