package views

import (
	tea "charm.land/bubbletea/v2"
)

// logsSub hosts a Logs tab in a list pane's sub-view slot (l in the
// Containers pane), where Esc or q closes it. The pane gives it every key
// and the tab's messages first (route), since the slot's Key cannot return
// a command.
type logsSub struct {
	*logsView
}

var _ detailTab = (*logsView)(nil)

// Key is the slot's: it closes on Esc or q. Keys reach the tab by route.
func (s *logsSub) Key(msg tea.KeyPressMsg) (closed bool) {
	_, closed = s.route(msg)
	return closed
}

// route gives the tab a key or one of its messages; closed says the tab
// was closed (Esc or q) and the slot is free.
func (s *logsSub) route(msg tea.Msg) (cmd tea.Cmd, closed bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		cmd, handled := s.logsView.Key(msg)
		if !handled && s.keys.Back.Matches(msg) {
			s.Close()
			return nil, true
		}
		return cmd, false
	case logsTabMsg:
		return s.Update(msg), false
	}
	return nil, false
}

// takes reports whether route is for msg: keys, and the tab's messages.
func (s *logsSub) takes(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.KeyPressMsg, logsTabMsg:
		return true
	}
	return false
}
