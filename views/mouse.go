package views

import (
	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// appTitle is the name the title bar starts with.
const appTitle = "berth"

// wheelRows is how far one notch of the wheel moves a list.
const wheelRows = 3

// mouseList is a pane that takes the mouse: x, y are in the pane, its
// frame included.
type mouseList interface {
	mouseAt(msg tea.MouseMsg, x, y int) tea.Cmd
}

// mouse routes the mouse: a click on a tab of the title bar switches
// pane; on the lists it selects (and gives them the focus), the wheel
// scrolls them; on a session pane both go to the session.
func (a *App) mouse(msg tea.MouseMsg) tea.Cmd {
	if a.dialog != nil || a.help || a.cmdline.Active() || a.mouseOff {
		return nil
	}
	m := msg.Mouse()
	_, click := msg.(tea.MouseClickMsg)
	if m.Y == 0 {
		if click && m.Button == tea.MouseLeft {
			if i := ui.TitleTabAt(appTitle, a.paneTitles(), a.width, m.X); i >= 0 {
				a.active, a.showPulls = i, false
				a.sessions.split.PaneFocused = false
			}
		}
		return nil
	}
	x, y := m.X, m.Y-1 // below the title bar
	// A selection in a pane goes on over the lists.
	if a.sessions.Dragging() {
		return a.sessions.Mouse(msg, x, y)
	}
	lw, lh := a.sessions.ListsSize()
	if x < lw && y < lh-a.dockH && !a.showPulls && a.panes[a.active].Dialog() == nil {
		if click {
			a.sessions.split.PaneFocused = false
		}
		if l, ok := a.panes[a.active].(mouseList); ok {
			return l.mouseAt(msg, x, y)
		}
		return nil
	}
	return a.sessions.Mouse(msg, x, y)
}

// tableMouse moves t's cursor for a click at line y of the pane (frame
// and filter lines above the table) or a wheel notch; it reports whether
// the cursor moved.
func tableMouse(t *ui.Table, filterLines int, msg tea.MouseMsg, y int) bool {
	m := msg.Mouse()
	switch msg.(type) {
	case tea.MouseClickMsg:
		if m.Button != tea.MouseLeft {
			return false
		}
		if i := t.RowAt(y - 1 - filterLines); i >= 0 {
			t.SetCursor(i)
			return true
		}
	case tea.MouseWheelMsg:
		switch m.Button {
		case tea.MouseWheelUp:
			t.Move(-wheelRows)
			return true
		case tea.MouseWheelDown:
			t.Move(wheelRows)
			return true
		}
	}
	return false
}

// mouseAt: the detail area's tabs and scrolling, or the list's rows; a
// click on the list while the docked area has the focus gives it back to
// the list.
func (p *listPane[R]) mouseAt(msg tea.MouseMsg, x, y int) tea.Cmd {
	if d := p.detail; d.inside(p.width, p.height, x, y) {
		ax, ay := d.origin(p.width, p.height)
		return d.mouse(msg, x-ax, y-ay)
	}
	if _, click := msg.(tea.MouseClickMsg); click && p.detail != nil && p.detail.focused {
		p.detail.focused, p.detail.zoomed = false, false
	}
	tableMouse(p.table, p.filter.Lines(), msg, y)
	return nil
}

// mouseAt: the events' rows; the wheel down to the newest follows again.
func (v *eventsView) mouseAt(msg tea.MouseMsg, x, y int) tea.Cmd {
	if tableMouse(v.table, v.filter.Lines(), msg, y) {
		v.follow = v.table.Cursor() >= len(v.shown)-1
	}
	return nil
}
