package views

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/engine/monitor"
	"berth/themes"
)

// logFakeEngine is the fake engine with the log history ability: each
// container's log is a fakeHistory the test writes to.
type logFakeEngine struct {
	*fakeEngine
	mu      sync.Mutex
	hists   map[string]*fakeHistory // by container ID
	opened  []*fakeHistory          // every history opened, in order
	openErr error
}

func newLogFakeEngine(eng *fakeEngine) *logFakeEngine {
	return &logFakeEngine{fakeEngine: eng, hists: map[string]*fakeHistory{}}
}

// log is the history of container id, made empty on first use.
func (f *logFakeEngine) log(id string) *fakeHistory {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.hists[id]
	if h == nil {
		h = &fakeHistory{}
		f.hists[id] = h
	}
	return h
}

func (f *logFakeEngine) ContainerLogHistory(ctx context.Context, ref string) (engine.LogHistory, error) {
	if f.openErr != nil {
		return nil, f.openErr
	}
	h := f.log(ref)
	f.mu.Lock()
	f.opened = append(f.opened, h)
	f.mu.Unlock()
	h.mu.Lock()
	h.opens++
	h.mu.Unlock()
	return &fakeHistoryHandle{h: h}, nil
}

// fakeHistory is a log in memory. Entries before first were rotated away.
type fakeHistory struct {
	mu      sync.Mutex
	entries []monitor.LogEntry
	first   int
	ended   bool
	opens   int
	closes  int
	maxRead int // the most entries one Read asked for
	reads   int
}

// write appends lines (without newlines) of stream at time at.
func (h *fakeHistory) write(stream string, at time.Time, lines ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range lines {
		h.entries = append(h.entries, monitor.LogEntry{Stream: stream, Time: at, Line: []byte(l + "\n")})
	}
}

// numbered writes n lines "line <i>" for i from from on, a second apart.
func (h *fakeHistory) numbered(from, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := from; i < from+n; i++ {
		h.entries = append(h.entries, monitor.LogEntry{Stream: "stdout", Time: testNow.Add(time.Duration(i) * time.Second),
			Line: []byte("line " + itoa(i) + "\n")})
	}
}

func (h *fakeHistory) setEnded(b bool) {
	h.mu.Lock()
	h.ended = b
	h.mu.Unlock()
}

func (h *fakeHistory) stats() (opens, closes, maxRead int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.opens, h.closes, h.maxRead
}

// fakeHistoryHandle is one opening of a fakeHistory: it sees what was
// written up to its last Update, as the index does.
type fakeHistoryHandle struct {
	h      *fakeHistory
	end    int
	closed bool
}

func (x *fakeHistoryHandle) Update() (bool, error) {
	x.h.mu.Lock()
	defer x.h.mu.Unlock()
	if x.closed {
		return false, errors.New("closed")
	}
	x.end = len(x.h.entries)
	return x.h.ended, nil
}

func (x *fakeHistoryHandle) Bounds() (int, int) {
	x.h.mu.Lock()
	defer x.h.mu.Unlock()
	return min(x.h.first, x.end), x.end
}

func (x *fakeHistoryHandle) Read(from, n int) (int, []monitor.LogEntry, error) {
	x.h.mu.Lock()
	defer x.h.mu.Unlock()
	x.h.reads++
	x.h.maxRead = max(x.h.maxRead, n)
	from = max(from, x.h.first)
	to := min(from+n, x.end)
	var out []monitor.LogEntry
	for i := from; i < to; i++ {
		out = append(out, x.h.entries[i])
	}
	return from, out, nil
}

func (x *fakeHistoryHandle) Scan(ctx context.Context, from, to int, sink monitor.LogSink) error {
	x.h.mu.Lock()
	from, to = max(from, x.h.first), min(to, x.end)
	x.h.mu.Unlock()
	for i := from; i < to; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		x.h.mu.Lock()
		e := x.h.entries[i]
		x.h.mu.Unlock()
		if err := sink(e); err != nil {
			return err
		}
	}
	return nil
}

func (x *fakeHistoryHandle) Find(ctx context.Context, from, to int, backward bool, match func(monitor.LogEntry) bool) (int, error) {
	x.h.mu.Lock()
	defer x.h.mu.Unlock()
	from, to = max(from, x.h.first), min(to, x.end)
	if backward {
		for i := to - 1; i >= from; i-- {
			if match(x.h.entries[i]) {
				return i, nil
			}
		}
		return -1, nil
	}
	for i := from; i < to; i++ {
		if match(x.h.entries[i]) {
			return i, nil
		}
	}
	return -1, nil
}

func (x *fakeHistoryHandle) Since(t time.Time) (int, error) {
	x.h.mu.Lock()
	defer x.h.mu.Unlock()
	for i := x.h.first; i < x.end; i++ {
		if !x.h.entries[i].Time.Before(t) {
			return i, nil
		}
	}
	return x.end, nil
}

func (x *fakeHistoryHandle) Close() error {
	x.h.mu.Lock()
	defer x.h.mu.Unlock()
	if !x.closed {
		x.closed = true
		x.h.closes++
	}
	return nil
}

// newLogsHarness is a harness on the Containers pane of the sample
// containers, with the log history ability.
func newLogsHarness(t *testing.T, w, h int) (*harness, *logFakeEngine) {
	t.Helper()
	le := newLogFakeEngine(sampleEngine())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	hs := &harness{t: t, eng: le.fakeEngine, msgs: make(chan tea.Msg, 256), now: testNow}
	hs.app = NewApp(ctx, le, themes.Dark())
	hs.app.env.now = func() time.Time { return hs.now }
	hs.app.env.statsEvery = 0
	hs.run(hs.app.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.waitScreen("web", "12.34MiB")
	return hs, le
}
