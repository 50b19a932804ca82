package views

import (
	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// mouseTab is a tab that takes the mouse itself: x, y are in its body
// (below the tab strip, inside the area's frame unless it draws its own).
// Tabs without it scroll by the wheel as by the up and down keys.
type mouseTab interface {
	mouse(msg tea.MouseMsg, x, y int) tea.Cmd
}

// origin is where the area starts in a pane of w×h.
func (d *detailArea) origin(w, h int) (x, y int) {
	switch {
	case d.full():
		return 0, 0
	case d.place == detailBelow:
		return 0, h - d.height
	}
	return w - d.width, 0
}

// mouse handles the mouse at (x, y) of the area: a click gives the area
// the focus and, on the tab strip, shows the tab clicked; the wheel and
// clicks below it go to the open tab.
func (d *detailArea) mouse(msg tea.MouseMsg, x, y int) tea.Cmd {
	if d.active >= len(d.tabs) {
		return nil
	}
	tab := d.tabs[d.active]
	sx, sy := 1, 1 // the strip, inside the frame
	sw, _ := d.bodySize()
	if f, ok := tab.(framedTab); ok && f.ownFrame() {
		sx, sy, sw = 0, 0, d.width
	}
	m := msg.Mouse()
	_, click := msg.(tea.MouseClickMsg)
	if click {
		if m.Button != tea.MouseLeft {
			return nil
		}
		d.focused = true
		if y == sy {
			titles := make([]string, len(d.tabs))
			for i, t := range d.tabs {
				titles[i] = t.Title()
			}
			if i := ui.TabAt(titles, d.active, sw, x-sx); i >= 0 {
				return d.show(i)
			}
			return nil
		}
	}
	if mt, ok := tab.(mouseTab); ok {
		return mt.mouse(msg, x-sx, y-sy-1)
	}
	w, ok := msg.(tea.MouseWheelMsg)
	if !ok {
		return nil
	}
	code := tea.KeyDown
	if w.Button == tea.MouseWheelUp {
		code = tea.KeyUp
	}
	var cmds []tea.Cmd
	for range wheelRows {
		cmd, _ := tab.Key(tea.KeyPressMsg{Code: code})
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}
