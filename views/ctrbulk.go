package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/ui"
)

// ctrAdminEngine is the engine's ability (checked with a type assertion;
// *engine.Engine has it) to rename containers and prune the stopped ones.
type ctrAdminEngine interface {
	RenameContainer(ctx context.Context, ref, name string) error
	PruneContainers(ctx context.Context) (container.PruneReport, error)
}

// Messages of the containers' bulk actions, prune and rename.
type (
	// ctrBulkConfirmedMsg: the user said yes to a bulk action.
	ctrBulkConfirmedMsg struct {
		Items []ctrBulkItem
		Done  string // "Stopped"
	}
	// ctrBulkDoneMsg says every action of a bulk returned; Errs by ID.
	ctrBulkDoneMsg struct {
		Items []ctrBulkItem
		Done  string
		Errs  map[string]error
	}
)

// ctrBulkItem is one container of a bulk action and what is done to it.
type ctrBulkItem struct {
	Row    containerRow
	Action ctrAction
}

// withBulk makes binding x act on the marked containers too: pick is the
// action for a row (pause or unpause), done the summary's verb.
func (v *containersView) withBulk(x *binding[containerRow], k ctrKey, verb, done string, pick func(containerRow) ctrAction) *binding[containerRow] {
	x.bulk = func(rows []containerRow) tea.Cmd { return v.confirmBulk(k, verb, done, rows, pick) }
	return x
}

// confirmBulk asks once before acting on the marked rows the action
// applies to; the others are named as skipped.
func (v *containersView) confirmBulk(k ctrKey, verb, done string, rows []containerRow, pick func(containerRow) ctrAction) tea.Cmd {
	var items []ctrBulkItem
	skipped := map[string][]string{} // names by reason
	for _, r := range rows {
		if why := v.why(k, r); why != "" {
			skipped[why] = append(skipped[why], r.Ref())
			continue
		}
		items = append(items, ctrBulkItem{Row: r, Action: pick(r)})
	}
	if len(items) == 0 {
		return ui.Infof("%s: none of the %s can be (%s)", verb, plural(len(rows), "marked container"), reasons(skipped))
	}
	st := v.env.Styles
	body := verb + " " + plural(len(items), "container") + ": " +
		st.Dialog.Danger.Render(nameList(items, func(it ctrBulkItem) string { return it.Row.Ref() })) + "?"
	if len(skipped) > 0 {
		body += " Skipped: " + reasons(skipped) + "."
	}
	v.dialog = ui.NewConfirm(st, verb+" containers", body, func() tea.Msg {
		return ctrBulkConfirmedMsg{Items: items, Done: done}
	})
	return nil
}

// reasons is "db, web not running; job paused".
func reasons(skipped map[string][]string) string {
	var parts []string
	for why, names := range skipped {
		parts = append(parts, strings.Join(names, ", ")+" "+why)
	}
	return strings.Join(parts, "; ")
}

// doBulk marks the rows busy and runs the actions, four at a time, in one
// command.
func (v *containersView) doBulk(msg ctrBulkConfirmedMsg) tea.Cmd {
	for _, it := range msg.Items {
		v.busy[it.Row.ID] = busyAction{action: it.Action, name: it.Row.Ref()}
	}
	v.clearMarks()
	v.apply()
	eng, ctx := v.env.eng, v.env.ctx
	run := func() tea.Msg {
		errs := map[string]error{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		for _, it := range msg.Items {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				if err := it.Action.call(ctx, eng, it.Row.ID); err != nil {
					mu.Lock()
					errs[it.Row.ID] = err
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return ctrBulkDoneMsg{Items: msg.Items, Done: msg.Done, Errs: errs}
	}
	return tea.Batch(run, v.spinTick())
}

// bulkDone ends the busy rows and sums up: "Stopped 3 containers", or
// "Stopped 2 of 3 containers; db: …".
func (v *containersView) bulkDone(msg ctrBulkDoneMsg) tea.Cmd {
	var errs []error
	for _, it := range msg.Items {
		if b, ok := v.busy[it.Row.ID]; ok && b.action == it.Action {
			delete(v.busy, it.Row.ID)
		}
		if err := msg.Errs[it.Row.ID]; err != nil {
			a := actAdvice()
			if it.Action == actRemove {
				a = removeAdvice()
			}
			errs = append(errs, fmt.Errorf("%s: %s", it.Row.Ref(), adviseErr(err, a)))
		}
	}
	v.apply()
	status := ui.Status(ui.LevelSuccess, msg.Done+" "+plural(len(msg.Items), "container"))
	if err := bulkErr(msg.Done, "container", len(msg.Items), errs); err != nil {
		status = ui.Status(ui.LevelError, firstLine(err))
	}
	return tea.Batch(status, v.refresh())
}

// stopped are the containers prune removes: neither running, paused nor
// restarting.
func (v *containersView) stopped() []containerRow {
	var out []containerRow
	for _, r := range v.all {
		if !alive(r.State.Status) {
			out = append(out, r)
		}
	}
	return out
}

// confirmPrune asks before removing every stopped container, naming them.
func (v *containersView) confirmPrune() tea.Cmd {
	adm, ok := v.env.eng.(ctrAdminEngine)
	if !ok {
		return ui.Infof("this engine cannot prune containers")
	}
	rows := v.stopped()
	if len(rows) == 0 {
		return ui.Infof("No stopped containers to remove")
	}
	st := v.env.Styles
	v.listPane.confirm("Prune containers", "Remove "+plural(len(rows), "stopped container")+": "+
		st.Dialog.Danger.Render(nameList(rows, containerRow.Ref))+"? Their files and logs are deleted.",
		v.act(func(ctx context.Context, _ Engine) (string, string, error) {
			rep, err := adm.PruneContainers(ctx)
			if len(rep.Removed) == 0 {
				return "No stopped containers to remove", "", err
			}
			return "Removed " + plural(len(rep.Removed), "container") + ", reclaimed " + humanSize(rep.Space), "", err
		}, nil))
	return nil
}

// renameDialog asks for a container's new name; err is the last try's.
func (v *containersView) renameDialog(r containerRow, name string, err error) ui.Dialog {
	adm, ok := v.env.eng.(ctrAdminEngine)
	form := ui.NewForm(v.env.Styles, "Rename "+r.Ref(), []ui.FormField{
		{Label: "Name", Placeholder: r.Name, Value: name,
			Hint: "letters, digits, _ . - ; other containers find it by this name"},
	}, func(vals []string) (tea.Cmd, error) {
		name := strings.TrimSpace(vals[0])
		switch {
		case !ok:
			return nil, errors.New("this engine cannot rename containers")
		case name == "":
			return nil, errors.New("type the new name, e.g. web2")
		case name == r.Name:
			return nil, errors.New("that is its name already: type another")
		}
		id, old := r.ID, r.Ref()
		return v.act(func(ctx context.Context, _ Engine) (string, string, error) {
			if err := adm.RenameContainer(ctx, id, name); err != nil {
				return "", "", err
			}
			return "Renamed " + old + " to " + name, id, nil
		}, func(err error) ui.Dialog { return v.renameDialog(r, name, err) }), nil
	})
	form.SubmitLabel = "rename"
	form.SetError(err)
	return form
}
