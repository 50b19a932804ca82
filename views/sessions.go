package views

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"berth/pty"
	"berth/ui"
)

// sessionKind is what a session runs.
type sessionKind int

const (
	sessExec   sessionKind = iota // a shell or command in a container
	sessAttach                    // the container's main process
	sessHost                      // a shell on the host
)

// sessionSpec is what to open; kept to start a finished session again.
type sessionSpec struct {
	Kind sessionKind
	Ref  string // container ID; "" for the host
	Name string // container name, for the tab
	Cmd  []string
}

// title is the tab's text: "sh web", "attach web", "host".
func (s sessionSpec) title() string {
	switch s.Kind {
	case sessAttach:
		return "attach " + s.Name
	case sessHost:
		return "host"
	}
	if len(s.Cmd) > 0 {
		return s.Cmd[0] + " " + s.Name
	}
	return "shell " + s.Name
}

// Messages of the sessions.
type (
	openSessionMsg   struct{ Spec sessionSpec }
	sessionOpenedMsg struct {
		Spec sessionSpec
		Sess termSession
		Err  error
		Slot int // the tab to open it in again; -1 for a new one
	}
	sessionsClosedMsg struct{}
)

// sessionStarter opens sessions; the app's comes from the engine and pty,
// tests give a fake.
type sessionStarter func(ctx context.Context, spec sessionSpec, cols, rows uint16) (termSession, error)

// engineStarter opens sessions with eng and, for the host, a shell on a
// pseudo-terminal.
func engineStarter(eng sessionEngine) sessionStarter {
	return func(ctx context.Context, s sessionSpec, cols, rows uint16) (termSession, error) {
		switch s.Kind {
		case sessAttach:
			return eng.AttachSession(ctx, s.Ref, cols, rows)
		case sessHost:
			return pty.StartHost(os.Getenv("SHELL"), cols, rows)
		}
		return eng.ExecSession(ctx, s.Ref, s.Cmd, cols, rows)
	}
}

// session is one tab: what it runs and its terminal.
type session struct {
	spec sessionSpec
	term *terminal
	// ctrlP: an attach pane got Ctrl-P; Ctrl-Q next detaches (Docker's keys).
	ctrlP bool
}

// sessionsView holds the sessions and lays them out beside the lists with a
// ui.Split. The root model asks it where the lists go, gives it the keys
// while a session has the focus, and draws through it.
type sessionsView struct {
	env    *env
	start  sessionStarter
	split  ui.Split
	list   []*session
	nextID int
}

func newSessions(e *env, start sessionStarter) *sessionsView {
	return &sessionsView{env: e, start: start}
}

// Enabled reports whether sessions can be opened at all.
func (s *sessionsView) Enabled() bool { return s.start != nil }

// Count is the number of sessions, running or finished.
func (s *sessionsView) Count() int { return len(s.list) }

// Focused reports whether a session has the focus: it gets every key.
func (s *sessionsView) Focused() bool { return s.split.Open() && s.split.PaneFocused }

// SetSize gives the split its area and every terminal the pane's size.
func (s *sessionsView) SetSize(w, h int) {
	s.split.SetSize(w, h)
	cols, rows := s.split.PaneSize()
	for _, x := range s.list {
		x.term.Resize(cols, rows)
	}
}

// ListsSize is where the lists go.
func (s *sessionsView) ListsSize() (w, h int) { return s.split.ListsSize() }

func (s *sessionsView) active() *session {
	if !s.split.Open() {
		return nil
	}
	return s.list[s.split.Active]
}

func (s *sessionsView) byID(id int) (int, *session) {
	for i, x := range s.list {
		if x.term.ID == id {
			return i, x
		}
	}
	return -1, nil
}

// open starts spec in a command: starting an exec takes a round trip to
// the container's monitor, which Update must not wait for.
func (s *sessionsView) open(spec sessionSpec, slot int) tea.Cmd {
	if s.start == nil {
		return ui.Status(ui.LevelError, "this engine cannot open sessions in panes")
	}
	if !s.split.Open() { // the first pane: size it as it will be
		s.split.Tabs = []ui.SplitTab{{}}
		defer func() { s.split.Tabs = nil }()
	}
	cols, rows := s.split.PaneSize()
	ctx, start := s.env.ctx, s.start
	return func() tea.Msg {
		sess, err := start(ctx, spec, uint16(cols), uint16(rows))
		return sessionOpenedMsg{Spec: spec, Sess: sess, Err: err, Slot: slot}
	}
}

// Update takes the sessions' messages.
func (s *sessionsView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openSessionMsg:
		return s.open(msg.Spec, -1)
	case sessionOpenedMsg:
		if msg.Err != nil {
			return ui.Status(ui.LevelError, msg.Spec.title()+": "+oneLine(msg.Err.Error()))
		}
		return s.add(msg)
	case termFrameMsg:
		i, x := s.byID(msg.ID)
		if x == nil {
			return nil
		}
		shown := i == s.split.Active
		cmd, ended := x.term.frame(shown)
		s.syncTabs()
		if ended {
			return ui.Infof("%s ended: %s", x.spec.title(), x.term.Status())
		}
		return cmd
	}
	return nil
}

// add puts an opened session in a new tab (or the tab it ran in before),
// with the focus.
func (s *sessionsView) add(msg sessionOpenedMsg) tea.Cmd {
	wasOpen := s.split.Open()
	if !wasOpen {
		s.split.Tabs = []ui.SplitTab{{}}
	}
	cols, rows := s.split.PaneSize()
	s.nextID++
	x := &session{spec: msg.Spec, term: newTerminal(s.nextID, msg.Spec.title(), msg.Sess, cols, rows)}
	x.term.selStyle = s.env.Styles.Split.Selection
	if msg.Slot >= 0 && msg.Slot < len(s.list) {
		s.list[msg.Slot] = x
		s.split.Active = msg.Slot
	} else {
		s.list = append(s.list, x)
		s.split.Active = len(s.list) - 1
	}
	s.split.PaneFocused = true
	s.syncTabs()
	return x.term.waitFrame()
}

func (s *sessionsView) syncTabs() {
	tabs := make([]ui.SplitTab, len(s.list))
	for i, x := range s.list {
		if i == s.split.Active {
			x.term.Seen()
		}
		tabs[i] = ui.SplitTab{Title: x.spec.title(), Status: x.term.Status(), Unseen: x.term.Unseen()}
	}
	s.split.Tabs = tabs
	if len(tabs) == 0 {
		s.split.Active, s.split.PaneFocused, s.split.Zoomed = 0, false, false
	} else {
		s.split.Active = min(s.split.Active, len(tabs)-1)
	}
}

// ListKey takes the split's keys while the lists have the focus.
func (s *sessionsView) ListKey(msg tea.KeyPressMsg) bool {
	if x := s.active(); x != nil && s.env.Keys.CopyMode.Matches(msg) {
		x.term.EnterCopyMode()
		s.split.PaneFocused = true
		return true
	}
	if !s.split.Key(s.env.Keys, msg) {
		return false
	}
	s.syncTabs()
	return true
}

// Key handles a key while a session has the focus: the prefix gives the
// focus back to the lists; a finished session closes or starts again;
// Docker's Ctrl-P Ctrl-Q detaches an attach pane; shift+pgup/pgdn scroll
// back; everything else goes to the program as a terminal sends it.
func (s *sessionsView) Key(msg tea.KeyPressMsg) tea.Cmd {
	x := s.active()
	if x == nil {
		return nil
	}
	if s.env.Keys.Prefix.Matches(msg) {
		if x.term.CopyMode() {
			x.term.CopyKey(tea.KeyPressMsg{Code: tea.KeyEscape})
		}
		s.split.PaneFocused = false
		return nil
	}
	if x.term.CopyMode() {
		return copyCmd(x.spec.title(), x.term.CopyKey(msg))
	}
	if ended, _, _ := x.term.Ended(); ended {
		switch msg.String() {
		case "r":
			return s.open(x.spec, s.split.Active)
		case "x", "q", "enter", "esc":
			s.closeActive()
		}
		return nil
	}
	switch msg.String() {
	case "shift+pgup":
		_, rows := s.split.PaneSize()
		x.term.ScrollBy(rows / 2)
		return nil
	case "shift+pgdown":
		_, rows := s.split.PaneSize()
		x.term.ScrollBy(-rows / 2)
		return nil
	}
	if x.spec.Kind == sessAttach {
		isP := msg.Code == 'p' && msg.Mod == tea.ModCtrl
		isQ := msg.Code == 'q' && msg.Mod == tea.ModCtrl
		switch {
		case x.ctrlP && isQ:
			x.ctrlP = false
			go x.term.Close() // detach: the container keeps running
			return nil
		case x.ctrlP:
			x.ctrlP = false
			x.term.Send([]byte{0x10})
		case isP:
			x.ctrlP = true
			return nil
		}
	}
	x.term.Key(msg)
	return nil
}

// closeActive closes the active tab's session (it has ended).
func (s *sessionsView) closeActive() {
	i := s.split.Active
	x := s.list[i]
	go x.term.Close()
	s.list = append(s.list[:i], s.list[i+1:]...)
	if s.split.Active >= len(s.list) {
		s.split.Active = max(len(s.list)-1, 0)
	}
	s.syncTabs()
}

// Paste goes to the focused session.
func (s *sessionsView) Paste(text string) {
	if x := s.active(); x != nil {
		x.term.Paste(text)
	}
}

// Mouse handles a mouse event at (x, y) of the area below the title bar:
// on a session's screen it goes to the program, or scrolls back, or
// selects text (a drag that left the screen goes on); the text of a
// selection goes to the clipboard when the button is released.
func (s *sessionsView) Mouse(msg tea.MouseMsg, x, y int) tea.Cmd {
	a := s.active()
	if a == nil {
		return nil
	}
	_, click := msg.(tea.MouseClickMsg)
	if !s.split.Inside(x, y) && (click || !a.term.Dragging()) {
		return nil
	}
	ox, oy := s.split.PaneOrigin()
	if click {
		s.split.PaneFocused = true
	}
	return copyCmd(a.spec.title(), a.term.Mouse(msg, x-ox, y-oy))
}

// Dragging reports whether a mouse selection in the shown session is under
// way.
func (s *sessionsView) Dragging() bool {
	a := s.active()
	return a != nil && a.term.Dragging()
}

// copyCmd puts text on the clipboard through the outer terminal (OSC 52)
// and says so; nil when there is no text.
func copyCmd(from, text string) tea.Cmd {
	if text == "" {
		return nil
	}
	return tea.Batch(tea.SetClipboard(text), ui.Status(ui.LevelSuccess, "Copied "+itoa(len(text))+" bytes from "+from+" to the clipboard"))
}

// View draws the lists (drawn at ListsSize) beside the active session.
func (s *sessionsView) View(lists string) string {
	a := s.active()
	if a == nil {
		return lists
	}
	return s.split.View(s.env.Styles, lists, a.term.View())
}

// Cursor is the focused session's cursor in the area, or nil.
func (s *sessionsView) Cursor() *tea.Cursor {
	a := s.active()
	if a == nil || !s.split.PaneFocused {
		return nil
	}
	c := a.term.Cursor()
	if c == nil {
		return nil
	}
	ox, oy := s.split.PaneOrigin()
	c.X += ox
	c.Y += oy
	return c
}

// ShortHelp are the keys the status bar suggests while a session has the
// focus.
func (s *sessionsView) ShortHelp() []ui.Binding {
	km := s.env.Keys
	back := km.Prefix.WithShort("lists")
	if a := s.active(); a != nil && a.term.CopyMode() {
		return []ui.Binding{ui.Bind("hjkl", "move", "h"), ui.Bind("v", "mark", "v"), ui.Bind("y/enter", "copy", "y", "enter"), ui.Bind("esc", "leave", "esc")}
	}
	if a := s.active(); a != nil {
		if ended, _, _ := a.term.Ended(); ended {
			return []ui.Binding{back, ui.Bind("r", "start again", "r"), ui.Bind("x/enter", "close", "x", "enter")}
		}
		if a.spec.Kind == sessAttach {
			return []ui.Binding{back, ui.Bind("^P^Q", "detach", "ctrl+p"), ui.Bind("shift+pgup", "scroll back", "shift+pgup")}
		}
	}
	return []ui.Binding{back, ui.Bind("shift+pgup", "scroll back", "shift+pgup")}
}

// KeyGroup is the help column of the sessions.
func (s *sessionsView) KeyGroup() ui.KeyGroup { return s.split.KeyGroup(s.env.Keys) }

// Describe says what quitting does to the open sessions: "2 sessions".
func (s *sessionsView) running() int {
	n := 0
	for _, x := range s.list {
		if ended, _, _ := x.term.Ended(); !ended {
			n++
		}
	}
	return n
}

// CloseAll ends exec and host sessions (their programs end) and detaches
// attach sessions (their containers keep running), all at once, and waits
// for them.
func (s *sessionsView) CloseAll() {
	var wg sync.WaitGroup
	for _, x := range s.list {
		wg.Add(1)
		go func() { defer wg.Done(); x.term.Close() }()
	}
	wg.Wait()
}

// closeAllCmd is CloseAll in a command.
func (s *sessionsView) closeAllCmd() tea.Cmd {
	return func() tea.Msg { s.CloseAll(); return sessionsClosedMsg{} }
}

// openSession is the command that opens a session of kind k on row r (cmd:
// the command of an exec; nil for a shell).
func openSession(k sessionKind, r containerRow, cmd []string) tea.Cmd {
	sp := sessionSpec{Kind: k, Ref: r.ID, Name: r.Ref(), Cmd: cmd}
	return func() tea.Msg { return openSessionMsg{Spec: sp} }
}

// Session keys of the Containers pane (in its bindings): e, E, enter and
// a, H.

// attachKey attaches to r in a pane, or hands the terminal to berth attach
// when this engine cannot open panes.
func (v *containersView) attachKey(r containerRow) tea.Cmd {
	if !v.panes {
		return v.attach(r)
	}
	return openSession(sessAttach, r, nil)
}

// shellKey opens a shell in r in a pane (bash if it has it, else /bin/sh).
func (v *containersView) shellKey(r containerRow) tea.Cmd {
	if !v.panes {
		return ui.Status(ui.LevelError, "this engine cannot open shells in panes: berth exec -it "+r.Ref()+" sh")
	}
	return openSession(sessExec, r, nil)
}

// commandKey asks for a command, then runs it in r in a pane.
func (v *containersView) commandKey(r containerRow) tea.Cmd {
	if !v.panes {
		return v.shellKey(r)
	}
	v.dialog = ui.NewInput(v.env.Styles, "Run in "+r.Ref(), "› ", "ps aux",
		"split on spaces, as docker exec takes it; enter runs, esc cancels",
		func(text string) (tea.Cmd, error) {
			cmd := strings.Fields(text)
			if len(cmd) == 0 {
				return nil, errors.New("type a command, or esc")
			}
			return openSession(sessExec, r, cmd), nil
		})
	return nil
}

// hostKey opens a shell on the host in a pane.
func (v *containersView) hostKey() tea.Cmd {
	if !v.panes {
		return ui.Status(ui.LevelError, "this engine cannot open shells in panes")
	}
	return func() tea.Msg { return openSessionMsg{Spec: sessionSpec{Kind: sessHost}} }
}
