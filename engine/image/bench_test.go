package image_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"berth/engine/image"
	"berth/internal/testimage"
)

// BenchmarkPullBig pulls the benchmark image of the issue — busybox plus 5
// layers of 40 MB random data, about 201 MB compressed — from a registry on
// 127.0.0.1 into an empty store, unpacked, and reports MB/s (10^6 bytes) of
// compressed layers and config, and how far the Go heap grew above what it
// held before the pull (the registry's blobs). The registry shares the
// process and its 2 cores.
func BenchmarkPullBig(b *testing.B) {
	benchmarkPull(b, 5, 40_000_000)
}

// The heap a pull needs does not grow with the size of a layer.
func BenchmarkPullOneLayer40MB(b *testing.B)  { benchmarkPull(b, 1, 40_000_000) }
func BenchmarkPullOneLayer160MB(b *testing.B) { benchmarkPull(b, 1, 160_000_000) }

func benchmarkPull(b *testing.B, layers int, layerBytes int64) {
	reg := testimage.NewRegistry(b)
	img := testimage.Big(b, layers, layerBytes)
	testimage.Push(b, reg.Host, "big:latest", img)
	var total int64
	ls, _ := img.Layers()
	for _, l := range ls {
		n, _ := l.Size()
		total += n
	}
	cfg, _ := img.RawConfigFile()
	total += int64(len(cfg))
	b.SetBytes(total)
	runtime.GC()

	var peak uint64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		svc := openBench(b, b.TempDir())
		runtime.GC()
		stop := sampleHeap(&peak, heapNow())
		b.StartTimer()
		start := time.Now()
		if _, err := svc.Pull(context.Background(), reg.Host+"/big", image.PullOptions{}); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		stop()
	}
	b.StopTimer()
	b.ReportMetric(float64(total)*float64(b.N)/elapsed.Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(peak)/(1<<20), "heap-growth-MiB")
}

func heapNow() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap records the largest growth of the Go heap over base, every 5 ms
// until stopped.
func sampleHeap(peak *uint64, base uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > base && v-base > *peak {
				*peak = v - base
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
