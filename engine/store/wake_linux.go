package store

import (
	"context"
	"os"

	"golang.org/x/sys/unix"
)

// Wake is sent to, without blocking, after any process wrote to the store:
// inotify reports writes to its WAL, where every transaction goes first. A
// watcher of events reads then, instead of polling four times a second. It
// is nil when the WAL cannot be watched; it ends with ctx.
func (s *Store) Wake(ctx context.Context) <-chan struct{} {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil
	}
	if _, err := unix.InotifyAddWatch(fd, s.path+"-wal", unix.IN_MODIFY); err != nil {
		unix.Close(fd)
		return nil
	}
	f := os.NewFile(uintptr(fd), "inotify "+s.path+"-wal") // non-blocking: Close ends a Read
	ch := make(chan struct{}, 1)
	go func() {
		<-ctx.Done()
		f.Close()
	}()
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := f.Read(buf); err != nil {
				return
			}
			select {
			case ch <- struct{}{}:
			default: // one wake waiting is enough
			}
		}
	}()
	return ch
}
