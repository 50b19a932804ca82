package views

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/engine/image"
	"berth/themes"
)

// benchEngine is a fake engine with n containers (two in three running,
// with ports on some) and m images.
func benchEngine(n, m int) *fakeEngine {
	var imgs []image.Summary
	for i := range m {
		imgs = append(imgs, img(fmt.Sprintf("%06x", i+1), time.Duration(i)*time.Hour, int64(i+1)<<20,
			fmt.Sprintf("registry.example.com/team/app%d:1.%d", i, i)))
	}
	eng := newFakeEngine(imgs...)
	for i := range n {
		st := up(time.Duration(i) * time.Minute)
		if i%3 == 2 {
			st = exited(i%4, time.Duration(i)*time.Minute)
		}
		c := ctr(fmt.Sprintf("%06x", i+1), fmt.Sprintf("svc-%d", i), fmt.Sprintf("registry.example.com/team/app%d:1.%d", i%m, i%m),
			"sh -c 'while true; do work; sleep 1; done'", time.Duration(i)*time.Minute, st)
		if i%5 == 0 {
			c.Ports = fmt.Sprintf("0.0.0.0:%d->80/tcp", 8000+i)
		}
		eng.containers = append(eng.containers, c)
	}
	return eng
}

// benchApp is an App on eng at w×h whose panes have loaded (the commands
// of Init run here, one level deep, as the runtime would run them).
func benchApp(b *testing.B, eng *fakeEngine, w, h int) *App {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	a := NewApp(ctx, eng, themes.Dark())
	a.env.now = func() time.Time { return testNow }
	a.env.statsEvery = 0
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	for _, p := range a.panes {
		if cmd := p.Init(); cmd != nil {
			a.Update(cmd())
		}
	}
	return a
}

// BenchmarkContainersFrame1000 is one frame of the Containers pane with
// 1,000 containers at 200x60 (the target: at most 2 ms): the rows
// redrawn after a stats reading, then the screen.
func BenchmarkContainersFrame1000(b *testing.B) {
	a := benchApp(b, benchEngine(1000, 100), 200, 60)
	v := a.panes[paneContainers].(*containersView)
	if len(v.all) != 1000 {
		b.Fatalf("%d containers listed", len(v.all))
	}
	// A reading of the running containers on screen, as the sampler takes
	// it, whose figures all change at every reading: every row on screen
	// is drawn again.
	samples := map[string]container.Sample{}
	for _, r := range v.shown[:57] {
		if r.State.Status.Active() {
			samples[r.ID] = container.Sample{ID: r.ID, Time: testNow, CPUNanos: 1e9, MemUsage: 12 << 20, MemLimit: 64 << 20}
		}
	}
	changed := 0
	b.ResetTimer()
	for i := range b.N {
		for id, s := range samples {
			s.Time = s.Time.Add(time.Second)
			s.CPUNanos += uint64(i%9+1) * 1e7
			s.MemUsage = uint64(12+i%5) << 20
			samples[id] = s
		}
		gen := v.listGen + v.statsGen[v.shown[0].ID]
		a.Update(statsMsg{Samples: samples})
		if v.listGen+v.statsGen[v.shown[0].ID] != gen {
			changed++
		}
		_ = a.View()
	}
	b.StopTimer()
	if changed < b.N-1 {
		b.Fatalf("the rows changed at %d of %d readings: the benchmark does not measure a redraw", changed, b.N)
	}
}

// BenchmarkContainersViewOnly1000 is the frame alone, nothing changed: what
// the app pays for every message that changes nothing on screen.
func BenchmarkContainersViewOnly1000(b *testing.B) {
	a := benchApp(b, benchEngine(1000, 100), 200, 60)
	b.ResetTimer()
	for range b.N {
		_ = a.View()
	}
}

// BenchmarkFirstFrame is the app from NewApp to its first full frame with
// 200 containers and 100 images in a fake engine (the panes' loads run
// synchronously), at 200x60. The target, from program start with
// the real engine, is 100 ms.
func BenchmarkFirstFrame(b *testing.B) {
	eng := benchEngine(200, 100)
	b.ResetTimer()
	for range b.N {
		a := benchApp(b, eng, 200, 60)
		_ = a.View()
	}
}
