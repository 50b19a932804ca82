package views

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine/progress"
)

// pullTracker adapts the engine's progress callback, called from several
// goroutines at a high rate, into snapshots the UI takes at its own pace.
//
// The callback only stores the update as the latest state of its layer
// under a mutex and pokes a channel of capacity one without blocking; it
// never waits for the UI. A command (waitProgress) waits for the poke, lets
// updates pile up for a coalescing interval, and returns one snapshot of all
// layers. The final state of a layer is never lost: it is the last update of
// its layer, so it stays in the map, and the done message of the pull
// carries a snapshot taken after PullImage returned.
type pullTracker struct {
	mu       sync.Mutex
	layers   map[string]progress.Update
	order    []string // layer IDs, first seen first
	messages []string // whole-operation messages ("Digest: ...")
	version  uint64   // one more per update

	notify chan struct{} // capacity 1: "something changed"
	done   chan struct{} // closed when PullImage has returned
}

func newPullTracker() *pullTracker {
	return &pullTracker{
		layers: map[string]progress.Update{},
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
}

// Func is the progress.Func handed to the engine.
func (t *pullTracker) Func(u progress.Update) {
	t.mu.Lock()
	if u.ID == "" {
		if u.Message != "" {
			t.messages = append(t.messages, u.Message)
		}
	} else {
		prev, seen := t.layers[u.ID]
		if !seen {
			t.order = append(t.order, u.ID)
		}
		// A late update from a slow goroutine must not undo a final state.
		if !seen || !prev.State.Final() || u.State.Final() {
			t.layers[u.ID] = u
		}
	}
	t.version++
	t.mu.Unlock()
	select {
	case t.notify <- struct{}{}:
	default:
	}
}

// pullSnapshot is the state of every layer of a pull at one moment.
type pullSnapshot struct {
	Version  uint64
	Layers   []progress.Update // in the order the layers were first seen
	Messages []string
}

func (t *pullTracker) snapshot() pullSnapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := pullSnapshot{Version: t.version, Layers: make([]progress.Update, len(t.order))}
	for i, id := range t.order {
		s.Layers[i] = t.layers[id]
	}
	s.Messages = append([]string(nil), t.messages...)
	return s
}

// finish marks the pull as returned: waitProgress stops waiting.
func (t *pullTracker) finish() { close(t.done) }

// pullProgressMsg carries a snapshot of pull ID.
type pullProgressMsg struct {
	ID   int
	Snap pullSnapshot
}

// progressInterval is how often at most a pull redraws.
const progressInterval = 100 * time.Millisecond

// waitProgress waits for the next change of pull id, lets more pile up for
// interval, and returns one snapshot; the pulls component issues it again
// after each message until the pull is done. It returns nil once the pull is
// over and every change has been seen, so it never outlives its pull.
func waitProgress(id int, t *pullTracker, interval time.Duration) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-t.notify:
		case <-t.done:
			select {
			case <-t.notify: // a last change before the end
			default:
				return nil
			}
		}
		timer := time.NewTimer(interval)
		select {
		case <-timer.C:
		case <-t.done:
			timer.Stop()
		}
		return pullProgressMsg{ID: id, Snap: t.snapshot()}
	}
}
