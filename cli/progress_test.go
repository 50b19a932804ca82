package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"berth/engine/progress"
)

func TestPlainProgressPrintsStateChanges(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressPrinter(&buf, false, 80)
	now := time.Now()
	for _, u := range []progress.Update{
		{Message: "latest: Pulling from library/busybox"},
		{ID: "aaa", State: progress.Waiting},
		{ID: "aaa", State: progress.Downloading, Current: 10, Total: 100, Time: now},
		{ID: "aaa", State: progress.Downloading, Current: 50, Total: 100, Time: now.Add(time.Second)},
		{ID: "aaa", State: progress.Done},
		{ID: "bbb", State: progress.Failed, Err: errors.New("boom")},
	} {
		p.Update(u)
	}
	p.Close()
	want := "latest: Pulling from library/busybox\naaa: Waiting\naaa: Downloading\naaa: Pull complete\nbbb: Failed: boom\n"
	if buf.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestBarLine(t *testing.T) {
	start := time.Now()
	l := &layerLine{start: start, u: progress.Update{ID: "0123456789ab", State: progress.Downloading,
		Current: 20_000_000, Total: 40_000_000, Time: start.Add(time.Second)}}
	line := barLine(l, 120)
	for _, want := range []string{"0123456789ab: Downloading", "[===============>", "20MB/40MB", "20MB/s", "ETA 1s"} {
		if !strings.Contains(line, want) {
			t.Errorf("bar %q lacks %q", line, want)
		}
	}
	if got := fitWidth(line, 40); len(got) != 40 {
		t.Errorf("fitWidth: %d", len(got))
	}
}

func TestLiveProgressRedrawsInPlace(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressPrinter(&buf, true, 100)
	p.Update(progress.Update{ID: "aaa", State: progress.Downloading, Current: 1, Total: 2})
	time.Sleep(150 * time.Millisecond)
	p.Update(progress.Update{ID: "aaa", State: progress.Done})
	p.Update(progress.Update{Message: "Digest: sha256:x"})
	p.Close()
	out := buf.String()
	// The bars stay above the closing messages, as docker prints them.
	if !strings.Contains(out, "\x1b[1A\x1b[J") || !strings.HasSuffix(out, "aaa: Pull complete\nDigest: sha256:x\n") {
		t.Fatalf("live output: %q", out)
	}
}
