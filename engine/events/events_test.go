package events

import (
	"context"
	"sync"
	"testing"
	"time"
)

// memSource is a Source in memory that can wake its watchers.
type memSource struct {
	mu    sync.Mutex
	evs   []Event
	wake  chan struct{}
	woken context.Context // the context Wake was given
}

func (m *memSource) add(ev Event) {
	m.mu.Lock()
	ev.ID = int64(len(m.evs) + 1)
	m.evs = append(m.evs, ev)
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *memSource) EventsSince(_ context.Context, after int64) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Event
	for _, ev := range m.evs {
		if ev.ID > after && len(out) < PageSize {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (m *memSource) LastEventID(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.evs)), nil
}

func (m *memSource) LastEventIDBefore(_ context.Context, t time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var id int64
	for _, ev := range m.evs {
		if ev.Time.Before(t) {
			id = ev.ID
		}
	}
	return id, nil
}

func (m *memSource) Wake(ctx context.Context) <-chan struct{} {
	m.mu.Lock()
	m.woken = ctx
	m.mu.Unlock()
	return m.wake
}

// A watch that reaches Until ends, and so does its source's wake-up.
func TestWatchUntilEndsItsWake(t *testing.T) {
	m := &memSource{wake: make(chan struct{}, 1)}
	base := time.Now().Add(-time.Hour)
	for i := range 3 {
		m.add(Event{Time: base.Add(time.Duration(i) * time.Minute), Action: "tag"})
	}
	var n int
	for range Watch(context.Background(), m, time.Hour, Options{Since: base, Until: base.Add(90 * time.Second)}) {
		n++
	}
	if n != 2 {
		t.Errorf("%d events up to minute 1.5, want 2", n)
	}
	m.mu.Lock()
	woken := m.woken
	m.mu.Unlock()
	select {
	case <-woken.Done():
	case <-time.After(time.Second):
		t.Error("the wake-up's context still runs after the watch ended")
	}
}

// Past PageSize stored events, a read asks again: none is skipped.
func TestWatchReadsEveryPage(t *testing.T) {
	m := &memSource{wake: make(chan struct{}, 1)}
	base := time.Now().Add(-time.Hour)
	for i := range 2*PageSize + 5 {
		m.add(Event{Time: base.Add(time.Duration(i) * time.Millisecond)})
	}
	var last int64
	for ev := range Watch(context.Background(), m, time.Hour, Options{Since: base, Until: time.Now()}) {
		if ev.ID != last+1 {
			t.Fatalf("event %d after %d", ev.ID, last)
		}
		last = ev.ID
	}
	if last != 2*PageSize+5 {
		t.Errorf("the last event is %d, want %d", last, 2*PageSize+5)
	}
}
