package engine

import (
	"context"
	"time"

	"berth/engine/container"
	"berth/engine/monitor"
)

// LogHistory is random access to a container's whole retained log, for a
// viewer that shows a window of it: entries are numbered in the order
// written and keep their numbers while the log grows and rotates (see
// monitor.LogIndex). Every method may block on the disk: call them off the
// UI's goroutine.
type LogHistory interface {
	// Update takes in what was written since; ended reports that the log
	// is complete: the container's process is gone for good (not running,
	// no restart pending) and everything it wrote is indexed.
	Update() (ended bool, err error)
	// Bounds are the first entry retained and the one after the last.
	Bounds() (first, end int)
	// Read returns up to n entries from from on, and the number of the
	// first returned (the first retained if from was rotated away).
	Read(from, n int) (int, []monitor.LogEntry, error)
	// Scan gives the entries [from, to) to sink in order.
	Scan(ctx context.Context, from, to int, sink monitor.LogSink) error
	// Find returns the first entry of [from, to) that match takes (the
	// last, if backward), or -1.
	Find(ctx context.Context, from, to int, backward bool, match func(monitor.LogEntry) bool) (int, error)
	// Since returns the first entry written at t or later.
	Since(t time.Time) (int, error)
	Close() error
}

// ContainerLogHistory opens the log of container ref for random access:
// its files are indexed by one scan (about 6 ms for 200,000 lines) and
// Update indexes what follows.
func (e *Engine) ContainerLogHistory(ctx context.Context, ref string) (LogHistory, error) {
	in, err := e.containers.Inspect(ctx, ref)
	if err != nil {
		return nil, err
	}
	x, err := monitor.OpenLogIndex(in.LogPath)
	if err != nil {
		return nil, err
	}
	return &containerLog{LogIndex: x, svc: e.containers, id: in.ID}, nil
}

// containerLog is a container's LogIndex that knows when it is complete.
type containerLog struct {
	*monitor.LogIndex
	svc *container.Service
	id  string
}

// Update asks about the container first, then indexes: a container gone
// before the index caught up has nothing more to write.
func (c *containerLog) Update() (bool, error) {
	cur, err := c.svc.Get(context.Background(), c.id)
	gone := err != nil || !(cur.State.Status.Active() || cur.State.Status == container.Restarting)
	if err := c.LogIndex.Update(); err != nil {
		return false, err
	}
	return gone, nil
}
