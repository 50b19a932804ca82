package views

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"berth/engine/progress"
	"berth/themes"
)

func testStyles() *themes.Styles {
	st := themes.New(themes.Dark())
	return &st
}

func TestPullTrackerKeepsLatestAndFinalStates(t *testing.T) {
	tr := newPullTracker()
	tr.Func(progress.Update{ID: "aaa", State: progress.Waiting})
	tr.Func(progress.Update{ID: "bbb", State: progress.Downloading, Current: 1, Total: 10})
	tr.Func(progress.Update{ID: "aaa", State: progress.Downloading, Current: 5, Total: 10})
	tr.Func(progress.Update{Message: "Digest: sha256:abc"})
	tr.Func(progress.Update{ID: "bbb", State: progress.Done})
	// A slow goroutine's late update must not undo the final state.
	tr.Func(progress.Update{ID: "bbb", State: progress.Downloading, Current: 9, Total: 10})

	s := tr.snapshot()
	if len(s.Layers) != 2 || s.Layers[0].ID != "aaa" || s.Layers[1].ID != "bbb" {
		t.Fatalf("layers = %+v, want aaa then bbb", s.Layers)
	}
	if s.Layers[0].State != progress.Downloading || s.Layers[0].Current != 5 {
		t.Errorf("aaa = %+v, want its latest update", s.Layers[0])
	}
	if s.Layers[1].State != progress.Done {
		t.Errorf("bbb = %v, want Done kept", s.Layers[1].State)
	}
	if len(s.Messages) != 1 || s.Messages[0] != "Digest: sha256:abc" {
		t.Errorf("messages = %q", s.Messages)
	}
	if s.Version != 6 {
		t.Errorf("version = %d, want 6", s.Version)
	}
}

// The engine calls the callback from many goroutines at a high rate with
// nobody reading: it must never block, and every layer's last state must be
// in the snapshot.
func TestPullTrackerNeverBlocksAndLosesNoFinalState(t *testing.T) {
	tr := newPullTracker()
	const layers, updates = 8, 5000
	var wg sync.WaitGroup
	for l := range layers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("layer%07d", l)
			for i := range updates {
				tr.Func(progress.Update{ID: id, State: progress.Downloading, Current: int64(i), Total: updates})
			}
			tr.Func(progress.Update{ID: id, State: progress.Done})
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the progress callback blocked")
	}
	s := tr.snapshot()
	if len(s.Layers) != layers {
		t.Fatalf("%d layers, want %d", len(s.Layers), layers)
	}
	for _, u := range s.Layers {
		if u.State != progress.Done {
			t.Errorf("layer %s ended %v, want Done", u.ID, u.State)
		}
	}
}

func TestWaitProgressCoalescesAndStops(t *testing.T) {
	tr := newPullTracker()
	for i := range 100 {
		tr.Func(progress.Update{ID: "aaa", State: progress.Downloading, Current: int64(i), Total: 100})
	}
	msg, ok := waitProgress(7, tr, time.Millisecond)().(pullProgressMsg)
	if !ok || msg.ID != 7 {
		t.Fatalf("msg = %#v, want a pullProgressMsg for pull 7", msg)
	}
	if len(msg.Snap.Layers) != 1 || msg.Snap.Layers[0].Current != 99 {
		t.Errorf("one snapshot should hold the latest of 100 updates: %+v", msg.Snap.Layers)
	}

	// With nothing new and the pull over, the command ends the stream.
	tr.finish()
	got := make(chan any, 1)
	go func() { got <- waitProgress(7, tr, time.Hour)() }()
	select {
	case m := <-got:
		if m != nil {
			t.Errorf("after the end: %#v, want nil", m)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("waitProgress did not return after the pull ended")
	}
}

func TestWaitProgressDeliversLastChangeBeforeEnd(t *testing.T) {
	tr := newPullTracker()
	tr.Func(progress.Update{ID: "aaa", State: progress.Done})
	tr.finish()
	msg, ok := waitProgress(1, tr, time.Hour)().(pullProgressMsg) // must not wait an hour
	if !ok || msg.Snap.Layers[0].State != progress.Done {
		t.Fatalf("msg = %#v, want the final snapshot", msg)
	}
}

func TestLayerSpeedAndETA(t *testing.T) {
	var l layerView
	t0 := testNow
	l.apply(progress.Update{ID: "a", State: progress.Waiting})
	l.apply(progress.Update{ID: "a", State: progress.Downloading, Current: 0, Total: 100_000_000, Time: t0})
	l.apply(progress.Update{ID: "a", State: progress.Downloading, Current: 10_000_000, Total: 100_000_000, Time: t0.Add(time.Second)})
	if l.Speed != 10_000_000 {
		t.Fatalf("speed = %v, want 10 MB/s", l.Speed)
	}
	if got := l.ETA(); got != 9*time.Second {
		t.Errorf("ETA = %v, want 9s", got)
	}
	l.apply(progress.Update{ID: "a", State: progress.Downloading, Current: 30_000_000, Total: 100_000_000, Time: t0.Add(2 * time.Second)})
	if want := 0.3*20e6 + 0.7*10e6; l.Speed != want {
		t.Errorf("smoothed speed = %v, want %v", l.Speed, want)
	}
	if l.Size != 100_000_000 {
		t.Errorf("size = %d", l.Size)
	}
	l.apply(progress.Update{ID: "a", State: progress.Extracting, Current: 50, Total: 100_000_000})
	if f := l.Fraction(); f < 0.8 || f > 0.81 {
		t.Errorf("fraction while extracting = %v", f)
	}
	if l.ETA() != 0 {
		t.Error("no ETA outside downloading")
	}
}

func TestHumanSpeedAndETA(t *testing.T) {
	tests := []struct{ got, want string }{
		{humanSpeed(85_200_000), "85.2MB/s"},
		{humanSpeed(0), ""},
		{humanETA(0), ""},
		{humanETA(300 * time.Millisecond), "ETA 1s"},
		{humanETA(3 * time.Second), "ETA 3s"},
		{humanETA(90 * time.Second), "ETA 1m30s"},
		{humanETA(2*time.Hour + 5*time.Minute), "ETA 2h5m"},
		{humanETA(1000 * time.Hour), "ETA >99h"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestLayerLine(t *testing.T) {
	st := testStyles()
	downloading := &layerView{ID: "a1b2c3d4e5f6", State: progress.Downloading, Current: 12_300_000, Total: 40_000_000, Speed: 85_000_000}
	tests := []struct {
		name    string
		l       *layerView
		width   int
		want    []string
		notWant []string
	}{
		{"downloading, wide", downloading, 118,
			[]string{"a1b2c3d4e5f6 Downloading ", "━", "─", "12.3MB / 40MB", "85MB/s", "ETA 1s"}, nil},
		{"downloading, 80 columns", downloading, 74,
			[]string{"a1b2c3d4e5f6", "12.3MB / 40MB", "85MB/s", "ETA 1s", "━"}, nil},
		{"too narrow for speed", downloading, 50,
			[]string{"a1b2c3d4e5f6", "12.3MB / 40MB"}, []string{"MB/s", "ETA"}},
		{"extracting has no speed", &layerView{ID: "a1b2c3d4e5f6", State: progress.Extracting, Current: 1_000_000, Total: 2_000_000, Speed: 5}, 100,
			[]string{"Extracting", "1MB / 2MB"}, []string{"/s", "ETA"}},
		{"pull complete", &layerView{ID: "a1b2c3d4e5f6", State: progress.Done}, 80,
			[]string{"a1b2c3d4e5f6 Pull complete"}, []string{"━"}},
		{"already exists", &layerView{ID: "a1b2c3d4e5f6", State: progress.AlreadyExists}, 80,
			[]string{"a1b2c3d4e5f6 Already exists"}, nil},
		{"waiting", &layerView{ID: "a1b2c3d4e5f6", State: progress.Waiting}, 80, []string{"Waiting"}, nil},
		{"failed says why", &layerView{ID: "a1b2c3d4e5f6", State: progress.Failed, Err: errors.New("digest mismatch\nsecond line")}, 80,
			[]string{"Failed: digest mismatch second line"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line := layerLine(st, tc.l, stateWidth([]*layerView{tc.l}), tc.width)
			plain := ansi.Strip(line)
			if w := ansi.StringWidth(line); w != tc.width {
				t.Errorf("width %d, want %d: %q", w, tc.width, plain)
			}
			for _, s := range tc.want {
				if !strings.Contains(plain, s) {
					t.Errorf("%q lacks %q", plain, s)
				}
			}
			for _, s := range tc.notWant {
				if strings.Contains(plain, s) {
					t.Errorf("%q has %q", plain, s)
				}
			}
		})
	}
}

func TestBarFillsWithProgress(t *testing.T) {
	st := testStyles()
	count := func(l *layerView) int {
		return strings.Count(ansi.Strip(layerLine(st, l, 11, 100)), "━")
	}
	quarter := count(&layerView{ID: "x", State: progress.Downloading, Current: 25, Total: 100})
	half := count(&layerView{ID: "x", State: progress.Downloading, Current: 50, Total: 100})
	full := count(&layerView{ID: "x", State: progress.Downloading, Current: 100, Total: 100})
	if !(0 < quarter && quarter < half && half < full) {
		t.Errorf("filled cells: 25%%→%d 50%%→%d 100%%→%d, want growing", quarter, half, full)
	}
}

func TestPullFractionAndBusy(t *testing.T) {
	e := &env{now: func() time.Time { return testNow }}
	ps := newPulls(e)
	mk := func(ref string, layers ...*layerView) *pull {
		p := &pull{ref: ref, layers: layers}
		ps.pulls = append(ps.pulls, p)
		return p
	}
	a := mk("busybox:latest",
		&layerView{State: progress.Done, Size: 100},
		&layerView{State: progress.Downloading, Current: 50, Total: 100, Size: 100})
	mk("127.0.0.1:5000/big:latest", &layerView{State: progress.Waiting})
	mk("alpine:3.19")
	done := mk("old:latest")
	done.done = true

	if f := a.Fraction(); f != 0.7 { // (1 + 0.8*0.5) / 2
		t.Errorf("fraction = %v, want 0.7", f)
	}
	if got, want := ps.Busy(), "⇣ 3 pulls: busybox 70% · big 0% · alpine:3.19 0%"; got != want {
		t.Errorf("busy = %q, want %q", got, want)
	}
	if ps.Running() != 3 {
		t.Errorf("running = %d", ps.Running())
	}
}

func TestDockLinesFitBudgetByPriority(t *testing.T) {
	st := testStyles()
	p := &pull{ref: "big", layers: []*layerView{
		{ID: "done00000001", State: progress.Done},
		{ID: "wait00000002", State: progress.Waiting},
		{ID: "down00000003", State: progress.Downloading, Current: 1, Total: 2},
		{ID: "done00000004", State: progress.AlreadyExists},
	}}
	lines := dockLines(st, []*pull{p}, 76, 3)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	text := ansi.Strip(strings.Join(lines, "\n"))
	for _, want := range []string{"big", "+2 more", "down00000003", "wait00000002"} {
		if !strings.Contains(text, want) {
			t.Errorf("dock lacks %q:\n%s", want, text)
		}
	}
	// Shown layers keep their order: waiting (2nd) before downloading (3rd).
	if strings.Index(text, "wait00000002") > strings.Index(text, "down00000003") {
		t.Errorf("layers out of order:\n%s", text)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w != 76 {
			t.Errorf("line width %d: %q", w, ansi.Strip(l))
		}
	}
	if all := dockLines(st, []*pull{p}, 76, 10); len(all) != 5 {
		t.Errorf("with room, %d lines, want header and 4 layers", len(all))
	}
}

func TestShortRef(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                   "busybox",
		"busybox:latest":            "busybox",
		"alpine:3.19":               "alpine:3.19",
		"127.0.0.1:5000/big:latest": "big",
		"docker.io/library/redis":   "redis",
		"busybox@sha256:abcdef":     "busybox",
	} {
		if got := shortRef(in); got != want {
			t.Errorf("shortRef(%q) = %q, want %q", in, got, want)
		}
	}
}
