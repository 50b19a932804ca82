package views

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
	"berth/ui/uitest"
)

// harness drives an App as the bubbletea runtime would, but from the test:
// commands run in goroutines and their messages come back through a channel
// that the test pumps into Update, one at a time, on its own goroutine.
// Commands that never return (ticks, stream waits) simply never deliver.
type harness struct {
	t    *testing.T
	app  *App
	eng  *fakeEngine
	msgs chan tea.Msg
	quit bool
	now  time.Time

	execs   [][]string // commands given the terminal (attach)
	execErr error      // what they return
}

func newHarness(t *testing.T, eng *fakeEngine, w, h int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	hs := &harness{t: t, eng: eng, msgs: make(chan tea.Msg, 256), now: testNow}
	hs.app = NewApp(ctx, eng, themes.Dark())
	hs.app.env.now = func() time.Time { return hs.now }
	hs.app.env.statsEvery = 0 // no stats ticks: tests send statsTickMsg
	hs.app.env.detailRest = 0 // docked detail areas follow the selection at once
	hs.app.env.exec = func(c *exec.Cmd, done tea.ExecCallback) tea.Cmd {
		hs.execs = append(hs.execs, c.Args)
		err := hs.execErr
		return func() tea.Msg { return done(err) }
	}
	hs.run(hs.app.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// newImagesHarness is a harness on the Images pane.
func newImagesHarness(t *testing.T, eng *fakeEngine, w, h int) *harness {
	t.Helper()
	hs := newHarness(t, eng, w, h)
	hs.keys("1")
	return hs
}

// containers is the Containers pane.
func (h *harness) containers() *containersView { return h.app.panes[paneContainers].(*containersView) }

// images is the Images pane.
func (h *harness) images() *imagesView { return h.app.panes[paneImages].(*imagesView) }

// run starts cmd; its message (or those of a batch) come back later.
func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			h.msgs <- msg
		}
	}()
}

// send gives msg to the app now, as the runtime would.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
		return
	case tea.QuitMsg:
		h.quit = true
		return
	}
	_, cmd := h.app.Update(msg)
	h.run(cmd)
	h.checkView()
}

// keys types each key: "enter", "esc", "ctrl+c" and single characters.
func (h *harness) keys(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(uitest.Key(k))
	}
}

// typeText types s one character at a time.
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(uitest.Key(string(r)))
	}
}

// waitFor pumps messages until cond holds, failing after a timeout. It
// checks cond every few milliseconds too: what cond waits for (a log
// closed) may come from a goroutine after the last message.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(3 * time.Second)
	for !cond() {
		select {
		case msg := <-h.msgs:
			h.send(msg)
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.screen())
		}
	}
}

// waitScreen pumps messages until the screen contains all of want.
func (h *harness) waitScreen(want ...string) {
	h.t.Helper()
	h.waitFor(strings.Join(want, ", "), func() bool {
		s := h.screen()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

// settle pumps messages until none has come for a moment.
func (h *harness) settle() {
	h.t.Helper()
	for {
		select {
		case msg := <-h.msgs:
			h.send(msg)
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

// screen is the view without escape sequences.
func (h *harness) screen() string { return ansi.Strip(h.app.View().Content) }

// checkView fails when the view is not exactly the window: every line at
// most as wide as the window, and as many lines as it is high.
func (h *harness) checkView() {
	h.t.Helper()
	v := h.app.View()
	if !v.AltScreen {
		h.t.Fatal("view is not in the alternate screen")
	}
	lines := strings.Split(v.Content, "\n")
	if len(lines) != h.app.height {
		h.t.Fatalf("view has %d lines, window %d:\n%s", len(lines), h.app.height, ansi.Strip(v.Content))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > h.app.width {
			h.t.Fatalf("line %d is %d wide, window %d:\n%s", i, w, h.app.width, ansi.Strip(l))
		}
	}
}

// lineWith is the first screen line containing s, or "".
func (h *harness) lineWith(s string) string {
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// nextPull waits for the app to call PullImage.
func (h *harness) nextPull() *fakePull {
	h.t.Helper()
	deadline := time.After(3 * time.Second)
	for {
		select {
		case p := <-h.eng.pulls:
			return p
		case msg := <-h.msgs:
			h.send(msg)
		case <-deadline:
			h.t.Fatalf("PullImage was not called; screen:\n%s", h.screen())
		}
	}
}
