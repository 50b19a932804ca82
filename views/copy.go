package views

import (
	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// copier is a view with something to copy: an inspect view's JSON.
type copier interface {
	// CopyText is what y copies and how the status names it.
	CopyText() (what, text string)
}

// CopyText is the selected row's ID (its table key), or the focused
// detail tab's text (the inspect JSON).
func (p *listPane[R]) CopyText() (string, string) {
	if c, ok := p.detail.copier(); ok {
		return c.CopyText()
	}
	r, ok := p.selected()
	if !ok {
		return "", ""
	}
	if c, ok := any(r).(idCopier); ok {
		name, id := c.copyID()
		return "the ID of " + name, id
	}
	row, _ := p.table.Selected()
	return "the key of the " + p.spec.noun, row.Key
}

// idCopier is a row that names its object and its ID.
type idCopier interface{ copyID() (name, id string) }

func (r containerRow) copyID() (string, string) { return r.Ref(), r.ID }
func (r imageRow) copyID() (string, string)     { return r.Ref(), r.ID }
func (r networkRow) copyID() (string, string)   { return r.Name, r.ID }
func (r volumeRow) copyID() (string, string)    { return r.Name, r.Name }

// CopyText is the selected event's object ID.
func (v *eventsView) CopyText() (string, string) {
	ev, ok := v.selectedEvent()
	if !ok {
		return "", ""
	}
	return "the ID of " + eventName(ev), ev.Actor
}

// copy is y: the selected object's ID, or the inspect JSON when an
// inspect view is open, to the clipboard through the terminal (OSC 52).
func (a *App) copy() tea.Cmd {
	if why := a.copyDisabled(); why != "" {
		return ui.Infof("y: %s", why)
	}
	what, text := a.panes[a.active].(copier).CopyText()
	return tea.Batch(tea.SetClipboard(text), ui.Status(ui.LevelSuccess, "Copied "+what+" ("+itoa(len(text))+" bytes) to the clipboard"))
}

// copyDisabled is why y copies nothing now; "" when it copies.
func (a *App) copyDisabled() string {
	c, ok := a.panes[a.active].(copier)
	if !ok {
		return "nothing to copy here"
	}
	if _, text := c.CopyText(); text == "" {
		return "nothing selected"
	}
	return ""
}
