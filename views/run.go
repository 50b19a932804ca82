package views

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/ui"
)

// Fields of the run dialog.
const (
	runImage = iota
	runName
	runCommand
	runEnv
	runTerminal
)

// runDialog is the form that runs a container; err is shown when the last
// try failed (the fields are kept to fix it, the focus on the likely
// culprit: the name when it is taken, the command when it cannot start).
func (v *containersView) runDialog(f runFields, err error) *ui.Form {
	return newRunDialog(v.env, f, err)
}

// newRunDialog is the run dialog on its own, for any pane (Images runs the
// selected image); its runMsg goes to the Containers pane.
func newRunDialog(e *env, f runFields, err error) *ui.Form {
	interactive := ""
	if f.Interactive {
		interactive = "y"
	}
	form := ui.NewForm(e.Styles, "Run a container", []ui.FormField{
		{Label: "Image", Placeholder: "busybox", Value: f.Image,
			Hint: "e.g. busybox, nginx:alpine; pulled if missing"},
		{Label: "Name", Placeholder: "optional", Value: f.Name,
			Hint: "berth picks a name when empty"},
		{Label: "Command", Placeholder: "optional: the image's command", Value: f.Command,
			Hint: `split like a shell: sh -c 'echo hi; sleep 9'`},
		{Label: "Env", Placeholder: "optional: KEY=value …", Value: f.Env,
			Hint: `KEY=value, comma/space separated: A=1, B="x y"`},
		{Label: "Terminal", Toggle: true, Value: interactive,
			Placeholder: "-it, to attach to a shell",
			Hint:        "space toggles; without it a shell exits"},
	}, func(vals []string) (tea.Cmd, error) {
		f := runFields{Image: vals[runImage], Name: vals[runName], Command: vals[runCommand], Env: vals[runEnv],
			Interactive: vals[runTerminal] != ""}
		if _, err := f.createOptions(); err != nil {
			return nil, err
		}
		return func() tea.Msg { return runMsg{Fields: f} }, nil
	})
	form.SubmitLabel = "run"
	form.Note = "Runs detached: l shows logs, enter attaches"
	form.SetError(err)
	var startErr *container.StartError
	switch {
	case errdefs.IsConflict(err) || errdefs.IsAlreadyExists(err):
		form.Focus(runName)
	case errors.As(err, &startErr):
		form.Focus(runCommand)
	}
	return form
}

// run starts RunContainer for f in a command. afterPull is set when the
// image was just pulled for it: a missing image is then an error, not a
// question.
func (v *containersView) run(f runFields, afterPull bool) tea.Cmd {
	opts, err := f.createOptions()
	if err != nil {
		v.dialog = v.runDialog(f, err)
		return nil
	}
	eng, ctx := v.env.eng, v.env.ctx
	return tea.Batch(ui.Infof("Starting a container from %s…", opts.Image), func() tea.Msg {
		c, err := eng.RunContainer(ctx, opts)
		return runDoneMsg{Fields: f, AfterPull: afterPull, Container: c, Err: err}
	})
}

// runDone says how the run went: the new container is selected; a missing
// image is offered for pulling; other errors bring the form back.
func (v *containersView) runDone(msg runDoneMsg) tea.Cmd {
	f := msg.Fields
	switch {
	case msg.Err == nil && msg.Container != nil:
		c := msg.Container
		v.selectKey = c.ID
		name := c.Name
		if name == "" {
			name = shortID(c.ID)
		}
		return tea.Batch(ui.Status(ui.LevelSuccess, "Started "+name+" ("+shortID(c.ID)+"): l logs · enter attach"), v.refresh())
	case msg.Err == nil:
		return v.refresh()
	case msg.Container != nil:
		// Created, but it would not start (a command that is not in the
		// image): it is listed like `docker run` leaves it; the error says why.
		v.selectKey = msg.Container.ID
		return tea.Batch(ui.ErrorStatus(msg.Err), v.refresh())
	case errdefs.IsNotFound(msg.Err) && !msg.AfterPull:
		st := v.env.Styles
		ref := strings.TrimSpace(f.Image)
		v.dialog = ui.NewConfirm(st, "Image not found",
			"Image "+st.Dialog.Danger.Render(ref)+" not found locally. Pull it? The container runs once it is pulled.",
			func() tea.Msg { return startPullMsg{Ref: ref, Then: runMsg{Fields: f, AfterPull: true}} })
		return nil
	}
	v.dialog = v.runDialog(f, msg.Err)
	return ui.ErrorStatus(msg.Err)
}
