package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/themes"
)

// SplitDir is where the session pane goes beside the lists.
type SplitDir int

// Split directions.
const (
	SplitRight SplitDir = iota // the pane right of the lists (|)
	SplitBelow                 // the pane below the lists (-)
)

// SplitTab is one session in the pane's tab line.
type SplitTab struct {
	Title  string
	Status string // "exit 0", "detached" once finished; "" while it runs
	Unseen bool   // output came while another tab was shown
}

// Split is the layout of the lists beside a pane of sessions, as tmux lays
// out its panes: the pane goes right of or below the lists, holds its
// sessions as tabs, can be zoomed to the whole area and back, and has the
// focus or lets the lists have it. It knows nothing of sessions: the owner
// gives it the tabs and draws their content; the split says where.
type Split struct {
	Dir    SplitDir
	Zoomed bool
	Tabs   []SplitTab
	Active int
	// PaneFocused: keys go to the active session, except the prefix.
	PaneFocused bool

	width, height int
}

// SetSize sets the area the lists and the pane share.
func (s *Split) SetSize(w, h int) { s.width, s.height = w, h }

// Open reports whether there is a pane: at least one session.
func (s *Split) Open() bool { return len(s.Tabs) > 0 }

// listsShare is the part of the area the lists keep beside a pane.
func (s *Split) listsSize() (w, h int) {
	switch {
	case !s.Open():
		return s.width, s.height
	case s.Zoomed:
		return 0, 0
	case s.Dir == SplitRight:
		return min(max(s.width*2/5, 30), s.width/2), s.height
	}
	return s.width, min(max(s.height*2/5, 8), s.height/2)
}

// ListsSize is the size of the lists' area (0×0 while zoomed).
func (s *Split) ListsSize() (w, h int) { return s.listsSize() }

// paneRect is the pane's frame: origin and size in the area.
func (s *Split) paneRect() (x, y, w, h int) {
	lw, lh := s.listsSize()
	switch {
	case !s.Open():
		return 0, 0, 0, 0
	case s.Zoomed:
		return 0, 0, s.width, s.height
	case s.Dir == SplitRight:
		return lw, 0, s.width - lw, s.height
	}
	return 0, lh, s.width, s.height - lh
}

// PaneSize is the size of a session's screen inside the pane's frame,
// below its tab line.
func (s *Split) PaneSize() (cols, rows int) {
	_, _, w, h := s.paneRect()
	return max(w-2, 1), max(h-3, 1)
}

// PaneOrigin is where a session's screen starts in the area: its cursor and
// mouse events are offset by it.
func (s *Split) PaneOrigin() (x, y int) {
	px, py, _, _ := s.paneRect()
	return px + 1, py + 2
}

// Key handles the split's own keys while the lists have the focus; it
// reports whether msg was one. The prefix toggles the focus.
func (s *Split) Key(km *KeyMap, msg tea.KeyPressMsg) bool {
	if !s.Open() {
		return false
	}
	switch {
	case km.Prefix.Matches(msg):
		s.PaneFocused = !s.PaneFocused
	case km.SplitRight.Matches(msg):
		s.Dir, s.Zoomed, s.PaneFocused = SplitRight, false, true
	case km.SplitBelow.Matches(msg):
		s.Dir, s.Zoomed, s.PaneFocused = SplitBelow, false, true
	case km.Zoom.Matches(msg):
		s.Zoomed = !s.Zoomed
		s.PaneFocused = s.Zoomed || s.PaneFocused
	case km.NextSession.Matches(msg):
		s.Active = (s.Active + 1) % len(s.Tabs)
	case km.PrevSession.Matches(msg):
		s.Active = (s.Active + len(s.Tabs) - 1) % len(s.Tabs)
	default:
		return false
	}
	return true
}

// Inside reports whether (x, y) of the area is on a session's screen.
func (s *Split) Inside(x, y int) bool {
	ox, oy := s.PaneOrigin()
	cols, rows := s.PaneSize()
	return s.Open() && x >= ox && y >= oy && x < ox+cols && y < oy+rows
}

// View draws the area: lists (already drawn at ListsSize) and the pane with
// its tab line and screen (drawn at PaneSize).
func (s *Split) View(st *themes.Styles, lists, screen string) string {
	if !s.Open() {
		return lists
	}
	_, _, pw, ph := s.paneRect()
	cols, _ := s.PaneSize()
	title := "Session"
	if t := s.Tabs[s.Active]; t.Status != "" {
		title = t.Title + " — " + t.Status
	} else {
		title = t.Title
	}
	info := ""
	if s.Zoomed {
		info = "zoomed"
	}
	pane := Frame(st, title, info, s.PaneFocused, s.tabLine(st, cols)+"\n"+screen, pw, ph)
	if s.Zoomed {
		return pane
	}
	lw, lh := s.listsSize()
	if s.Dir == SplitBelow {
		return Block(lists, lw, lh) + "\n" + pane
	}
	l := strings.Split(Block(lists, lw, lh), "\n")
	p := strings.Split(pane, "\n")
	for i := range l {
		if i < len(p) {
			l[i] += p[i]
		}
	}
	return strings.Join(l, "\n")
}

// tabLine is one tab per session: "1 sh web •" marks output not seen yet,
// "2 attach db [exit 0]" a finished one; the active tab is highlighted.
func (s *Split) tabLine(st *themes.Styles, w int) string {
	var b strings.Builder
	used := 0
	for i, t := range s.Tabs {
		label := " " + itoa(i+1) + " " + t.Title
		if t.Status != "" {
			label += " [" + t.Status + "]"
		} else if t.Unseen && i != s.Active {
			label += " •"
		}
		label += " "
		if used+Width(label) > w {
			break
		}
		style := st.Split.Tab
		switch {
		case i == s.Active:
			style = st.Split.ActiveTab
		case t.Status != "":
			style = st.Split.EndedTab
		case t.Unseen:
			style = st.Split.UnseenTab
		}
		b.WriteString(style.Render(label))
		used += Width(label)
	}
	return b.String() + strings.Repeat(" ", max(w-used, 0))
}

// KeyGroup is the help column of the split's keys.
func (s *Split) KeyGroup(km *KeyMap) KeyGroup {
	keys := []Binding{km.Prefix, km.SplitRight, km.SplitBelow, km.Zoom, km.NextSession, km.PrevSession, km.CopyMode}
	if !s.Open() {
		for i := range keys {
			keys[i].SetDisabled("no session open")
		}
	}
	return KeyGroup{Title: "Sessions", Keys: keys}
}
