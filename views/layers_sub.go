package views

import (
	tea "charm.land/bubbletea/v2"
)

// layersSub hosts a Layers tab in a list pane's sub-view slot (L in the
// Images pane) until the detail area hosts it: Esc or q closes it. The
// pane gives it every key and the tab's messages first (route), since the
// slot's Key cannot return a command.
type layersSub struct {
	*layersTab
}

// Key is the slot's: it closes on Esc or q. Keys reach the tab by route.
func (s *layersSub) Key(msg tea.KeyPressMsg) (closed bool) {
	_, closed = s.route(msg)
	return closed
}

// route gives the tab a key or one of its messages; closed says the tab
// was closed (Esc or q) and the slot is free.
func (s *layersSub) route(msg tea.Msg) (cmd tea.Cmd, closed bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		cmd, handled := s.layersTab.Key(msg)
		if !handled && s.keys.Back.Matches(msg) {
			s.Close()
			return nil, true
		}
		return cmd, false
	case layersMsg, layersTreeMsg:
		return s.Update(msg), false
	}
	return nil, false
}

// takes reports whether route is for msg: keys, and the tab's messages.
func (s *layersSub) takes(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.KeyPressMsg, layersMsg, layersTreeMsg:
		return true
	}
	return false
}

// ClaimsKey: q closes the browser rather than quitting, tab moves between
// its columns rather than to the next pane.
func (s *layersSub) ClaimsKey(msg tea.KeyPressMsg) bool {
	return s.keys.Back.Matches(msg) || s.keys.Focus.Matches(msg)
}

// openLayers opens the Layers tab of r in the Images pane's sub-view slot.
func (v *imagesView) openLayers(r imageRow) tea.Cmd {
	t := newLayersView(v.env, r.Ref())
	v.open(&layersSub{t})
	return t.Open()
}

// Capturing: a filter typed in the layer browser takes every key too.
func (v *imagesView) Capturing() bool {
	s, ok := v.sub.(*layersSub)
	return v.listPane.Capturing() || ok && s.Capturing()
}
