package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sort"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// LogIndex gives random access to the whole retained log of a container
// (Path.N ... Path.1, Path, in Docker's json-file format) without loading
// it: one scan for newlines notes where every logStride-th entry of each
// file begins, and the entries between two marks are found by reading
// forward from the first. 200,000 entries cost 6,250 offsets.
//
// Entries are numbered from 0, the first entry of the oldest file when the
// index was opened, and keep their numbers while the log grows and rotates:
// Update indexes what was written since (in the newest file and in files
// that rotation made since), and forgets files that rotation removed, which
// moves the first number still retained (Bounds) up. The index keeps its
// files open, so a file renamed while it reads is still the one it indexed.
//
// An entry is a non-blank line ending with a newline; a line being written
// (no newline yet) is counted by the Update after its end. A line that is
// not a valid entry (a crash mid-write) is still counted, and read as a
// line of stderr that says so, so that numbers never depend on decoding.
//
// Its methods may be called from several goroutines. Reads run under a
// read lock, which Update waits for; long scans (Scan, Find) take it for
// scanChunk entries at a time.
type LogIndex struct {
	path string

	mu    sync.RWMutex
	files []*indexedLog // oldest first
	first int           // number of the first entry retained
	end   int           // number after the last entry indexed
	buf   []byte        // for Update's scans
}

const (
	logStride = 32   // entries between two marks
	scanChunk = 4096 // entries read under one lock by Scan and Find
)

// indexedLog is one file of the log.
type indexedLog struct {
	f       *os.File
	info    os.FileInfo
	first   int     // number of its first entry
	n       int     // entries indexed in it
	marks   []int64 // marks[k]: offset of its entry k*logStride
	scanned int64   // end of its last complete line indexed
}

// OpenLogIndex indexes the log at path; a log that does not exist yet is
// empty until Update finds it.
func OpenLogIndex(path string) (*LogIndex, error) {
	x := &LogIndex{path: path, buf: make([]byte, 256<<10)}
	if err := x.Update(); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// Close closes the log's files.
func (x *LogIndex) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, f := range x.files {
		f.f.Close()
	}
	x.files = nil
	return nil
}

// Bounds are the number of the first entry retained and the number after
// the last entry indexed: end-first entries can be read.
func (x *LogIndex) Bounds() (first, end int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.first, x.end
}

// Update indexes what was written since the last call: the end of the
// files it knows (the newest may have been rotated since, and finished
// first) and the files made since; it forgets the files that are gone.
func (x *LogIndex) Update() error {
	names, infos, err := x.listing()
	if err != nil || names == nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	// Files gone: the oldest ones, or every one (MaxFiles 1 removes Path).
	keep := x.files[:0]
	for _, f := range x.files {
		if slicesIndexFile(infos, f.info) >= 0 {
			keep = append(keep, f)
		} else {
			f.f.Close()
		}
	}
	clear(x.files[len(keep):])
	x.files = keep
	if len(x.files) > 0 {
		x.first = x.files[0].first
	} else {
		x.first = x.end
	}
	// The newest file known may have grown (and been rotated since).
	next := 0
	if len(x.files) > 0 {
		last := x.files[len(x.files)-1]
		if err := x.scan(last); err != nil {
			return err
		}
		next = slicesIndexFile(infos, last.info) + 1
	}
	for i := next; i < len(names); i++ {
		f, err := os.Open(names[i])
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil // rotated meanwhile: the next Update finds it
			}
			return errors.Join(errors.New("open log"), err)
		}
		if st, err := f.Stat(); err != nil || !os.SameFile(st, infos[i]) {
			f.Close()
			return nil // rotated meanwhile
		}
		il := &indexedLog{f: f, info: infos[i], first: x.end}
		if len(x.files) == 0 {
			x.first = x.end
		}
		x.files = append(x.files, il)
		if err := x.scan(il); err != nil {
			return err
		}
	}
	return nil
}

// listing lists the log's files, oldest first, from two scans that agree
// (the writer may be renaming them); nil names and no error when they kept
// changing: the next Update tries again.
func (x *LogIndex) listing() ([]string, []os.FileInfo, error) {
	for range 20 {
		names, infos := scanLogFiles(x.path)
		_, infos2 := scanLogFiles(x.path)
		if sameListing(infos, infos2) {
			if names == nil {
				names = []string{}
			}
			return names, infos, nil
		}
		time.Sleep(time.Millisecond)
	}
	return nil, nil, nil
}

func slicesIndexFile(infos []os.FileInfo, fi os.FileInfo) int {
	for i, in := range infos {
		if os.SameFile(in, fi) {
			return i
		}
	}
	return -1
}

// scan indexes f from its last complete line to its current end. The lock
// is held.
func (x *LogIndex) scan(f *indexedLog) error {
	start := f.scanned // where the current line begins
	content := false   // the current line has a non-blank byte so far
	pos := start
	for {
		n, err := f.f.ReadAt(x.buf, pos)
		p := x.buf[:n]
		for j := 0; j < n; {
			i := bytes.IndexByte(p[j:], '\n')
			if i < 0 {
				content = content || notBlank(p[j:])
				break
			}
			if content || notBlank(p[j:j+i]) {
				if f.n%logStride == 0 {
					f.marks = append(f.marks, start)
				}
				f.n++
				x.end++
			}
			start = pos + int64(j+i+1)
			content = false
			j += i + 1
		}
		pos += int64(n)
		if err == io.EOF || n == 0 {
			break
		}
		if err != nil {
			return err
		}
	}
	f.scanned = start
	return nil
}

// notBlank: p has a byte that is not white space. Entries begin with '{'.
func notBlank(p []byte) bool {
	return len(p) > 0 && (p[0] == '{' || len(bytes.TrimSpace(p)) > 0)
}

// Read returns up to n entries from number from on (or from the first
// retained, if from was rotated away), and the number of the first one
// returned. Their Lines are their own.
func (x *LogIndex) Read(from, n int) (int, []LogEntry, error) {
	var out []LogEntry
	start := -1
	err := x.each(from, from+n, func(i int, e LogEntry) error {
		if start < 0 {
			start = i
		}
		e.Line = bytes.Clone(e.Line)
		out = append(out, e)
		return nil
	})
	if start < 0 {
		start = max(from, 0)
		if first, _ := x.Bounds(); start < first {
			start = first
		}
	}
	return start, out, err
}

// Scan gives the entries [from, to) to sink, in order (from the first
// retained if from was rotated away), until ctx ends or sink fails. The
// entry's Line is valid during the call only.
func (x *LogIndex) Scan(ctx context.Context, from, to int, sink LogSink) error {
	for from < to {
		if err := ctx.Err(); err != nil {
			return err
		}
		stop := min(to, from+scanChunk)
		next := stop
		err := x.each(from, stop, func(_ int, e LogEntry) error { return sink(e) })
		if err != nil {
			return err
		}
		from = next
	}
	return nil
}

// Find returns the number of the first entry of [from, to) that match
// takes (the last, if backward), or -1. The entry's Line is valid during
// the call only.
func (x *LogIndex) Find(ctx context.Context, from, to int, backward bool, match func(LogEntry) bool) (int, error) {
	errFound := errors.New("found")
	found := -1
	check := func(i int, e LogEntry) error {
		if match(e) {
			found = i
			if !backward {
				return errFound
			}
		}
		return nil
	}
	if !backward {
		for ; from < to; from += scanChunk {
			if err := ctx.Err(); err != nil {
				return -1, err
			}
			if err := x.each(from, min(to, from+scanChunk), check); err == errFound {
				return found, nil
			} else if err != nil {
				return -1, err
			}
		}
		return -1, nil
	}
	// Backward: chunks from the end, the last match of a chunk wins.
	for to > from {
		if err := ctx.Err(); err != nil {
			return -1, err
		}
		lo := max(from, to-scanChunk)
		if err := x.each(lo, to, check); err != nil {
			return -1, err
		}
		if found >= 0 {
			return found, nil
		}
		to = lo
	}
	return -1, nil
}

// Since returns the number of the first entry written at t or later (end
// if none): a binary search over the marks, then a walk in one stride.
// Entries are in the order written; their times may step back a little
// where the two streams interleave, which moves the answer by a few
// entries at most.
func (x *LogIndex) Since(t time.Time) (int, error) {
	first, end := x.Bounds()
	// The first mark whose entry is at t or later.
	var ferr error
	nmarks := (end - first + logStride - 1) / logStride
	k := sort.Search(nmarks, func(k int) bool {
		_, es, err := x.Read(first+k*logStride, 1)
		if err != nil {
			ferr = err
			return true
		}
		return len(es) == 0 || !es[0].Time.Before(t)
	})
	if ferr != nil {
		return 0, ferr
	}
	lo := first + max(k-1, 0)*logStride
	found := end
	err := x.each(lo, min(end, lo+2*logStride), func(i int, e LogEntry) error {
		if !e.Time.Before(t) {
			found = i
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return 0, err
	}
	return found, nil
}

var errStop = errors.New("stop")

// each reads the entries [from, to) under the read lock and gives them to
// fn with their numbers. The entry's Line is valid during the call only.
func (x *LogIndex) each(from, to int, fn func(int, LogEntry) error) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	from = max(from, x.first)
	to = min(to, x.end)
	if from >= to {
		return nil
	}
	// The file that holds from.
	fi := sort.Search(len(x.files), func(i int) bool { return x.files[i].first+x.files[i].n > from })
	var rd entryReader
	for ; fi < len(x.files) && from < to; fi++ {
		f := x.files[fi]
		local := from - f.first
		if err := rd.reset(f, f.marks[local/logStride]); err != nil {
			return err
		}
		skip := local % logStride
		for i := local - skip; i < f.n && from < to; i++ {
			line, err := rd.next()
			if err != nil {
				return err
			}
			if skip > 0 {
				skip--
				continue
			}
			if err := fn(from, rd.decode(line)); err != nil {
				return err
			}
			from++
		}
	}
	return nil
}

// entryReader reads the non-blank lines of one file from an offset.
type entryReader struct {
	sr      *io.SectionReader
	buf     []byte
	r, w    int    // unread bytes are buf[r:w]
	long    []byte // a line longer than buf
	scratch []byte // the text of the entry decoded last
	e       logEntry
}

func (rd *entryReader) reset(f *indexedLog, off int64) error {
	rd.sr = io.NewSectionReader(f.f, off, f.scanned-off)
	if rd.buf == nil {
		rd.buf = make([]byte, 64<<10)
	}
	rd.r, rd.w = 0, 0
	return nil
}

// next returns the next non-blank line, without its newline; valid until
// the next call.
func (rd *entryReader) next() ([]byte, error) {
	for {
		line, err := rd.line()
		if err != nil {
			return nil, err
		}
		if notBlank(line) {
			return line, nil
		}
	}
}

func (rd *entryReader) line() ([]byte, error) {
	rd.long = rd.long[:0]
	for {
		if i := bytes.IndexByte(rd.buf[rd.r:rd.w], '\n'); i >= 0 {
			line := rd.buf[rd.r : rd.r+i]
			rd.r += i + 1
			if len(rd.long) > 0 {
				return append(rd.long, line...), nil
			}
			return line, nil
		}
		if rd.r == 0 && rd.w == len(rd.buf) { // a long line: keep what is read
			rd.long = append(rd.long, rd.buf[:rd.w]...)
			rd.w = 0
		}
		rd.w = copy(rd.buf, rd.buf[rd.r:rd.w])
		rd.r = 0
		n, err := rd.sr.Read(rd.buf[rd.w:])
		rd.w += n
		if n == 0 {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF // the file changed under the index
			}
			return nil, errors.Join(errors.New("read log"), err)
		}
	}
}

// decode decodes one line of the file into an entry; a line that is not
// an entry becomes a stderr line that says so. The entry's Line may share
// line or rd's scratch buffer: valid until the next call.
func (rd *entryReader) decode(line []byte) LogEntry {
	if e, ok := decodeEntryFast(line, &rd.scratch); ok {
		return e
	}
	rd.e = logEntry{}
	if err := json.Unmarshal(line, &rd.e); err != nil {
		rd.scratch = append(append(rd.scratch[:0], "berth: damaged log entry: "...), line...)
		return LogEntry{Stream: "stderr", Line: rd.scratch}
	}
	return LogEntry{Stream: rd.e.Stream, Time: rd.e.Time, Line: []byte(rd.e.Log)}
}

// decodeEntryFast decodes a line as appendEntry writes it (Docker writes
// the same), with no allocation but the unescaped text in scratch; false
// for anything else, which encoding/json then decodes.
func decodeEntryFast(line []byte, scratch *[]byte) (LogEntry, bool) {
	var e LogEntry
	p, ok := bytes.CutPrefix(line, []byte(`{"log":"`))
	if !ok {
		return e, false
	}
	// The text: up to the first unescaped quote.
	end, esc := 0, false
	for end < len(p) {
		c := p[end]
		if c == '"' {
			break
		}
		if c == '\\' {
			esc = true
			end++
		} else if c < 0x20 {
			return e, false
		}
		end++
	}
	if end >= len(p) {
		return e, false
	}
	text := p[:end]
	if !utf8.Valid(text) {
		return e, false
	}
	if esc {
		var ok bool
		if *scratch, ok = unescapeJSON((*scratch)[:0], text); !ok {
			return e, false
		}
		e.Line = *scratch
	} else {
		e.Line = text
	}
	p, ok = bytes.CutPrefix(p[end+1:], []byte(`,"stream":"`))
	if !ok {
		return e, false
	}
	switch {
	case bytes.HasPrefix(p, []byte(`stdout"`)):
		e.Stream = "stdout"
	case bytes.HasPrefix(p, []byte(`stderr"`)):
		e.Stream = "stderr"
	default:
		return e, false
	}
	p, ok = bytes.CutPrefix(p[len("stdout\""):], []byte(`,"time":"`))
	if !ok {
		return e, false
	}
	q := bytes.IndexByte(p, '"')
	if q < 0 || string(bytes.TrimRight(p[q+1:], " \t\r")) != "}" {
		return e, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(p[:q]))
	if err != nil {
		return e, false
	}
	e.Time = t
	return e, true
}

// unescapeJSON appends the text of a JSON string's body s to b; false if
// s has an escape that JSON does not.
func unescapeJSON(b, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		i++
		if i >= len(s) {
			return b, false
		}
		switch s[i] {
		case '"', '\\', '/':
			b = append(b, s[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s[i+1:])
			if !ok {
				return b, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					r2, ok = hex4(s[i+3:])
				}
				if d := utf16.DecodeRune(r, r2); ok && d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return b, false
		}
	}
	return b, true
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
