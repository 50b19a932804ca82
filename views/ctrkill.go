package views

import (
	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/ui"
)

// killSignalChoices are the signals K offers besides SIGKILL, with their
// keys and what a program usually does on each.
var killSignalChoices = []struct{ key, name, what string }{
	{"t", "TERM", "asks it to stop"},
	{"i", "INT", "as ctrl+c"},
	{"h", "HUP", "hang up: many reload"},
	{"1", "USR1", "the program's own meaning"},
	{"2", "USR2", "the program's own meaning"},
}

// killDialog asks which signal K sends to row: y (or k) sends SIGKILL, the
// pane's kill action as before; the others go out as :kill -s does, when
// the engine can send them. Without that ability, K asks about SIGKILL
// alone.
func (v *containersView) killDialog(row containerRow) ui.Dialog {
	if _, ok := v.env.eng.(signalEngine); !ok {
		return v.confirm(row, actKill)
	}
	st := v.env.Styles
	kill := func() tea.Msg { return confirmedMsg{Row: row, Action: actKill} }
	opts := []ui.Option{
		{Key: "y", Label: "SIGKILL: at once, no clean-up", Do: kill},
		{Key: "k", Label: "SIGKILL too", Do: kill},
	}
	for _, c := range killSignalChoices {
		sig, err := container.ParseSignal(c.name)
		if err != nil {
			continue
		}
		cmd, err := signalCmd(v.env, sig, []string{row.Ref()})
		if err != nil {
			continue
		}
		opts = append(opts, ui.Option{Key: c.key, Label: "SIG" + c.name + ": " + c.what, Do: cmd})
	}
	return ui.NewChoice(st, "Kill container", "Send which signal to "+st.Dialog.Danger.Render(row.Ref())+"?", opts...)
}
