// Package events is the typed record of what changed in a berth root. Every
// change is stored with the change itself (same transaction), so every berth
// process on the same root sees it: Watch reads new ones when the store
// says it was written to, or polls.
package events

import (
	"context"
	"time"
)

// Type is the kind of object an event is about.
type Type string

const (
	TypeImage     Type = "image"
	TypeContainer Type = "container"
	TypeNetwork   Type = "network"
	TypeVolume    Type = "volume"
)

// Action is what happened, as Docker names it.
const (
	ActionPull   = "pull"
	ActionTag    = "tag"
	ActionUntag  = "untag"
	ActionDelete = "delete"
	ActionLoad   = "load"
)

// Event is one change. ID grows by one per event within a root.
type Event struct {
	ID         int64
	Time       time.Time
	Type       Type
	Action     string
	Actor      string // the object's ID or name
	Attributes map[string]string
}

// Source gives the events stored after a given ID, oldest first.
type Source interface {
	EventsSince(ctx context.Context, afterID int64) ([]Event, error)
	LastEventID(ctx context.Context) (int64, error)
	// LastEventIDBefore is the ID of the newest event older than t (0 if
	// none): where a watch from t starts.
	LastEventIDBefore(ctx context.Context, t time.Time) (int64, error)
}

// Waker is a Source that says when it may hold new events, without
// blocking: a watcher then reads at once and polls rarely.
type Waker interface {
	Wake(ctx context.Context) <-chan struct{}
}

// Options say which events a watch sends.
type Options struct {
	// Since sends the stored events from this time on first; zero: only
	// those stored after the call.
	Since time.Time
	// Until ends the watch after the events up to this time; zero: when
	// ctx ends. A time past ends it once the stored events are sent.
	Until time.Time
}

// Timing of a watch: how often it reads a Source that cannot wake it, and
// one that can (in case a wake is lost: a store file replaced); how long
// after a wake it reads again, for a transaction that was still being
// written when the wake came.
const (
	pollWaker = 2 * time.Second
	settle    = 10 * time.Millisecond
)

// Watch sends the events o asks for, oldest first, reading src every poll
// (or when it wakes, if it is a Waker), until ctx ends or o.Until passes;
// then it closes the channel. Errors from src are retried on the next read
// (the store may be busy for a moment).
func Watch(ctx context.Context, src Source, poll time.Duration, o Options) <-chan Event {
	ch := make(chan Event, 64)
	go func() {
		defer close(ch)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // a watch that ends (Until) ends its wake-ups too
		w := watch{src: src, ch: ch, until: o.Until}
		if o.Since.IsZero() {
			w.last, _ = src.LastEventID(ctx)
		} else {
			w.last, _ = src.LastEventIDBefore(ctx, o.Since)
		}
		var wake <-chan struct{}
		if wk, ok := src.(Waker); ok {
			if wake = wk.Wake(ctx); wake != nil {
				poll = pollWaker
			}
		}
		var end <-chan time.Time
		if !o.Until.IsZero() {
			t := time.NewTimer(time.Until(o.Until))
			defer t.Stop()
			end = t.C
		}
		tick := time.NewTicker(poll)
		defer tick.Stop()
		again := time.NewTimer(0) // the first read: the stored events
		defer again.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-end:
				w.read(ctx)
				return
			case <-wake:
				again.Reset(settle)
			case <-again.C:
			case <-tick.C:
			}
			if !w.read(ctx) {
				return
			}
		}
	}()
	return ch
}

// watch is the state of one Watch.
type watch struct {
	src   Source
	ch    chan<- Event
	last  int64
	until time.Time
}

// read sends what was stored since the last read. It is false when the
// watch is over: ctx ended, or an event past until came.
func (w *watch) read(ctx context.Context) bool {
	for {
		evs, err := w.src.EventsSince(ctx, w.last)
		if err != nil {
			return ctx.Err() == nil
		}
		for _, ev := range evs {
			if !w.until.IsZero() && ev.Time.After(w.until) {
				return false
			}
			select {
			case w.ch <- ev:
				w.last = ev.ID
			case <-ctx.Done():
				return false
			}
		}
		if len(evs) < PageSize {
			return true
		}
	}
}

// PageSize is the most a Source's EventsSince gives at once: a read asks
// again while it gets that many.
const PageSize = 1000
