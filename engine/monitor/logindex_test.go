package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// indexLines reads entries [from, from+n) and returns their text without
// newlines, checking where they start.
func indexLines(t *testing.T, x *LogIndex, from, n, wantStart int) []string {
	t.Helper()
	start, es, err := x.Read(from, n)
	if err != nil {
		t.Fatal(err)
	}
	if start != wantStart {
		t.Errorf("Read(%d, %d) starts at %d, want %d", from, n, start, wantStart)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = strings.TrimSuffix(string(e.Line), "\n")
	}
	return out
}

func checkLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		if len(got) > 8 || len(want) > 8 {
			t.Errorf("%s: %d lines %q…, want %d %q…", what, len(got), got[:min(len(got), 4)], len(want), want[:min(len(want), 4)])
			return
		}
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func checkBounds(t *testing.T, x *LogIndex, first, end int) {
	t.Helper()
	if f, e := x.Bounds(); f != first || e != end {
		t.Errorf("Bounds() = %d, %d; want %d, %d", f, e, first, end)
	}
}

func TestLogIndexWindows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	writeLines(t, LogConfig{Path: path}, 0, 1000)
	x, err := OpenLogIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	checkBounds(t, x, 0, 1000)
	tests := []struct{ from, n, start, want int }{
		{0, 10, 0, 10}, {31, 3, 31, 3}, {32, 1, 32, 1}, {500, 100, 500, 100},
		{990, 50, 990, 10}, {1000, 5, 1000, 0}, {-5, 7, 0, 2},
	}
	for _, tc := range tests {
		got := indexLines(t, x, tc.from, tc.n, tc.start)
		want := []string{}
		for i := tc.start; i < tc.start+tc.want; i++ {
			want = append(want, fmt.Sprintf("line %d", i))
		}
		checkLines(t, fmt.Sprintf("Read(%d, %d)", tc.from, tc.n), got, want)
	}
}

// TestLogIndexOddLines: blank lines are no entries, a damaged one is (read
// as a stderr line that says so), a line not ended yet is counted once its
// newline is written, and a line longer than the reader's buffer reads
// whole.
func TestLogIndexOddLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	at := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	long := strings.Repeat("y", 300<<10)
	var b []byte
	b = appendEntry(b, []byte("one\n"), "stdout", at)
	b = append(b, "\n  \n"...)
	b = append(b, `{"log":"cut sh`+"\n"...)
	b = appendEntry(b, []byte(long+"\n"), "stderr", at)
	b = appendEntry(b, []byte("two\n"), "stdout", at)
	half := appendEntry(nil, []byte("three\n"), "stdout", at)
	b = append(b, half[:10]...)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	x, err := OpenLogIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	checkBounds(t, x, 0, 4)
	_, es, err := x.Read(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 4 || string(es[0].Line) != "one\n" || es[1].Stream != "stderr" ||
		!strings.Contains(string(es[1].Line), "damaged log entry") || string(es[2].Line) != long+"\n" ||
		string(es[3].Line) != "two\n" || !es[3].Time.Equal(at) {
		t.Fatalf("entries: %d, %.40q", len(es), es)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(half[10:])
	f.Close()
	if err := x.Update(); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, x, 0, 5)
	checkLines(t, "after the line ended", indexLines(t, x, 3, 5, 3), []string{"two", "three"})
}

// TestLogIndexRotation: entries keep their numbers across files, the index
// follows a log that grows and rotates while it is open, and files that
// rotation removes move the first entry retained.
func TestLogIndexRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	cfg := LogConfig{Path: path, MaxSize: 2500, MaxFiles: 3}
	writeLines(t, cfg, 0, 100) // ~60 bytes an entry: 2 rotations
	names, _ := scanLogFiles(path)
	if len(names) != 3 {
		t.Fatalf("%d files, want 3 for this test", len(names))
	}
	all := readAllLines(t, path, LogOptions{Tail: -1})
	first := 100 - len(all)
	x, err := OpenLogIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	checkBounds(t, x, 0, len(all))
	checkLines(t, "all", indexLines(t, x, 0, 1000, 0), all)
	// Entries are numbered from the oldest file's first when opened.
	if all[0] != fmt.Sprintf("line %d", first) {
		t.Fatalf("oldest entry %q", all[0])
	}
	// A window across the boundary of two files.
	x.mu.RLock()
	edge := x.files[1].first
	x.mu.RUnlock()
	checkLines(t, "across files", indexLines(t, x, edge-3, 6, edge-3), all[edge-3:edge+3])

	// The log grows by less than a file: nothing is forgotten.
	writeLines(t, cfg, 100, 20)
	if err := x.Update(); err != nil {
		t.Fatal(err)
	}
	now := readAllLines(t, path, LogOptions{Tail: -1})
	dropped := 100 + 20 - first - len(now) // entries in files removed since
	_, end := x.Bounds()
	if end != len(all)+20 {
		t.Errorf("end %d after 20 more lines, want %d", end, len(all)+20)
	}
	lo, _ := x.Bounds()
	if lo != dropped {
		t.Errorf("first %d, want %d (entries of removed files)", lo, dropped)
	}
	checkLines(t, "after growth", indexLines(t, x, 0, 1000, lo), now)

	// Many rotations at once: every file the index knew is gone, and so
	// are files made and removed since the last Update, which it never saw:
	// the numbers go on from the last it gave.
	writeLines(t, cfg, 120, 300)
	if err := x.Update(); err != nil {
		t.Fatal(err)
	}
	now = readAllLines(t, path, LogOptions{Tail: -1})
	lo, end = x.Bounds()
	if lo != len(all)+20 || end-lo != len(now) {
		t.Errorf("Bounds %d, %d after 300 more lines; want first %d and %d entries", lo, end, len(all)+20, len(now))
	}
	checkLines(t, "after many rotations", indexLines(t, x, 0, 1000, lo), now)
	if got := indexLines(t, x, end-1, 1, end-1); len(got) != 1 || got[0] != "line 419" {
		t.Errorf("last entry %q, want line 419", got)
	}
}

// TestLogIndexOneFile: with MaxFiles 1 rotation removes the file itself.
func TestLogIndexOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	cfg := LogConfig{Path: path, MaxSize: 2000, MaxFiles: 1}
	writeLines(t, cfg, 0, 10)
	x, err := OpenLogIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	checkBounds(t, x, 0, 10)
	writeLines(t, cfg, 10, 40)
	if err := x.Update(); err != nil {
		t.Fatal(err)
	}
	now := readAllLines(t, path, LogOptions{Tail: -1})
	checkBounds(t, x, 10, 10+len(now))
	checkLines(t, "after rotation", indexLines(t, x, 0, 100, 10), now)
}

// TestLogIndexMissing: a log that does not exist yet is empty, and found
// once written.
func TestLogIndexMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	x, err := OpenLogIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	checkBounds(t, x, 0, 0)
	writeLines(t, LogConfig{Path: path}, 0, 3)
	if err := x.Update(); err != nil {
		t.Fatal(err)
	}
	checkLines(t, "written", indexLines(t, x, 0, 10, 0), numbered(0, 2))
}

// TestLogIndexWhileWritten: reads and updates while a writer logs and
// rotates give whole, numbered entries in order (run with -race).
func TestLogIndexWhileWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	cfg := LogConfig{Path: path, MaxSize: 64 << 10, MaxFiles: 4}
	w, err := openLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x, err := OpenLogIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const total = 20000
	var wg sync.WaitGroup
	wg.Go(func() {
		s := logStream{w: w, name: "stdout"}
		for i := range total {
			s.Write(fmt.Appendf(nil, "line %d\n", i))
		}
		w.Close()
	})
	stop := make(chan struct{})
	var once sync.Once
	defer func() { // before the directory goes, even after a failure
		once.Do(func() { close(stop) })
		wg.Wait()
	}()
	errs := make(chan error, 1)
	wg.Go(func() { // a reader of windows
		for {
			select {
			case <-stop:
				return
			default:
			}
			lo, end := x.Bounds()
			if end == lo {
				time.Sleep(time.Millisecond)
				continue
			}
			start, es, err := x.Read(lo+(end-lo)/2, 50)
			if err != nil {
				errs <- err
				return
			}
			// Whole entries, in order (files made and removed between
			// two Updates are never seen: the numbers may skip lines).
			last := -1
			for i, e := range es {
				var n int
				if _, err := fmt.Sscanf(string(e.Line), "line %d\n", &n); err != nil || n <= last {
					errs <- fmt.Errorf("entry %d: %q after line %d", start+i, e.Line, last)
					return
				}
				last = n
			}
		}
	})
	for {
		if err := x.Update(); err != nil {
			t.Fatal(err)
		}
		if lo, end := x.Bounds(); end > lo {
			if _, es, err := x.Read(end-1, 1); err == nil && len(es) == 1 && string(es[0].Line) == fmt.Sprintf("line %d\n", total-1) {
				break
			}
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
		time.Sleep(time.Millisecond)
	}
	once.Do(func() { close(stop) })
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	lo, end := x.Bounds()
	got := indexLines(t, x, lo, end-lo, lo)
	checkLines(t, "at the end", got, readAllLines(t, path, LogOptions{Tail: -1}))
	if got[len(got)-1] != fmt.Sprintf("line %d", total-1) {
		t.Errorf("last entry %q", got[len(got)-1])
	}
}

func TestLogIndexFindScanSince(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	at := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	var b []byte
	for i := range 10000 {
		b = appendEntry(b, fmt.Appendf(nil, "line %d\n", i), "stdout", at.Add(time.Duration(i)*time.Second))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	x, err := OpenLogIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	is := func(s string) func(LogEntry) bool {
		return func(e LogEntry) bool { return string(e.Line) == s+"\n" }
	}
	has := func(s string) func(LogEntry) bool {
		return func(e LogEntry) bool { return strings.Contains(string(e.Line), s) }
	}
	finds := []struct {
		name     string
		from, to int
		back     bool
		match    func(LogEntry) bool
		want     int
	}{
		{"forward", 0, 10000, false, is("line 7777"), 7777},
		{"forward from after", 7778, 10000, false, is("line 7777"), -1},
		{"backward", 0, 10000, true, is("line 12"), 12},
		{"backward: the last before to", 0, 5000, true, has("99"), 4999},
		{"backward across chunks", 0, 9000, true, is("line 3"), 3},
		{"forward: the first from", 100, 10000, false, has("99"), 199},
		{"none", 0, 10000, false, is("nope"), -1},
	}
	for _, tc := range finds {
		got, err := x.Find(ctx, tc.from, tc.to, tc.back, tc.match)
		if err != nil || got != tc.want {
			t.Errorf("%s: Find = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
	var n int
	err = x.Scan(ctx, 9990, 20000, func(e LogEntry) error {
		if want := fmt.Sprintf("line %d\n", 9990+n); string(e.Line) != want {
			t.Errorf("Scan: %q, want %q", e.Line, want)
		}
		n++
		return nil
	})
	if err != nil || n != 10 {
		t.Errorf("Scan gave %d entries, %v; want 10", n, err)
	}
	for _, tc := range []struct {
		t    time.Time
		want int
	}{{at, 0}, {at.Add(-time.Hour), 0}, {at.Add(5000 * time.Second), 5000}, {at.Add(4321*time.Second + 1), 4322}, {at.Add(time.Hour * 24), 10000}} {
		if got, err := x.Since(tc.t); err != nil || got != tc.want {
			t.Errorf("Since(%v) = %d, %v; want %d", tc.t, got, err, tc.want)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := x.Find(cctx, 0, 10000, false, is("nope")); err != context.Canceled {
		t.Errorf("Find after cancel: %v", err)
	}
}

// writeBenchLog writes n entries of about 100 bytes, as a busy web server
// would log them, to one file.
func writeBenchLog(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), "log")
	at := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	var buf []byte
	for i := range n {
		buf = appendEntry(buf, fmt.Appendf(nil, "172.17.0.1 - - GET /item/%d HTTP/1.1 200 615 curl/8.5.0\n", i), "stdout", at.Add(time.Duration(i)*time.Millisecond))
	}
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkLogIndex: indexing 200,000 entries, reading a window of 100 in
// the middle, and a search through all of them.
func BenchmarkLogIndex(b *testing.B) {
	const n = 200000
	path := writeBenchLog(b, n)
	b.Run("open-200000", func(b *testing.B) {
		for b.Loop() {
			x, err := OpenLogIndex(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, end := x.Bounds(); end != n {
				b.Fatalf("%d entries", end)
			}
			x.Close()
		}
	})
	x, err := OpenLogIndex(path)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	b.Run("read-100", func(b *testing.B) {
		for b.Loop() {
			if _, es, err := x.Read(n/2+17, 100); err != nil || len(es) != 100 {
				b.Fatal(len(es), err)
			}
		}
	})
	b.Run("find-all-200000", func(b *testing.B) {
		for b.Loop() {
			if i, err := x.Find(context.Background(), 0, n, false, func(e LogEntry) bool { return false }); err != nil || i != -1 {
				b.Fatal(i, err)
			}
		}
	})
}

// TestDecodeEntryFast: the fast decoder reads what encoding/json reads, or
// leaves the line to it.
func TestDecodeEntryFast(t *testing.T) {
	at := time.Date(2026, 11, 23, 17, 0, 0, 123456789, time.UTC)
	lines := [][]byte{}
	for _, text := range []string{
		"hello\n", "", `quote " backslash \ slash /`, "tab\tcr\r\x00\x01\x1f\x7f\b\f",
		"<html>&amp;</html>", "héllo wörld ✓ 😀", "bad \xff\xfe utf8 \xe2\x82", "sep \u2028 \u2029 end",
	} {
		lines = append(lines, appendEntry(nil, []byte(text), "stderr", at))
	}
	lines = append(lines,
		[]byte(`{"log":"pair \ud83d\ude00 lone \ud83d x \/ \u00e9\n","stream":"stdout","time":"2026-11-23T17:00:00Z"}`),
		[]byte(`{"log":"x","stream":"stdout","time":"2026-11-23T17:00:00+02:00"}  `),
		[]byte(`{"stream":"stdout","log":"order","time":"2026-11-23T17:00:00Z"}`),
		[]byte(`{"log":"bad \q","stream":"stdout","time":"2026-11-23T17:00:00Z"}`),
		[]byte(`{"log":"x","stream":"other","time":"2026-11-23T17:00:00Z"}`),
		[]byte(`{"log":"x","stream":"stdout","time":"2026-11-23T17:00:00Z","attrs":{}}`),
	)
	var rd entryReader
	for _, line := range lines {
		got := rd.decode(bytes.Clone(line))
		var want logEntry
		if err := json.Unmarshal(line, &want); err != nil {
			if !strings.Contains(string(got.Line), "damaged log entry") {
				t.Errorf("%s: %q, want a damaged entry", line, got.Line)
			}
			continue
		}
		if string(got.Line) != want.Log || got.Stream != want.Stream || !got.Time.Equal(want.Time) {
			t.Errorf("%s:\n got %q %s %v\nwant %q %s %v", line, got.Line, got.Stream, got.Time, want.Log, want.Stream, want.Time)
		}
	}
}
