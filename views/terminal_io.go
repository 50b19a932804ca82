package views

import (
	"errors"
	"io"
	"sync"
	"time"
)

// inputQueue holds bytes for the program; a goroutine writes them to the
// session, so a program that does not read never blocks Update.
type inputQueue struct {
	mu      sync.Mutex
	buf     []byte
	writing bool // the writer is writing what it took
	closed  bool
	wake    chan struct{}
}

func (q *inputQueue) init() { q.wake = make(chan struct{}, 1) }

func (q *inputQueue) push(b []byte) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.buf = append(q.buf, b...)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *inputQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// drain waits, up to d, until everything queued was written: keys typed
// before a detach reach the program before it.
func (q *inputQueue) drain(d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		q.mu.Lock()
		done := q.closed || len(q.buf) == 0 && !q.writing
		q.mu.Unlock()
		if done {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func (q *inputQueue) run(w io.Writer) {
	for range q.wake {
		q.mu.Lock()
		b, closed := q.buf, q.closed
		q.buf = nil
		q.writing = len(b) > 0 && !closed
		q.mu.Unlock()
		if closed {
			return
		}
		if len(b) > 0 {
			_, err := w.Write(b)
			q.mu.Lock()
			q.writing = false
			q.mu.Unlock()
			if err != nil && !errors.Is(err, io.ErrShortWrite) {
				q.close()
				return
			}
		}
	}
}

// maxPending is how much output the reader holds for the feeder before it
// stops reading (and the program waits on its terminal, as it would on a
// slow one).
const maxPending = 256 << 10

// maxFeed is the most output fed to the emulator under one hold of the
// terminal's lock, so that a frame drawn meanwhile waits little.
const maxFeed = 64 << 10

// outputPipe carries a session's output from the goroutine that reads it to
// the one that feeds the emulator. The reader never waits on the emulator:
// a program that floods its terminal writes on at full speed and the
// feeder takes what piled up in one go, instead of 4 KiB (a pty read) at a
// time.
type outputPipe struct {
	mu      sync.Mutex
	cond    sync.Cond // data arrived, the pipe ended, or room was made
	buf     []byte
	spare   []byte // the feeder's previous batch, reused
	feeding bool   // the feeder is feeding a batch it took
	ended   bool
}

func (o *outputPipe) init() { o.cond.L = &o.mu }

// put adds p, waiting while maxPending is held.
func (o *outputPipe) put(p []byte) {
	o.mu.Lock()
	for len(o.buf) >= maxPending && !o.ended {
		o.cond.Wait()
	}
	o.buf = append(o.buf, p...)
	o.mu.Unlock()
	o.cond.Broadcast()
}

// idle reports whether the feeder has nothing to do: no output held, no
// batch being fed. Only the reader adds output, so the reader may then feed
// the emulator itself without changing the order of the output.
func (o *outputPipe) idle() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.buf) == 0 && !o.feeding
}

// end says no more output comes.
func (o *outputPipe) end() {
	o.mu.Lock()
	o.ended = true
	o.mu.Unlock()
	o.cond.Broadcast()
}

// take waits for output and returns all that is held, and whether the pipe
// ended (then the output, if any, is the last). prev, the batch the caller
// is done with, is reused.
func (o *outputPipe) take(prev []byte) (batch []byte, ended bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.feeding = false // done with prev
	for len(o.buf) == 0 && !o.ended {
		o.cond.Wait()
	}
	o.feeding = len(o.buf) > 0
	batch = o.buf
	o.buf, o.spare = o.spare[:0], nil
	if cap(prev) <= 2*maxFeed { // a flood's large buffers go once it ends
		o.spare = prev[:0]
	}
	o.cond.Broadcast()
	return batch, o.ended && len(batch) == 0
}
