package views

import (
	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// listNav is the keys of a list pane's table and the filter line above it.
// apply re-filters and re-sorts the pane's rows.
type listNav struct {
	table  *ui.Table
	filter *ui.Filter
	keys   *ui.KeyMap
	apply  func()
}

// key takes the keys every list pane shares: typing in the filter (the
// arrows still move in the list), moving in the table, "/" to filter and
// esc to clear the filter. It reports whether it took the key.
func (n listNav) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	km := n.keys
	if n.filter.Typing() {
		if (km.Up.Matches(msg) || km.Down.Matches(msg)) && msg.Text == "" {
			n.table.Update(msg, km)
			return true, nil
		}
		return true, n.edit(msg)
	}
	switch {
	case n.table.Update(msg, km):
	case km.Filter.Matches(msg):
		n.filter.Open()
	case km.Back.Matches(msg):
		if n.filter.Clear() {
			n.apply()
		}
	default:
		return false, nil
	}
	return true, nil
}

// edit hands a key or paste to the filter while typing; a new filter puts
// the cursor on the first row.
func (n listNav) edit(msg tea.Msg) tea.Cmd {
	changed, cmd := n.filter.Update(msg, n.keys)
	if changed {
		n.apply()
		n.table.SetCursor(0)
	}
	return cmd
}
