package monitor

// Log files, in Docker's json-file format: one JSON object per line,
//
//	{"log":"hello\n","stream":"stdout","time":"2026-11-23T17:00:00.123456789Z"}
//
// Output is split at newlines; a line is written as soon as it is complete.
// A partial line is written as its own entry (without the newline) when
// more than 16 KiB of it have piled up or when its stream ends, so joining
// the "log" fields of a stream gives back its bytes exactly. When the next
// entry would take the file past MaxSize, Path becomes Path.1, Path.1 becomes
// Path.2, and so on; MaxFiles files are kept in all.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

const (
	maxPartial   = 16 << 10 // a partial line longer than this is written as is
	logPoll      = 100 * time.Millisecond
	maxLogLine   = 1 << 20 // longest entry the reader accepts
	rotatedLimit = 1000    // the reader looks no further than Path.1000
)

// logBatch is how many bytes of entries are written at once: 1, one entry
// a write. Batches of 64 KiB log 2.5 times faster, but then the pumps
// outrun attached clients sooner, and broadcast drops a client that falls
// 1 MiB behind; batch once broadcast waits for its clients instead.
const logBatch = 1

// logEntry is one line of a log file.
type logEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// logWriter appends entries to a log file and rotates it. Its streams may
// write from different goroutines.
//
// A failed write or rotation (a full disk, most often) does not stop
// logging. While writing fails the writer drops entries and counts them,
// and it tries again on the first write after a back-off (retryFirst,
// doubling up to retryMax): a try costs a failed write (or open, or
// rename), so a disk that stays full costs one system call a second and
// not one per line, and output is logged again at most a second after
// space comes back (at the next output, or at Close). When a try works, the first
// entry written is a gap marker on stderr (see logGap.marker), as journald
// marks what it suppressed: stderr, because the entries lost may be of
// either stream and the marker is berth's word, not the program's output,
// so it must not land in a pipe reading the program's stdout. The
// monitor's stderr (monitor.log) gets one line when writing starts to fail
// and one when it works again.
//
// The file stays one valid JSON object per line: when a write stopped in
// the middle of an entry, the writer keeps the entry's unwritten end and
// the next try writes it first, so the entry is whole (and not lost) once
// writing works again. Cutting the file back with ftruncate instead would
// leave a reader that follows the file at an offset past its new end, and
// it would read the next entries from their middle.
type logWriter struct {
	cfg      LogConfig
	report   io.Writer                          // the monitor's stderr
	openFile func(path string) (logFile, error) // opens Path to append

	mu     sync.Mutex
	f      logFile // nil when closed, or when a rotation failed (reopened on the next try)
	closed bool
	size   int64
	rest   []byte // the unwritten end of an entry cut short: written first
	buf    []byte
	pend   []pendingEntry // the entries encoded in buf, in order
	gap    logGap
}

// logFile is what the writer needs of an open log file.
type logFile interface {
	io.WriteCloser
	Stat() (fs.FileInfo, error)
}

// pendingEntry is an entry encoded in logWriter.buf, not written yet.
type pendingEntry struct {
	end    int  // its end in buf
	out    int  // bytes of output it holds
	marker bool // the gap marker
}

// logGap is output lost while writing fails.
type logGap struct {
	err     error     // the failure that began it; nil: no gap
	since   time.Time // when the first entry was lost
	bytes   int64     // bytes of output lost
	entries int64
	backoff time.Duration
	retryAt time.Time // no write is tried before this
}

const (
	retryFirst = 100 * time.Millisecond // the first try after a failure
	retryMax   = time.Second            // the longest wait between tries
)

func openLog(cfg LogConfig) (*logWriter, error) {
	return newLogWriter(cfg, os.Stderr, openLogFile)
}

func newLogWriter(cfg LogConfig, report io.Writer, openFile func(string) (logFile, error)) (*logWriter, error) {
	w := &logWriter{cfg: cfg, report: report, openFile: openFile}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

// openLogFile opens path to append, creating it. The log may hold secrets:
// it is the owner's only, and a file left group-readable by an older
// berth is made so too.
func openLogFile(path string) (logFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		f.Chmod(0o600)
	}
	return f, nil
}

func (w *logWriter) open() error {
	f, err := w.openFile(w.cfg.Path)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log: %w", err)
	}
	w.f, w.size = f, st.Size()
	return nil
}

// Close closes the file. Output lost in a gap that is still open is
// marked if the marker can be written now.
func (w *logWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if w.gap.err != nil {
		now := time.Now().UTC()
		if w.append("", nil, now); w.gap.err != nil {
			cut := ""
			if len(w.rest) > 0 {
				cut = " (and the entry before them is cut short)"
			}
			fmt.Fprintf(w.report, "%s log %s: closed with %d bytes of output lost in %d entries since %s, not marked in the log%s\n",
				now.Format(time.RFC3339), w.cfg.Path, w.gap.bytes, w.gap.entries, w.gap.since.Format(time.RFC3339), cut)
		}
	}
	w.closed = true
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// write appends entries for lines (each a complete or partial line).
func (w *logWriter) write(stream string, lines [][]byte) {
	if len(lines) == 0 {
		return
	}
	now := time.Now().UTC()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if w.gap.err != nil && now.Before(w.gap.retryAt) {
		w.gap.lose(lines)
		return
	}
	w.append(stream, lines, now)
}

// append writes the gap marker if there is a gap, then entries for lines.
// A gap that lost nothing (an entry was only cut short, and is finished
// now) needs no marker.
func (w *logWriter) append(stream string, lines [][]byte, now time.Time) {
	w.buf, w.pend = w.buf[:0], w.pend[:0]
	if w.gap.err != nil && w.f == nil { // a rotation failed
		if err := w.open(); err != nil {
			w.fail(err, now, lines)
			return
		}
	}
	if w.gap.err != nil && w.gap.entries > 0 {
		if err := w.add(w.gap.marker(), "stderr", now, true); err != nil {
			w.fail(err, now, lines)
			return
		}
	}
	for i, l := range lines {
		if err := w.add(l, stream, now, false); err != nil {
			w.fail(err, now, lines[i:])
			return
		}
	}
	if err := w.flush(len(w.buf), now); err != nil {
		w.fail(err, now, nil)
		return
	}
	if w.gap.err != nil { // nothing was lost
		w.endGap(now)
	}
}

// add encodes an entry into buf. The entries before it are written first
// when they fill a batch, and when it would take the file past MaxSize
// (then the file is rotated too). On an error the entry is not kept (the
// caller counts it lost).
func (w *logWriter) add(line []byte, stream string, now time.Time, marker bool) error {
	if len(w.buf) >= logBatch {
		if err := w.flush(len(w.buf), now); err != nil {
			return err
		}
	}
	start := len(w.buf)
	w.buf = appendEntry(w.buf, line, stream, now)
	if w.cfg.MaxSize > 0 && w.size+int64(start) > 0 && w.size+int64(len(w.buf)) > w.cfg.MaxSize {
		err := w.flush(start, now)
		if err == nil {
			err = w.rotate()
		}
		if err != nil {
			w.buf = w.buf[:0]
			return err
		}
	}
	w.pend = append(w.pend, pendingEntry{end: len(w.buf), out: len(line), marker: marker})
	return nil
}

// flush writes the end of an entry cut short if there is one, then
// buf[:k], the pending entries, and keeps the rest of buf. The entries not
// written are counted lost, but for one cut short, whose end is kept in
// rest. A written marker ends the gap (a marker cut short too: its end is
// the next thing written).
func (w *logWriter) flush(k int, now time.Time) error {
	n, err := 0, error(nil)
	if len(w.rest) > 0 {
		var m int
		m, err = w.f.Write(w.rest)
		w.size += int64(m)
		w.rest = w.rest[:copy(w.rest, w.rest[m:])]
	}
	if err == nil && k > 0 {
		n, err = w.f.Write(w.buf[:k])
		w.size += int64(n)
	}
	done := 0 // entries written whole, or cut short
	for done < len(w.pend) && w.pend[done].end <= n {
		done++
	}
	if start := 0; err != nil && done < len(w.pend) {
		if done > 0 {
			start = w.pend[done-1].end
		}
		if n > start {
			w.rest = append(w.rest, w.buf[n:w.pend[done].end]...)
			done++
		}
	}
	if done > 0 && w.pend[0].marker {
		w.endGap(now)
	}
	for _, p := range w.pend[done:] {
		if !p.marker {
			w.gap.bytes += int64(p.out)
			w.gap.entries++
		}
	}
	w.pend = w.pend[:0]
	w.buf = w.buf[:copy(w.buf, w.buf[k:])]
	return err
}

// fail opens a gap (or extends it), counts lines lost and sets when to try
// again.
func (w *logWriter) fail(err error, now time.Time, lines [][]byte) {
	w.buf, w.pend = w.buf[:0], w.pend[:0]
	w.gap.lose(lines)
	if w.gap.err == nil {
		w.gap.err, w.gap.since, w.gap.backoff = err, now, retryFirst
		fmt.Fprintf(w.report, "%s log %s: %v; dropping the container's output until writing works again\n",
			now.Format(time.RFC3339), w.cfg.Path, err)
	} else {
		w.gap.backoff = min(2*w.gap.backoff, retryMax)
	}
	w.gap.retryAt = now.Add(w.gap.backoff)
}

// endGap is called once the gap marker is written.
func (w *logWriter) endGap(now time.Time) {
	fmt.Fprintf(w.report, "%s log %s: writing works again; %d bytes of output lost in %d entries since %s\n",
		now.Format(time.RFC3339), w.cfg.Path, w.gap.bytes, w.gap.entries, w.gap.since.Format(time.RFC3339))
	w.gap = logGap{}
}

func (g *logGap) lose(lines [][]byte) {
	for _, l := range lines {
		g.bytes += int64(len(l))
	}
	g.entries += int64(len(lines))
}

// marker is the text of the entry written when writing works again, e.g.
//
//	berth: log write failed (no space left on device): 12345 bytes of output lost in 67 entries since 2026-11-23T17:00:00.123Z
func (g *logGap) marker() []byte {
	cause := g.err.Error()
	var errno syscall.Errno
	if errors.As(g.err, &errno) {
		cause = errno.Error()
	}
	return fmt.Appendf(nil, "berth: log write failed (%s): %d bytes of output lost in %d entries since %s\n",
		cause, g.bytes, g.entries, g.since.Format("2006-01-02T15:04:05.000Z07:00"))
}

// appendEntry appends the JSON line of one entry, as encoding/json would
// write logEntry (without HTML escaping), with no allocation.
func appendEntry(b, line []byte, stream string, t time.Time) []byte {
	b = append(b, `{"log":`...)
	b = appendJSONString(b, line)
	b = append(b, `,"stream":`...)
	b = appendJSONString(b, []byte(stream))
	b = append(b, `,"time":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, "\"}\n"...)
}

// appendJSONString quotes s as a JSON string: invalid UTF-8 becomes U+FFFD,
// control characters and U+2028/U+2029 are escaped.
func appendJSONString(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// rotate shifts Path.i to Path.i+1, drops the oldest and starts a new Path.
// With MaxFiles 1 the old file is simply removed. After a failure w.f is
// nil and the next try reopens Path (rotating again if it is still full).
func (w *logWriter) rotate() error {
	w.f.Close()
	w.f = nil
	keep := w.cfg.MaxFiles
	if keep < 1 {
		keep = 1
	}
	if keep == 1 {
		if err := os.Remove(w.cfg.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	} else {
		os.Remove(rotatedName(w.cfg.Path, keep-1))
		for i := keep - 2; i >= 1; i-- {
			if err := os.Rename(rotatedName(w.cfg.Path, i), rotatedName(w.cfg.Path, i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		if err := os.Rename(w.cfg.Path, rotatedName(w.cfg.Path, 1)); err != nil {
			return err
		}
	}
	return w.open()
}

func rotatedName(path string, i int) string {
	if i == 0 {
		return path
	}
	return path + "." + strconv.Itoa(i)
}

// logStream cuts one stream's output into lines for a logWriter. It is used
// by one goroutine.
type logStream struct {
	w       *logWriter
	name    string
	partial []byte
	lines   [][]byte
}

// Write logs the complete lines of p and keeps the rest for later.
func (s *logStream) Write(p []byte) {
	s.lines = s.lines[:0]
	if len(s.partial) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.partial = append(s.partial, p...)
			if len(s.partial) > maxPartial {
				s.lines = append(s.lines, s.partial)
				s.w.write(s.name, s.lines)
				s.partial = s.partial[:0]
			}
			return
		}
		s.partial = append(s.partial, p[:i+1]...)
		s.lines = append(s.lines, s.partial)
		p = p[i+1:]
	}
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		s.lines = append(s.lines, p[:i+1])
		p = p[i+1:]
	}
	if len(p) > maxPartial {
		s.lines = append(s.lines, p)
		p = nil
	}
	s.w.write(s.name, s.lines)
	s.partial = append(s.partial[:0], p...)
	if cap(s.partial) > 4*maxPartial && len(s.partial) == 0 {
		s.partial = nil // do not keep a large buffer around
	}
}

// Flush logs a pending partial line (the stream ended).
func (s *logStream) Flush() {
	if len(s.partial) > 0 {
		s.w.write(s.name, [][]byte{s.partial})
	}
	s.partial = nil
}

// LogOptions choose what ReadLogs reads.
type LogOptions struct {
	Follow bool      // keep reading what is written after the current end
	Tail   int       // only the last Tail lines (before Since applies); -1: all
	Since  time.Time // skip entries older than this; zero: no limit
	// Done, when set, ends Follow: once it returns true ReadLogs reads what
	// is left and returns. Make it report whether the container's process
	// is gone for good (not running, no restart pending). nil: follow until
	// ctx ends.
	Done func() bool
}

// LogEntry is one entry of a container's log: a line of output (with its
// newline, if it had one) and when it was read.
type LogEntry struct {
	Stream string // "stdout" or "stderr"
	Time   time.Time
	Line   []byte // valid only during the call to the sink
}

// LogSink receives entries in order; an error stops ReadLogs and is
// returned by it.
type LogSink func(LogEntry) error

// WriteLogs is a LogSink that writes lines to stdout and stderr as they
// were, with Docker's "--timestamps" prefix (RFC 3339 with nanoseconds and
// a space) if timestamps is set.
func WriteLogs(stdout, stderr io.Writer, timestamps bool) LogSink {
	var ts []byte
	return func(e LogEntry) error {
		w := stdout
		if e.Stream == "stderr" {
			w = stderr
		}
		if timestamps {
			ts = e.Time.UTC().AppendFormat(ts[:0], "2006-01-02T15:04:05.000000000Z07:00")
			ts = append(ts, ' ')
			if _, err := w.Write(ts); err != nil {
				return err
			}
		}
		_, err := w.Write(e.Line)
		return err
	}
}

// ReadLogs sends the entries of the log at path (the rotated files first,
// oldest first) to sink. With Follow it then waits for more, across
// rotations, until ctx ends (returning ctx.Err()) or opts.Done says the
// container is gone. A log that does not exist yet is empty.
func ReadLogs(ctx context.Context, path string, opts LogOptions, sink LogSink) error {
	files, err := openLogFiles(path)
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}()
	start := 0
	var offset int64
	if opts.Tail >= 0 {
		start, offset, err = tailStart(files, opts.Tail)
		if err != nil {
			return err
		}
	}
	rd := logReader{sink: sink, since: opts.Since}
	var cur *os.File
	for i := start; i < len(files); i++ {
		f := files[i]
		if i == start {
			if _, err := f.Seek(offset, io.SeekStart); err != nil {
				return err
			}
		}
		if i == len(files)-1 && opts.Follow {
			cur, files[i] = f, nil // the newest file: follow takes it over
			break
		}
		if err := rd.readAll(f); err != nil {
			return err
		}
		rd.partial = rd.partial[:0] // a rotated file ends with a complete line
	}
	if !opts.Follow {
		return nil
	}
	return rd.follow(ctx, path, cur, opts.Done)
}

// openLogFiles opens Path.N ... Path.1, Path (those that exist), oldest
// first, as one consistent set even while the writer rotates.
func openLogFiles(path string) ([]*os.File, error) {
	var lastErr error
	for range 20 {
		names, infos := scanLogFiles(path)
		var files []*os.File
		ok := true
		for i, n := range names {
			f, err := os.Open(n)
			if err != nil {
				lastErr = err
				ok = false
				break
			}
			files = append(files, f)
			if st, err := f.Stat(); err != nil || !os.SameFile(st, infos[i]) {
				ok = false
				break
			}
		}
		if ok {
			return files, nil
		}
		closeAll(files)
		time.Sleep(time.Millisecond)
	}
	if lastErr == nil {
		lastErr = errors.New("the log files keep changing")
	}
	return nil, fmt.Errorf("open log: %w", lastErr)
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// tailStart finds where the last n lines begin: the index of a file and an
// offset in it.
func tailStart(files []*os.File, n int) (int, int64, error) {
	if len(files) == 0 {
		return 0, 0, nil
	}
	if n == 0 {
		last := len(files) - 1
		st, err := files[last].Stat()
		if err != nil {
			return 0, 0, err
		}
		return last, st.Size(), nil
	}
	buf := make([]byte, 8<<10)
	for i := len(files) - 1; i >= 0; i-- {
		st, err := files[i].Stat()
		if err != nil {
			return 0, 0, err
		}
		end := st.Size()
		for pos := end; pos > 0; {
			size := min(int64(len(buf)), pos)
			pos -= size
			if _, err := files[i].ReadAt(buf[:size], pos); err != nil && err != io.EOF {
				return 0, 0, err
			}
			for j := size - 1; j >= 0; j-- {
				// A newline (but the one ending the file) starts a line after it.
				if buf[j] != '\n' || pos+j == end-1 {
					continue
				}
				if n--; n == 0 {
					return i, pos + j + 1, nil
				}
			}
		}
		if end > 0 { // the file's first line
			if n--; n == 0 {
				return i, 0, nil
			}
		}
	}
	return 0, 0, nil
}

// logReader decodes entries and feeds them to the sink.
type logReader struct {
	sink    LogSink
	since   time.Time
	partial []byte // an incomplete last line seen while following
	buf     []byte
	e       logEntry
}

// readAll reads f to its end, keeping an incomplete last line in partial.
func (r *logReader) readAll(f *os.File) error {
	if r.buf == nil {
		r.buf = make([]byte, 32<<10)
	}
	for {
		n, err := f.Read(r.buf)
		if n > 0 {
			if err := r.feed(r.buf[:n]); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (r *logReader) feed(p []byte) error {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(r.partial)+len(p) > maxLogLine {
				return errors.New("log file has a line too long to be an entry")
			}
			r.partial = append(r.partial, p...)
			return nil
		}
		line := p[:i]
		if len(r.partial) > 0 {
			r.partial = append(r.partial, line...)
			line = r.partial
		}
		p = p[i+1:]
		if err := r.entry(line); err != nil {
			return err
		}
		r.partial = r.partial[:0]
	}
	return nil
}

func (r *logReader) entry(line []byte) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	r.e = logEntry{}
	if err := json.Unmarshal(line, &r.e); err != nil {
		return nil // a damaged line (a crash mid-write): skip it, like Docker
	}
	if !r.since.IsZero() && r.e.Time.Before(r.since) {
		return nil
	}
	return r.sink(LogEntry{Stream: r.e.Stream, Time: r.e.Time, Line: []byte(r.e.Log)})
}

// follow reads cur (the current file, nil if there was none yet) and what
// follows it, polling. After a rotation it goes on with the file written
// after cur (now renamed Path.i, so Path.i-1, or Path), so a reader that
// falls behind by fewer than MaxFiles-1 rotations loses nothing.
func (r *logReader) follow(ctx context.Context, path string, cur *os.File, done func() bool) error {
	defer func() {
		if cur != nil {
			cur.Close()
		}
	}()
	for {
		finished := done != nil && done()
		if cur == nil {
			// No log when reading began: everything in it is new.
			files, err := openLogFiles(path)
			if err != nil {
				return err
			}
			for i, f := range files {
				if i == len(files)-1 {
					cur = f
					break
				}
				err := r.readAll(f)
				f.Close()
				if err != nil {
					closeAll(files[i+1:])
					return err
				}
				r.partial = r.partial[:0]
			}
		}
		if cur != nil {
			if err := r.readAll(cur); err != nil {
				return err
			}
			next, err := nextLogFile(path, cur)
			if err != nil {
				return err
			}
			if next != nil {
				// Rotated: finish the old file, then go on with the next.
				if err := r.readAll(cur); err != nil {
					next.Close()
					return err
				}
				cur.Close()
				r.partial = r.partial[:0]
				cur = next
				continue
			}
		}
		if finished {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(logPoll):
		}
	}
}

// nextLogFile opens the file written after cur if cur was rotated away
// (nil if cur is still Path). It works on a consistent listing of the
// files (two scans that agree), since the writer may be renaming them.
func nextLogFile(path string, cur *os.File) (*os.File, error) {
	cst, err := cur.Stat()
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err != nil || os.SameFile(st, cst) {
		return nil, nil // not rotated (or between a removal and its new file)
	}
	for range 20 {
		names, infos := scanLogFiles(path)
		names2, infos2 := scanLogFiles(path)
		if !sameListing(infos, infos2) || len(names) == 0 || len(names) != len(names2) {
			time.Sleep(time.Millisecond)
			continue
		}
		// Oldest first; cur is one of them, or was deleted, in which case
		// every file left is newer.
		next := 0
		for i, fi := range infos {
			if os.SameFile(fi, cst) {
				next = i + 1
				break
			}
		}
		if next == len(names) {
			return nil, nil // cur is the newest after all
		}
		f, err := os.Open(names[next])
		if err != nil {
			continue
		}
		if st, err := f.Stat(); err != nil || !os.SameFile(st, infos[next]) {
			f.Close()
			continue
		}
		return f, nil
	}
	return nil, nil // try again at the next poll
}

// scanLogFiles lists the log's files, oldest first.
func scanLogFiles(path string) ([]string, []os.FileInfo) {
	var names []string
	var infos []os.FileInfo
	for i := 1; i <= rotatedLimit; i++ {
		n := rotatedName(path, i)
		st, err := os.Stat(n)
		if err != nil {
			break
		}
		names = append(names, n)
		infos = append(infos, st)
	}
	slices.Reverse(names)
	slices.Reverse(infos)
	if st, err := os.Stat(path); err == nil {
		names = append(names, path)
		infos = append(infos, st)
	}
	return names, infos
}

func sameListing(a, b []os.FileInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !os.SameFile(a[i], b[i]) {
			return false
		}
	}
	return true
}
