package monitor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestLogFullDisk fills a real file system (a 64 KiB tmpfs) while logging,
// frees space and logs on: the log keeps what was written, marks the gap
// with the bytes lost, and goes on.
func TestLogFullDisk(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	if err := unix.Mount("berth-test", dir, "tmpfs", 0, "size=64k,mode=0700"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Error(err)
		}
	})
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 32<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	path := filepath.Join(dir, "log")
	w, err := newLogWriter(LogConfig{Path: path}, &report, openLogFile)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// A reader follows the log all along, and must see what a reader
	// after the fact sees.
	var mu sync.Mutex
	var followed []string
	closed := false
	followErr := make(chan error, 1)
	go func() {
		followErr <- ReadLogs(context.Background(), path, LogOptions{Follow: true, Tail: -1, Done: func() bool {
			mu.Lock()
			defer mu.Unlock()
			return closed
		}}, func(e LogEntry) error {
			mu.Lock()
			followed = append(followed, e.Stream+":"+string(e.Line))
			mu.Unlock()
			return nil
		})
	}()
	out := logStream{w: w, name: "stdout"}
	line := func(i int) string { return fmt.Sprintf("line %d %s\n", i, strings.Repeat("x", i%50)) }

	i := 0
	for ; w.gap.err == nil; i++ {
		if i == 10000 {
			t.Fatal("the file system never filled")
		}
		out.Write([]byte(line(i)))
	}
	failed := i - 1 // the line whose write failed
	for end := i + 20; i < end; i++ {
		out.Write([]byte(line(i))) // dropped, in the back-off
	}
	time.Sleep(2 * logPoll) // the follower reads up to the middle of the cut entry
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for ; w.gap.err != nil; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("logging did not resume: %v", w.gap.err)
		}
		time.Sleep(10 * time.Millisecond)
		out.Write([]byte(line(i)))
	}
	resumed := i - 1 // written after the marker
	for end := i + 10; i < end; i++ {
		out.Write([]byte(line(i)))
	}
	w.Close()
	mu.Lock()
	closed = true
	mu.Unlock()
	if err := <-followErr; err != nil {
		t.Fatal(err)
	}

	got := readEntries(t, path)
	if strings.Join(followed, "") != strings.Join(got, "") {
		t.Errorf("the follower read\n%q\nbut the log holds\n%q", followed, got)
	}
	// stdout lines 0..k-1, the marker, lines resumed..i-1; the line that
	// hit the full disk was either cut short (and finished later) or lost.
	k := 0
	for k < len(got) && got[k] == "stdout:"+line(k) {
		k++
	}
	if k != failed && k != failed+1 {
		t.Fatalf("%d lines before the gap, the write of line %d failed: %q", k, failed, got)
	}
	var l lost
	for j := k; j < resumed; j++ {
		l.add(line(j))
	}
	want := []string{"stderr:" + l.marker("no space left on device")}
	for j := resumed; j < i; j++ {
		want = append(want, "stdout:"+line(j))
	}
	checkEntries(t, got[k:], want)
	t.Logf("full at line %d (cut short: %v); %d bytes in %d entries lost; resumed at line %d", failed, k > failed, l.bytes, l.entries, resumed)
	lines := strings.Split(strings.TrimSpace(report.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "no space left on device") || !strings.Contains(lines[1], "writing works again") {
		t.Errorf("monitor report %q", report.String())
	}
}
