package engine_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/engine/container"
	"berth/engine/monitor"
)

// TestContainerLogHistory: the history of a real container's log reads its
// entries by position, grows while it runs, and says ended only once the
// container is gone and every line is in.
func TestContainerLogHistory(t *testing.T) {
	e := newSessionEnv(t)
	name := e.run(t, container.CreateOptions{Cmd: []string{"sh", "-c",
		"echo first; echo oops >&2; while [ ! -e /tmp/go ]; do sleep 0.05; done; seq 1 1000; echo last"}})
	h, err := e.eng.ContainerLogHistory(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	wait := func(what string, cond func() bool) {
		t.Helper()
		for start := time.Now(); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Since(start) > 20*time.Second {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	var ended bool
	wait("the first two lines", func() bool {
		ended, err = h.Update()
		_, end := h.Bounds()
		return err != nil || end >= 2
	})
	if err != nil || ended {
		t.Fatalf("Update: ended %v, %v while the container runs", ended, err)
	}
	start, es, err := h.Read(0, 10)
	var got []string // the two streams' lines may come in either order
	for _, e := range es {
		got = append(got, e.Stream+":"+string(e.Line))
	}
	slices.Sort(got)
	if err != nil || start != 0 || strings.Join(got, "|") != "stderr:oops\n|stdout:first\n" || es[0].Time.IsZero() {
		t.Fatalf("Read(0, 10) = %d, %q, %v", start, got, err)
	}

	// Let it finish: the history grows to every line, then ends.
	s, err := e.eng.ExecSession(context.Background(), name, []string{"touch", "/tmp/go"}, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	s.Wait()
	s.Close()
	wait("the end of the log", func() bool {
		ended, err = h.Update()
		return err != nil || ended
	})
	if err != nil {
		t.Fatal(err)
	}
	first, end := h.Bounds()
	if first != 0 || end != 1003 {
		t.Fatalf("Bounds() = %d, %d; want 0, 1003", first, end)
	}
	_, es, _ = h.Read(end-2, 5)
	if len(es) != 2 || string(es[0].Line) != "1000\n" || string(es[1].Line) != "last\n" {
		t.Errorf("the last entries: %q", es)
	}
	at, err := h.Find(context.Background(), 0, end, false, func(e monitor.LogEntry) bool { return strings.TrimSpace(string(e.Line)) == "500" })
	if err != nil || at != 501 {
		t.Errorf("Find(500) = %d, %v; want 501", at, err)
	}
}
