package views

import (
	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// helpView is the help overlay as scrolled, and how far it scrolls.
func (a *App) helpView() string {
	v, _ := a.helpAt(a.helpOffset)
	return v
}

func (a *App) helpAt(offset int) (string, int) {
	title, groups := a.helpContent()
	return ui.HelpViewAt(a.env.Styles, title, groups, a.width-4, a.height-2, offset)
}

// helpKey is a key while the help is open: esc, ? or q close it; the
// moving keys scroll it when the keys do not fit the window.
func (a *App) helpKey(msg tea.KeyPressMsg) {
	km := a.env.Keys
	_, last := a.helpAt(0)
	page := max(a.height-6, 1)
	switch {
	case km.Back.Matches(msg) || km.Help.Matches(msg) || km.Quit.Matches(msg):
		a.help, a.helpWhat, a.helpOffset = false, "", 0
	case km.Down.Matches(msg):
		a.helpOffset++
	case km.Up.Matches(msg):
		a.helpOffset--
	case km.PageDown.Matches(msg):
		a.helpOffset += page
	case km.PageUp.Matches(msg):
		a.helpOffset -= page
	case km.Top.Matches(msg):
		a.helpOffset = 0
	case km.Bottom.Matches(msg):
		a.helpOffset = last
	}
	a.helpOffset = min(max(a.helpOffset, 0), last)
}
