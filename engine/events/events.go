// Package events is the typed record of what changed in a berth root. Every
// change is stored with the change itself (same transaction), so every berth
// process on the same root sees it: Watch polls for new ones.
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
}

// Watch sends every event stored after the call, polling src every interval,
// until ctx ends; then it closes the channel. Errors from src are retried on
// the next tick (the store may be busy for a moment).
func Watch(ctx context.Context, src Source, interval time.Duration) <-chan Event {
	ch := make(chan Event, 64)
	go func() {
		defer close(ch)
		last, _ := src.LastEventID(ctx)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			evs, err := src.EventsSince(ctx, last)
			if err != nil {
				continue
			}
			for _, ev := range evs {
				select {
				case ch <- ev:
					last = ev.ID
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return ch
}
