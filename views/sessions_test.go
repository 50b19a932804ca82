package views

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// The real engine opens sessions in panes.
var _ sessionEngine = (*engine.Engine)(nil)

// fakeStarter opens fake sessions and remembers what it was asked.
type fakeStarter struct {
	mu    sync.Mutex
	specs []sessionSpec
	sizes [][2]uint16
	sess  []*fakeTermSession
}

func (f *fakeStarter) start(_ context.Context, s sessionSpec, cols, rows uint16) (termSession, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.specs = append(f.specs, s)
	f.sizes = append(f.sizes, [2]uint16{cols, rows})
	fs := newFakeTermSession()
	if s.Kind == sessAttach {
		fs.detachOnClose = true
	}
	f.sess = append(f.sess, fs)
	return fs, nil
}

func (f *fakeStarter) n() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sess)
}

func (f *fakeStarter) session(i int) *fakeTermSession {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sess[i]
}

// newSessionsHarness is the containers harness with sessions opened by a
// fake starter.
func newSessionsHarness(t *testing.T, w, h int) (*harness, *fakeStarter) {
	t.Helper()
	hs, _ := newContainersHarness(t, w, h)
	fs := &fakeStarter{}
	hs.app.sessions.start = fs.start
	hs.containers().panes = true
	t.Cleanup(func() {
		for i := 0; i < fs.n(); i++ {
			fs.session(i).exit(0, nil)
		}
		hs.app.sessions.CloseAll()
	})
	return hs, fs
}

func TestSessionShellPaneBesideTheList(t *testing.T) {
	h, fs := newSessionsHarness(t, 120, 30)
	h.selectRow("web")
	h.keys("e")
	h.waitFor("the shell to open", func() bool { return h.app.sessions.Count() == 1 })
	if fs.specs[0].Kind != sessExec || fs.specs[0].Ref != hexID("a1") || fs.specs[0].Cmd != nil {
		t.Fatalf("opened %+v", fs.specs[0])
	}
	cols, rows := h.app.sessions.split.PaneSize()
	if fs.sizes[0] != [2]uint16{uint16(cols), uint16(rows)} {
		t.Errorf("opened at %v, the pane is %dx%d", fs.sizes[0], cols, rows)
	}
	sess := fs.session(0)
	sess.out("/ # ")
	h.waitScreen("shell web", "/ # ", "Containers", "db")

	h.typeText("echo $((6*7))")
	h.keys("enter", "ctrl+c")
	if h.quit {
		t.Fatal("ctrl+c in a session quit berth")
	}
	waitFor(t, func() bool { return sess.input() == "echo $((6*7))\r\x03" }, func() string { return fmt.Sprintf("input %q", sess.input()) })
	sess.out("42\r\n/ # ")
	h.waitScreen("42")
	if c := h.app.View().Cursor; c == nil {
		t.Error("no cursor in the focused pane")
	}

	// The prefix gives the lists the keys; the session keeps running.
	h.keys("ctrl+]")
	if h.app.sessions.Focused() {
		t.Fatal("ctrl+] did not give the focus back to the lists")
	}
	h.keys("j")
	if sess.input() != "echo $((6*7))\r\x03" {
		t.Errorf("j reached the session: %q", sess.input())
	}
	sess.out("still here")
	h.waitScreen("still here")

	// A new window size reaches the program.
	h.send(tea.WindowSizeMsg{Width: 100, Height: 40})
	cols, rows = h.app.sessions.split.PaneSize()
	sess.mu.Lock()
	last := sess.sizes[len(sess.sizes)-1]
	sess.mu.Unlock()
	if last != [2]uint16{uint16(cols), uint16(rows)} {
		t.Errorf("resized to %v, the pane is %dx%d", last, cols, rows)
	}

	// Below, zoomed, and back.
	h.keys("-")
	if h.app.sessions.split.Dir != 1 || !h.app.sessions.Focused() {
		t.Error("- did not put the pane below with the focus")
	}
	h.keys("ctrl+]", "z")
	h.waitFor("zoom", func() bool { return !strings.Contains(h.screen(), "Containers (6)") })
	h.keys("ctrl+]", "z")
	h.waitScreen("Containers (6)", "still here")
}

func TestSessionAttachDetachesWithCtrlPCtrlQ(t *testing.T) {
	h, fs := newSessionsHarness(t, 120, 30)
	h.selectRow("web")
	h.keys("enter")
	h.waitFor("the attach pane", func() bool { return h.app.sessions.Count() == 1 })
	if fs.specs[0].Kind != sessAttach {
		t.Fatalf("enter opened %+v", fs.specs[0])
	}
	sess := fs.session(0)
	h.keys("ctrl+p", "a", "ctrl+p", "ctrl+q")
	h.waitScreen("attach web ended: detached", "[detached]")
	// The keys go out through the pane's writer goroutine, which may still
	// be writing when the screen says detached: wait for them, then make
	// sure the detach keys never follow.
	for end := time.Now().Add(3 * time.Second); sess.input() != "\x10a" && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if got := sess.input(); got != "\x10a" {
		t.Errorf("the program got %q, want ^P a (not the detach keys)", got)
	}
	sess.mu.Lock()
	closed := sess.closed
	sess.mu.Unlock()
	if !closed {
		t.Error("the attach session was not closed")
	}
	h.keys("x") // a finished session closes
	h.waitFor("the pane to close", func() bool { return h.app.sessions.Count() == 0 })
	if h.app.sessions.Focused() {
		t.Error("focus stayed on a closed pane")
	}
}

func TestSessionsTabsExitAndRestart(t *testing.T) {
	h, fs := newSessionsHarness(t, 120, 30)
	h.selectRow("web")
	h.keys("e")
	h.waitFor("one", func() bool { return h.app.sessions.Count() == 1 })
	h.keys("ctrl+]")
	h.selectRow("db")
	h.keys("e")
	h.waitFor("two", func() bool { return h.app.sessions.Count() == 2 })
	h.waitScreen("1 shell web", "2 shell db")

	fs.session(0).out("hidden output")
	h.waitScreen("1 shell web •")
	fs.session(1).exit(3, nil)
	h.waitScreen("shell db ended: exit 3", "[exit 3]")

	h.keys("r") // the finished session starts again in its tab
	h.waitFor("a restart", func() bool { return fs.n() == 3 })
	h.waitFor("the new session in tab 2", func() bool { return h.app.sessions.list[1].term.sess == fs.session(2) })
	if fs.specs[2].Ref != hexID("b2") {
		t.Errorf("restarted %+v", fs.specs[2])
	}
	h.keys("ctrl+]", "[")
	h.waitScreen("hidden output")

	// Quitting asks while sessions run, and closes them all.
	h.keys("q")
	h.waitScreen("Quit berth", "2 sessions are open")
	h.app.sessions.CloseAll()
	for i := 0; i < 3; i++ {
		s := fs.session(i)
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if !closed && i != 1 {
			t.Errorf("session %d not closed", i)
		}
	}
}

func TestSessionHelpShowsThePrefix(t *testing.T) {
	h, _ := newSessionsHarness(t, 120, 40)
	h.keys("?")
	h.waitScreen("Sessions", "ctrl+]", "session ⇄ lists", "a shell (or CMD) in a pane")
	h.keys("esc")
}
