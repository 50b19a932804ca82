package engine_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

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
	benchmarkImageLayers(b, testimage.Big(b, 5, 40_000_000))
}

// BenchmarkImageLayersManyFiles is the same on an image of as many bytes
// in many files: busybox plus 5 layers of 4,000 files of 10 kB random data
// each, 20,400 entries; each layer deletes 100 files of the one below.
func BenchmarkImageLayersManyFiles(b *testing.B) {
	ls := []v1.Layer{testimage.Layer(b, testimage.BusyboxLayer(b))}
	for i := range 5 {
		ls = append(ls, testimage.Layer(b, manyFilesTar(i, 4000, 10_000)))
	}
	benchmarkImageLayers(b, testimage.Image(b, testimage.BusyboxConfig, ls...))
}

// manyFilesTar is layer i: n files of size random bytes in dir i/, and
// whiteouts of the first 100 files of layer i-1.
func manyFilesTar(i, n int, size int64) []byte {
	rng := rand.New(rand.NewChaCha8([32]byte{byte(i), 'm', 'a', 'n', 'y'}))
	data := make([]byte, size)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("%d/", i), Typeflag: tar.TypeDir, Mode: 0o755, ModTime: testimage.Epoch})
	for f := range n {
		for k := range data {
			data[k] = byte(rng.Uint32())
		}
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("%d/f%05d", i, f), Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: testimage.Epoch})
		tw.Write(data)
	}
	if i > 0 {
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("%d/", i-1), Typeflag: tar.TypeDir, Mode: 0o755, ModTime: testimage.Epoch})
		for f := range 100 {
			tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("%d/.wh.f%05d", i-1, f), Typeflag: tar.TypeReg, ModTime: testimage.Epoch})
		}
	}
	tw.Close()
	return buf.Bytes()
}

func benchmarkImageLayers(b *testing.B, img v1.Image) {
	if os.Geteuid() != 0 {
		b.Fatal("needs root: engine.New refuses to run without it (CI runs as root)")
	}
	ctx := context.Background()
	root, run := b.TempDir(), filepath.Join(b.TempDir(), "run")
	reg := testimage.NewRegistry(b)
	testimage.Push(b, reg.Host, "big:latest", img)
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
