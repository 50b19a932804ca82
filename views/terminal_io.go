package views

import (
	"errors"
	"io"
	"sync"
)

// inputQueue holds bytes for the program; a goroutine writes them to the
// session, so a program that does not read never blocks Update.
type inputQueue struct {
	mu     sync.Mutex
	buf    []byte
	closed bool
	wake   chan struct{}
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

func (q *inputQueue) run(w io.Writer) {
	for range q.wake {
		q.mu.Lock()
		b, closed := q.buf, q.closed
		q.buf = nil
		q.mu.Unlock()
		if closed {
			return
		}
		if len(b) > 0 {
			if _, err := w.Write(b); err != nil && !errors.Is(err, io.ErrShortWrite) {
				q.close()
				return
			}
		}
	}
}
