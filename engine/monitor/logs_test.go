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

func TestAppendEntryMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 23, 17, 0, 0, 123456789, time.UTC)
	for _, line := range []string{
		"hello\n", "", `quote " backslash \ slash /`, "tab\tcr\r\x00\x01\x1f\x7f",
		"<html>&amp;</html>", "héllo wörld ✓ 😀", "bad \xff\xfe utf8 \xe2\x82", "sep \u2028 \u2029 end",
	} {
		got := appendEntry(nil, []byte(line), "stdout", at)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(logEntry{Log: line, Stream: "stdout", Time: at})
		if string(got) != buf.String() {
			t.Errorf("line %q:\n got %s\nwant %s", line, got, buf.String())
		}
	}
}

func TestLogStreamSplitsLines(t *testing.T) {
	dir := t.TempDir()
	w, err := openLog(LogConfig{Path: filepath.Join(dir, "log")})
	if err != nil {
		t.Fatal(err)
	}
	out := logStream{w: w, name: "stdout"}
	errs := logStream{w: w, name: "stderr"}
	out.Write([]byte("one\ntw"))
	errs.Write([]byte("E1\n"))
	out.Write([]byte("o\nthree\nfo"))
	big := strings.Repeat("x", maxPartial+10)
	errs.Write([]byte(big)) // a partial line over the limit is written as is
	errs.Write([]byte("tail\n"))
	out.Write([]byte("ur"))
	out.Flush() // the stream ended: its partial line goes out
	errs.Flush()
	w.Close()

	var got []string
	err = ReadLogs(context.Background(), w.cfg.Path, LogOptions{Tail: -1}, func(e LogEntry) error {
		got = append(got, e.Stream+":"+string(e.Line))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"stdout:one\n", "stderr:E1\n", "stdout:two\n", "stdout:three\n", "stderr:" + big, "stderr:tail\n", "stdout:four"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("entries\n got %q\nwant %q", got, want)
	}
}

// writeLines logs n numbered lines through a rotating writer.
func writeLines(t *testing.T, cfg LogConfig, from, n int) {
	t.Helper()
	w, err := openLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	s := logStream{w: w, name: "stdout"}
	for i := from; i < from+n; i++ {
		s.Write([]byte(fmt.Sprintf("line %d\n", i)))
	}
}

func readAllLines(t *testing.T, path string, opts LogOptions) []string {
	t.Helper()
	var got []string
	if err := ReadLogs(context.Background(), path, opts, func(e LogEntry) error {
		got = append(got, strings.TrimSuffix(string(e.Line), "\n"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func numbered(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("line %d", i))
	}
	return out
}

func TestRotationAndTail(t *testing.T) {
	dir := t.TempDir()
	cfg := LogConfig{Path: filepath.Join(dir, "log"), MaxSize: 1000, MaxFiles: 4}
	writeLines(t, cfg, 1, 100)
	files, _ := filepath.Glob(cfg.Path + "*")
	if len(files) != 4 {
		t.Fatalf("files %v, want 4", files)
	}
	for _, f := range files {
		if st, _ := os.Stat(f); st.Size() > cfg.MaxSize {
			t.Errorf("%s has %d bytes", f, st.Size())
		}
	}
	all := readAllLines(t, cfg.Path, LogOptions{Tail: -1})
	if len(all) == 0 || all[len(all)-1] != "line 100" {
		t.Fatalf("read %v", all)
	}
	var first int
	fmt.Sscanf(all[0], "line %d", &first)
	if strings.Join(all, ",") != strings.Join(numbered(first, 100), ",") {
		t.Errorf("lines out of order: %v", all)
	}
	for _, n := range []int{0, 1, 3, 12, 20, len(all), len(all) + 5} {
		got := readAllLines(t, cfg.Path, LogOptions{Tail: n})
		want := all[max(0, len(all)-n):]
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("tail %d: got %v, want %v", n, got, want)
		}
	}

	// The monitor starts again (restart, or a new monitor): it appends.
	writeLines(t, cfg, 101, 5)
	if got := readAllLines(t, cfg.Path, LogOptions{Tail: 6}); strings.Join(got, ",") != strings.Join(numbered(100, 105), ",") {
		t.Errorf("after reopen: %v", got)
	}

	// One file kept: the old one is simply dropped.
	one := LogConfig{Path: filepath.Join(dir, "one"), MaxSize: 500, MaxFiles: 1}
	writeLines(t, one, 1, 50)
	if files, _ := filepath.Glob(one.Path + "*"); len(files) != 1 {
		t.Errorf("files %v", files)
	}
	if got := readAllLines(t, one.Path, LogOptions{Tail: -1}); len(got) == 0 || got[len(got)-1] != "line 50" {
		t.Errorf("read %v", got)
	}
}

func TestReadLogsSinceAndMissing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log")
	if got := readAllLines(t, path, LogOptions{Tail: -1}); len(got) != 0 {
		t.Errorf("missing log read %v", got)
	}
	old := appendEntry(nil, []byte("old\n"), "stdout", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	recent := appendEntry(nil, []byte("new\n"), "stderr", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	os.WriteFile(path, append(append(old, "garbage\n"...), recent...), 0o600)
	got := readAllLines(t, path, LogOptions{Tail: -1, Since: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if strings.Join(got, ",") != "new" {
		t.Errorf("since: %v", got)
	}
	var o, e bytes.Buffer
	ReadLogs(context.Background(), path, LogOptions{Tail: -1}, WriteLogs(&o, &e, true))
	if o.String() != "2020-01-01T00:00:00.000000000Z old\n" || e.String() != "2026-01-01T00:00:00.000000000Z new\n" {
		t.Errorf("timestamps: %q %q", o.String(), e.String())
	}
}

func TestFollowAcrossRotation(t *testing.T) {
	dir := t.TempDir()
	cfg := LogConfig{Path: filepath.Join(dir, "log"), MaxSize: 400, MaxFiles: 10}
	var mu sync.Mutex
	var got []string
	var finished bool
	done := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return finished
	}
	errc := make(chan error, 1)
	go func() {
		errc <- ReadLogs(context.Background(), cfg.Path, LogOptions{Follow: true, Tail: 0, Done: done}, func(e LogEntry) error {
			mu.Lock()
			got = append(got, strings.TrimSuffix(string(e.Line), "\n"))
			mu.Unlock()
			return nil
		})
	}()
	time.Sleep(150 * time.Millisecond) // the reader waits for a log that does not exist yet
	w, err := openLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := logStream{w: w, name: "stdout"}
	for i := 1; i <= 40; i++ {
		s.Write([]byte(fmt.Sprintf("line %d\n", i)))
		if i%4 == 0 {
			time.Sleep(30 * time.Millisecond) // slower than a rotation per poll
		}
	}
	w.Close()
	mu.Lock()
	finished = true
	mu.Unlock()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow did not end after Done")
	}
	if strings.Join(got, ",") != strings.Join(numbered(1, 40), ",") {
		t.Errorf("followed %v", got)
	}

	// ctx ends a follow without Done.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := ReadLogs(ctx, cfg.Path, LogOptions{Follow: true, Tail: 1}, func(LogEntry) error { return nil }); err != context.DeadlineExceeded {
		t.Errorf("follow with ctx: %v", err)
	}
}

// BenchmarkLogWrite measures the writer as the pumps drive it: 16 MiB of
// output in 32 KiB reads of 80-byte lines, rotating at 4 MiB.
func BenchmarkLogWrite(b *testing.B) {
	chunk := bytes.Repeat([]byte(strings.Repeat("x", 79)+"\n"), 32<<10/80)
	const total = 16 << 20
	b.SetBytes(total)
	for b.Loop() {
		dir := b.TempDir()
		w, err := openLog(LogConfig{Path: filepath.Join(dir, "log"), MaxSize: 4 << 20, MaxFiles: 3})
		if err != nil {
			b.Fatal(err)
		}
		s := logStream{w: w, name: "stdout"}
		for n := 0; n < total; n += len(chunk) {
			s.Write(chunk)
		}
		s.Flush()
		w.Close()
	}
}
