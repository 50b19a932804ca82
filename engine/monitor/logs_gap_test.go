package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fullDisk is a file system for a logWriter that takes room more bytes and
// then fails writes with ENOSPC (a write that does not fit is cut short,
// as the kernel does), and fails opens while openErr is set.
type fullDisk struct {
	room    int // < 0: no limit
	openErr error
	writes  int // write calls
}

type fullDiskFile struct {
	*os.File
	d *fullDisk
}

func (f fullDiskFile) Write(p []byte) (int, error) {
	f.d.writes++
	if f.d.room < 0 || len(p) <= f.d.room {
		if f.d.room >= 0 {
			f.d.room -= len(p)
		}
		return f.File.Write(p)
	}
	n, err := f.File.Write(p[:f.d.room])
	f.d.room -= n
	if err == nil {
		err = &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return n, err
}

func (d *fullDisk) open(path string) (logFile, error) {
	if d.openErr != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: d.openErr}
	}
	f, err := openLogFile(path)
	if err != nil {
		return nil, err
	}
	return fullDiskFile{f.(*os.File), d}, nil
}

// lost tallies the output a test expects to be lost.
type lost struct{ bytes, entries int }

func (l *lost) add(lines ...string) {
	for _, s := range lines {
		l.bytes += len(s)
		l.entries++
	}
}

func (l lost) marker(cause string) string {
	return fmt.Sprintf("berth: log write failed (%s): %d bytes of output lost in %d entries since ", cause, l.bytes, l.entries)
}

// readEntries reads a log as "stream:line" strings, and checks that every
// line of its files is a valid JSON object.
func readEntries(t *testing.T, path string) []string {
	t.Helper()
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range bytes.SplitAfter(data, []byte("\n")) {
			if len(l) == 0 {
				continue
			}
			var e logEntry
			if l[len(l)-1] != '\n' || json.Unmarshal(l, &e) != nil {
				t.Errorf("%s line %d is not a whole entry: %q", f, i+1, l)
			}
		}
	}
	var got []string
	if err := ReadLogs(context.Background(), path, LogOptions{Tail: -1}, func(e LogEntry) error {
		got = append(got, e.Stream+":"+string(e.Line))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// checkEntries compares entries with want, where a want ending in "since "
// is the start of a gap marker.
func checkEntries(t *testing.T, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		if strings.HasSuffix(want[i], " since ") {
			ok = strings.HasPrefix(got[i], want[i])
		} else {
			ok = got[i] == want[i]
		}
	}
	if !ok {
		t.Errorf("entries\n got %q\nwant %q", got, want)
	}
}

func TestLogWriteGap(t *testing.T) {
	d := &fullDisk{room: -1}
	var report bytes.Buffer
	path := filepath.Join(t.TempDir(), "log")
	w, err := newLogWriter(LogConfig{Path: path}, &report, d.open)
	if err != nil {
		t.Fatal(err)
	}
	out := logStream{w: w, name: "stdout"}
	errs := logStream{w: w, name: "stderr"}

	out.Write([]byte("one\ntwo\n"))

	// The disk fills in the middle of "three": its end is kept, "four" is lost.
	var l lost
	d.room = 30
	before := time.Now()
	out.Write([]byte("three\nfour\n"))
	l.add("four\n")
	if w.gap.err == nil || len(w.rest) == 0 {
		t.Fatalf("after ENOSPC: gap %v, rest %q", w.gap.err, w.rest)
	}
	if w.gap.backoff != retryFirst || w.gap.retryAt.Before(before.Add(retryFirst)) || w.gap.retryAt.After(time.Now().Add(retryFirst)) {
		t.Errorf("first retry at %v (+%v), want %v after the failure", w.gap.retryAt, w.gap.backoff, retryFirst)
	}
	if lines := strings.Split(strings.TrimSpace(report.String()), "\n"); len(lines) != 1 ||
		!strings.Contains(lines[0], "no space left on device; dropping the container's output") {
		t.Errorf("monitor report %q", report.String())
	}

	// Until the back-off ends, entries are dropped without a try.
	tries := d.writes
	for i := range 1000 {
		s := fmt.Sprintf("dropped %d\n", i)
		errs.Write([]byte(s))
		l.add(s)
	}
	if d.writes != tries {
		t.Errorf("%d writes tried during the back-off", d.writes-tries)
	}

	// Still full at each try: the back-off doubles up to retryMax.
	for i, want := range []time.Duration{200, 400, 800, 1000, 1000} {
		w.gap.retryAt = time.Time{} // the back-off is over
		s := fmt.Sprintf("full %d\n", i)
		out.Write([]byte(s))
		l.add(s)
		if w.gap.backoff != want*time.Millisecond {
			t.Errorf("try %d: back-off %v, want %v", i, w.gap.backoff, want*time.Millisecond)
		}
	}
	if d.writes != tries+5 {
		t.Errorf("5 tries made %d writes", d.writes-tries)
	}

	// Space again: "three" is finished, the marker written, then "eight".
	d.room = -1
	w.gap.retryAt = time.Time{}
	out.Write([]byte("eight\n"))
	if w.gap.err != nil || len(w.rest) != 0 {
		t.Fatalf("after space came back: gap %v, rest %q", w.gap.err, w.rest)
	}
	errs.Write([]byte("nine\n"))
	w.Close()

	checkEntries(t, readEntries(t, path), []string{
		"stdout:one\n", "stdout:two\n", "stdout:three\n",
		"stderr:" + l.marker("no space left on device"),
		"stdout:eight\n", "stderr:nine\n",
	})
	lines := strings.Split(strings.TrimSpace(report.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], fmt.Sprintf("writing works again; %d bytes of output lost in %d entries", l.bytes, l.entries)) {
		t.Errorf("monitor report %q", report.String())
	}
}

func TestLogWriteGapMarkerCut(t *testing.T) {
	// The disk fills again in the middle of the marker: the marker's end
	// comes first when there is space, and a second marker counts only
	// what was lost after the first.
	d := &fullDisk{room: -1}
	var report bytes.Buffer
	path := filepath.Join(t.TempDir(), "log")
	w, err := newLogWriter(LogConfig{Path: path}, &report, d.open)
	if err != nil {
		t.Fatal(err)
	}
	out := logStream{w: w, name: "stdout"}
	d.room = 0
	out.Write([]byte("a\n"))
	var first, second lost
	first.add("a\n")
	d.room = 40
	w.gap.retryAt = time.Time{}
	out.Write([]byte("b\n"))
	second.add("b\n")
	if len(w.rest) == 0 || w.gap.err == nil {
		t.Fatalf("marker not cut: rest %q, gap %v", w.rest, w.gap.err)
	}
	d.room = -1
	w.gap.retryAt = time.Time{}
	out.Write([]byte("c\n"))
	w.Close()
	checkEntries(t, readEntries(t, path), []string{
		"stderr:" + first.marker("no space left on device"),
		"stderr:" + second.marker("no space left on device"),
		"stdout:c\n",
	})
}

func TestLogWriteGapNothingLost(t *testing.T) {
	// The disk fills in the middle of the last entry written: once there is
	// space its end is written, and with nothing lost there is no marker.
	d := &fullDisk{room: -1}
	var report bytes.Buffer
	path := filepath.Join(t.TempDir(), "log")
	w, err := newLogWriter(LogConfig{Path: path}, &report, d.open)
	if err != nil {
		t.Fatal(err)
	}
	out := logStream{w: w, name: "stdout"}
	d.room = 20
	out.Write([]byte("one\n"))
	if w.gap.err == nil || len(w.rest) == 0 {
		t.Fatalf("not cut: gap %v, rest %q", w.gap.err, w.rest)
	}
	d.room = -1
	w.gap.retryAt = time.Time{}
	out.Write([]byte("two\n"))
	w.Close()
	checkEntries(t, readEntries(t, path), []string{"stdout:one\n", "stdout:two\n"})
	if !strings.Contains(report.String(), "writing works again; 0 bytes of output lost in 0 entries") {
		t.Errorf("monitor report %q", report.String())
	}
}

func TestLogWriteGapRotation(t *testing.T) {
	d := &fullDisk{room: -1}
	var report bytes.Buffer
	path := filepath.Join(t.TempDir(), "log")
	w, err := newLogWriter(LogConfig{Path: path, MaxSize: 400, MaxFiles: 3}, &report, d.open)
	if err != nil {
		t.Fatal(err)
	}
	out := logStream{w: w, name: "stdout"}
	line := func(i int) string { return fmt.Sprintf("line %d\n", i) }
	var want []string
	i := 0
	for ; w.size < 300; i++ {
		out.Write([]byte(line(i)))
		want = append(want, "stdout:"+line(i))
	}

	// The new file cannot be created: what comes until then is lost.
	d.openErr = syscall.ENOSPC
	var l lost
	for ; w.gap.err == nil; i++ {
		out.Write([]byte(line(i)))
		if w.gap.err == nil {
			want = append(want, "stdout:"+line(i))
		} else {
			l.add(line(i))
		}
	}
	if w.f != nil {
		t.Fatal("the rotation did not fail")
	}
	w.gap.retryAt = time.Time{}
	out.Write([]byte(line(i)))
	l.add(line(i))
	i++
	d.openErr = nil
	w.gap.retryAt = time.Time{}
	out.Write([]byte(line(i)))
	want = append(want, "stderr:"+l.marker("no space left on device"), "stdout:"+line(i))
	i++

	w.Close()
	checkEntries(t, readEntries(t, path), want)
	if n := strings.Count(report.String(), "\n"); n != 2 {
		t.Errorf("monitor report has %d lines, want 2: %q", n, report.String())
	}
}

func TestLogWriteGapRename(t *testing.T) {
	// Renaming Path fails (Path.1 is a directory that is not empty, which
	// os.Rename refuses with EEXIST): Path is reopened as it is at the
	// next try, and rotated then.
	var report bytes.Buffer
	path := filepath.Join(t.TempDir(), "log")
	w, err := newLogWriter(LogConfig{Path: path, MaxSize: 400, MaxFiles: 2}, &report, openLogFile)
	if err != nil {
		t.Fatal(err)
	}
	out := logStream{w: w, name: "stdout"}
	line := func(i int) string { return fmt.Sprintf("line %d\n", i) }
	var want []string
	i := 0
	for ; w.size < 300; i++ {
		out.Write([]byte(line(i)))
		want = append(want, "stdout:"+line(i))
	}
	if err := os.MkdirAll(filepath.Join(path+".1", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	var l lost
	for ; w.gap.err == nil; i++ {
		out.Write([]byte(line(i)))
		if w.gap.err == nil {
			want = append(want, "stdout:"+line(i))
		} else {
			l.add(line(i))
		}
	}
	if !errors.Is(w.gap.err, syscall.EEXIST) {
		t.Fatalf("rename failed with %v", w.gap.err)
	}
	w.gap.retryAt = time.Time{}
	out.Write([]byte(line(i))) // Path reopened, the rotation fails again
	l.add(line(i))
	i++
	if w.f != nil || w.gap.backoff != 2*retryFirst {
		t.Errorf("second try: file %v, back-off %v", w.f, w.gap.backoff)
	}
	if err := os.RemoveAll(path + ".1"); err != nil {
		t.Fatal(err)
	}
	w.gap.retryAt = time.Time{}
	out.Write([]byte(line(i)))
	want = append(want, "stderr:"+l.marker(syscall.EEXIST.Error()), "stdout:"+line(i))
	w.Close()
	checkEntries(t, readEntries(t, path), want)
	if n := strings.Count(report.String(), "\n"); n != 2 {
		t.Errorf("monitor report has %d lines, want 2: %q", n, report.String())
	}
}

func TestLogCloseInGap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		space bool // the disk has room again at Close
	}{{"still full", false}, {"space again", true}} {
		t.Run(tc.name, func(t *testing.T) {
			d := &fullDisk{room: -1}
			var report bytes.Buffer
			path := filepath.Join(t.TempDir(), "log")
			w, err := newLogWriter(LogConfig{Path: path}, &report, d.open)
			if err != nil {
				t.Fatal(err)
			}
			out := logStream{w: w, name: "stdout"}
			out.Write([]byte("one\n"))
			d.room = 0
			out.Write([]byte("two\n"))
			if tc.space {
				d.room = -1
			}
			w.Close() // tries at once, back-off or not
			var l lost
			l.add("two\n")
			want := []string{"stdout:one\n"}
			if tc.space {
				want = append(want, "stderr:"+l.marker("no space left on device"))
			}
			checkEntries(t, readEntries(t, path), want)
			closed := strings.Contains(report.String(), "closed with 4 bytes of output lost in 1 entries")
			if closed == tc.space {
				t.Errorf("monitor report %q", report.String())
			}
		})
	}
}

func TestLogFileMode(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	if err := os.WriteFile(old, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(old, 0o640)
	for _, p := range []string{filepath.Join(dir, "new"), old} {
		w, err := openLog(LogConfig{Path: p})
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", p, st.Mode(), err)
		}
	}
}

// BenchmarkLogWriteFull is BenchmarkLogWrite on a disk that stays full:
// output is dropped and counted, with a try now and then (tries/op).
func BenchmarkLogWriteFull(b *testing.B) {
	chunk := bytes.Repeat([]byte(strings.Repeat("x", 79)+"\n"), 32<<10/80)
	const total = 16 << 20
	b.SetBytes(total)
	var tries int
	for b.Loop() {
		d := &fullDisk{room: 0}
		w, err := newLogWriter(LogConfig{Path: filepath.Join(b.TempDir(), "log"), MaxSize: 4 << 20, MaxFiles: 3}, io.Discard, d.open)
		if err != nil {
			b.Fatal(err)
		}
		s := logStream{w: w, name: "stdout"}
		for n := 0; n < total; n += len(chunk) {
			s.Write(chunk)
		}
		s.Flush()
		w.Close()
		tries += d.writes
	}
	b.ReportMetric(float64(tries)/float64(b.N), "tries/op")
}
