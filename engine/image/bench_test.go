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
// compressed layers and config, and the peak Go heap during the pull.
// The registry shares the process and its 2 cores.
func BenchmarkPullBig(b *testing.B) {
	benchmarkPull(b, 5, 40_000_000)
}

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
		stop := sampleHeap(&peak)
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
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// sampleHeap records the largest Go heap seen every 5 ms until stopped.
func sampleHeap(peak *uint64) (stop func()) {
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
			if v := s[0].Value.Uint64(); v > *peak {
				*peak = v
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
