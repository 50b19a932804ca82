package views

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/ui"
)

// ctrAction is something done to a container in the background, named for
// the row while it runs ("Stopping") and for the status bar once it is done
// ("Stopped web").
type ctrAction int

const (
	actStart ctrAction = iota
	actStop
	actRestart
	actKill
	actPause
	actUnpause
	actRemove
	actForceRemove
)

// actionWords are what the status says while an action runs and after.
var actionWords = [...]struct{ doing, done string }{
	actStart:       {"Starting", "Started"},
	actStop:        {"Stopping", "Stopped"},
	actRestart:     {"Restarting", "Restarted"},
	actKill:        {"Killing", "Killed"},
	actPause:       {"Pausing", "Paused"},
	actUnpause:     {"Unpausing", "Unpaused"},
	actRemove:      {"Removing", "Removed"},
	actForceRemove: {"Removing", "Removed"},
}

func (a ctrAction) doing() string { return actionWords[a].doing }
func (a ctrAction) done() string  { return actionWords[a].done }

// call runs the action on the engine.
func (a ctrAction) call(ctx context.Context, eng Engine, id string) error {
	switch a {
	case actStart:
		return eng.StartContainer(ctx, id)
	case actStop:
		return eng.StopContainer(ctx, id)
	case actRestart:
		return eng.RestartContainer(ctx, id)
	case actKill:
		return eng.KillContainer(ctx, id)
	case actPause:
		return eng.PauseContainer(ctx, id)
	case actUnpause:
		return eng.UnpauseContainer(ctx, id)
	case actRemove, actForceRemove:
		return eng.RemoveContainer(ctx, id, a == actForceRemove)
	}
	return fmt.Errorf("unknown action %d", int(a))
}

// busyAction is an action under way on a container.
type busyAction struct {
	action ctrAction
	name   string
}

// spinTick moves the spinner while an action is under way.
func (v *containersView) spinTick() tea.Cmd {
	if v.spinning || len(v.busy) == 0 {
		return nil
	}
	v.spinning = true
	return tea.Tick(spinner.MiniDot.FPS, func(time.Time) tea.Msg { return spinMsg{} })
}

// Busy is the status bar's word on actions under way: "⠋ Stopping web…".
func (v *containersView) Busy() string {
	if len(v.busy) == 0 {
		return ""
	}
	spin := spinner.MiniDot.Frames[v.spin]
	if len(v.busy) == 1 {
		for _, b := range v.busy {
			return spin + " " + b.action.doing() + " " + b.name + "…"
		}
	}
	return spin + " " + plural(len(v.busy), "container") + " busy"
}

// do starts action on row in the background: the row says so while it runs.
func (v *containersView) do(row containerRow, a ctrAction) tea.Cmd {
	v.busy[row.ID] = busyAction{action: a, name: row.Ref()}
	v.apply()
	eng, ctx, id, name := v.env.eng, v.env.ctx, row.ID, row.Ref()
	call := func() tea.Msg {
		return ctrActionDoneMsg{ID: id, Name: name, Action: a, Err: a.call(ctx, eng, id)}
	}
	return tea.Batch(call, v.spinTick())
}

// actionDone ends the busy state of the row and says how it went; the list
// is loaded again (the engine's event would do it too, a moment later).
func (v *containersView) actionDone(msg ctrActionDoneMsg) tea.Cmd {
	if b, ok := v.busy[msg.ID]; ok && b.action == msg.Action {
		delete(v.busy, msg.ID)
	}
	v.apply()
	status := ui.Status(ui.LevelSuccess, msg.Action.done()+" "+msg.Name)
	if msg.Err != nil {
		a := actAdvice()
		if msg.Action == actRemove {
			a = removeAdvice()
		}
		status = errStatus(msg.Err, a)
	}
	return tea.Batch(status, v.refresh())
}

// confirm is the dialog that asks before a destructive action on row.
func (v *containersView) confirm(row containerRow, a ctrAction) ui.Dialog {
	st := v.env.Styles
	name := st.Dialog.Danger.Render(row.Ref())
	running := row.State.Status.Active() || row.State.Status == container.Restarting
	var title, body string
	switch a {
	case actKill:
		title = "Kill container"
		body = "Kill " + name + "? Its processes get SIGKILL at once, with no chance to clean up."
	case actRemove:
		title = "Remove container"
		body = "Remove " + name + "? Its files and logs are deleted."
	case actForceRemove:
		title = "Force remove container"
		body = "Force remove " + name + "? Its files and logs are deleted."
		if running {
			body = name + " is running. Kill it and remove it? Its files and logs are deleted."
		}
	}
	return ui.NewConfirm(st, title, body, func() tea.Msg { return confirmedMsg{Row: row, Action: a} })
}

// attach hands the terminal to `berth attach`; the list is loaded again
// when it comes back.
func (v *containersView) attach(row containerRow) tea.Cmd {
	c := v.env.eng.AttachCommand(row.ID)
	if c == nil {
		return ui.Status(ui.LevelError, "cannot attach to "+row.Ref())
	}
	id, name := row.ID, row.Ref()
	return v.env.exec(c, func(err error) tea.Msg { return attachDoneMsg{ID: id, Name: name, Err: err} })
}

// attachDone says how the attach ended and loads the list again.
func (v *containersView) attachDone(msg attachDoneMsg) tea.Cmd {
	var status tea.Cmd
	var exit *exec.ExitError
	switch {
	case errors.As(msg.Err, &exit):
		status = ui.Infof("Attach to %s ended: %s", msg.Name, oneLine(exit.Error()))
	case msg.Err != nil:
		status = ui.Status(ui.LevelError, "attach "+msg.Name+": "+msg.Err.Error())
	default:
		status = ui.Infof("Back from %s", msg.Name)
	}
	return tea.Batch(status, v.refresh())
}
