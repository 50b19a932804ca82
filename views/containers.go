package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/engine/events"
	"berth/ui"
)

// Messages of the containers view. Each carries what it is about.
type (
	// ctrActionDoneMsg says an action on container ID returned.
	ctrActionDoneMsg struct {
		ID, Name string
		Action   ctrAction
		Err      error
	}
	// statsTickMsg asks for the next reading of the running containers.
	statsTickMsg struct{}
	// statsMsg is one reading of every running container that answered.
	// Asked are the containers read: those without a sample lose their
	// stats (they stopped).
	statsMsg struct {
		Asked   []string
		Samples map[string]container.Sample
	}
	// spinMsg moves the spinner of rows with an action under way.
	spinMsg struct{}
	// runDoneMsg says RunContainer returned for the run dialog's fields.
	runDoneMsg struct {
		Fields    runFields
		AfterPull bool
		Container *container.Container
		Err       error
	}
	// runMsg runs a container from the run dialog's fields: sent by the
	// dialog, and again once a missing image is pulled (AfterPull).
	runMsg struct {
		Fields    runFields
		AfterPull bool
	}
	// confirmedMsg: the user said yes to Action on Row.
	confirmedMsg struct {
		Row    containerRow
		Action ctrAction
	}
	// attachDoneMsg says the terminal is back from an attach to ID.
	attachDoneMsg struct {
		ID, Name string
		Err      error
	}
)

// containersView is the Containers pane: the list of containers with live
// CPU and memory, the actions on them, the run dialog, and the log view.
// The list, its dialogs and the inspect view are its listPane's.
type containersView struct {
	*listPane[containerRow]
	runningOnly bool
	panes       bool // shells and attachments open in panes (sessions.go)

	busy     map[string]busyAction // by container ID
	spin     int                   // frame of the spinner
	spinning bool                  // a spinMsg is on its way

	stats        map[string]ctrStats
	samples      map[string]container.Sample // the last reading, for CPU %
	hist         map[string]*statsHist       // recent readings, for the sparklines
	polling      bool                        // a reading is under way
	statsWaiting bool                        // a statsTickMsg is on its way
	onScreen     bool                        // the app draws the pane: stats are read
	statsGen     map[string]int              // by container: bumped when its stats change
	rowCache     map[string]cachedRow        // rendered rows, by container ID
	paints       ui.Themed[statePaints]      // the status cell's
	listGen      int                         // bumped at every listing
	clockGen     int                         // bumped at every clock tick (ages)
	lastKey      time.Time                   // of the last key: the sampler slows down when idle
}

func newContainersView(e *env) *containersView {
	v := &containersView{
		busy:     map[string]busyAction{},
		stats:    map[string]ctrStats{},
		samples:  map[string]container.Sample{},
		hist:     map[string]*statsHist{},
		statsGen: map[string]int{},
		lastKey:  e.now(), // idle counts from the start
	}
	v.listPane = newListPane(e, listSpec[containerRow]{
		title:       "Containers",
		noun:        "container",
		columns:     containerColumns,
		filterHint:  "name, image, command, status or ID",
		sortCol:     ccolCreated,
		defaultDesc: defaultContainerDesc,
		changedBy:   []events.Type{events.TypeContainer},
		load: func(ctx context.Context, eng Engine) ([]containerRow, error) {
			cs, err := eng.ListContainers(ctx, true)
			return containerRows(cs, nil, nil), err
		},
		prepare: v.join,
		filter: func(rows []containerRow, q string) []containerRow {
			return filterContainerRows(rows, q, v.runningOnly)
		},
		sort:     sortContainerRows,
		render:   v.renderRows,
		noneText: "No containers. Press n to run one.",
		emptyText: func() string {
			if v.runningOnly && v.filter.Value() == "" {
				return fmt.Sprintf("No running containers. Press A to show all %d.", len(v.all))
			}
			return ""
		},
		info: func() string {
			if v.runningOnly {
				return "running only"
			}
			return ""
		},
		groups:    []string{"Container", "Containers"},
		tabs:      v.containerTabs,
		afterLoad: v.afterLoad,
		explain: func(r containerRow, why string) string {
			return r.Ref() + " is " + why
		},
	})
	v.setBindings(v.bindings()...)
	return v
}

// ctrKey names the keys whose reasons depend on the container's state.
type ctrKey int

const (
	keyAttach ctrKey = iota
	keyLogs
	keyInspect
	keyStart
	keyStop
	keyRestart
	keyKill
	keyPause
	keyRemove
)

// bindings are the pane's keys. s/S sort and r refreshes as in every list,
// so the actions take other letters — lowercase for the everyday ones,
// capitals for the harsh ones (R restart, K kill, D force remove), as
// lazygit does.
func (v *containersView) bindings() []*binding[containerRow] {
	p := v.listPane
	type b = binding[containerRow]
	on := func(k ctrKey, bind ui.Binding, short int, do func(containerRow) tea.Cmd) *b {
		return &b{Binding: bind, short: short, onRow: true, do: do,
			why: func(r containerRow) string { return v.why(k, r) }}
	}
	attach := on(keyAttach, ui.Bind("enter/a", "attach, ^P^Q detaches", "enter", "a").WithShort("attach"), 3, v.attachKey)
	attach.explain = func(r containerRow, why string) string {
		msg := r.Ref() + " is " + why
		switch r.State.Status {
		case container.Paused:
			msg += ": p unpauses it"
		case container.Created, container.Exited:
			msg += ": u starts it"
		}
		return msg
	}
	act := func(a ctrAction) func(containerRow) ctrAction { return func(containerRow) ctrAction { return a } }
	pauseOf := func(r containerRow) ctrAction {
		if r.State.Status == container.Paused {
			return actUnpause
		}
		return actPause
	}
	removeOf := func(r containerRow) ctrAction {
		if r.State.Status.Active() || r.State.Status == container.Restarting {
			return actForceRemove
		}
		return actRemove
	}
	pause := on(keyPause, ui.Bind("p", "pause / unpause", "p"), 0, func(r containerRow) tea.Cmd {
		if r.State.Status == container.Paused {
			return v.do(r, actUnpause)
		}
		return v.do(r, actPause)
	})
	pause.desc = func(r containerRow, ok bool) string {
		switch {
		case ok && r.State.Status == container.Running:
			return "pause"
		case ok && r.State.Status == container.Paused:
			return "unpause"
		}
		return "pause / unpause"
	}
	remove := on(keyRemove, ui.Bind("d", "remove", "d").WithShort("remove"), 6, func(r containerRow) tea.Cmd {
		a := actRemove
		if r.State.Status.Active() || r.State.Status == container.Restarting {
			a = actForceRemove
		}
		v.dialog = v.confirm(r, a)
		return nil
	})
	// d and D share a line, so that the help fits in 24 lines.
	remove.helpKey, remove.helpDesc = "d/D", "remove / force remove"
	forceRemove := on(keyRemove, ui.Bind("D", "force remove", "D"), 0, func(r containerRow) tea.Cmd {
		v.dialog = v.confirm(r, actForceRemove)
		return nil
	})
	forceRemove.group = noHelp
	// l, i and v open the detail tabs; they share a line, so that the
	// help fits in 24 lines.
	logs := on(keyLogs, ui.Bind("l", "follow the logs", "l").WithShort("logs"), 2, func(containerRow) tea.Cmd { return p.openDetail("Logs") })
	logs.helpKey, logs.helpDesc = "l/i/v", "logs / inspect / all tabs"
	inspect := on(keyInspect, ui.Bind("i", "inspect", "i"), 0, func(containerRow) tea.Cmd { return p.openDetail("Inspect") })
	inspect.group = noHelp
	details := on(keyInspect, ui.Bind("v", "details: stats, env, top, mounts", "v").WithShort("details"), 0,
		func(containerRow) tea.Cmd { return p.openDetail("") })
	details.group = noHelp
	v.withBulk(pause, keyPause, "Pause or unpause", "Paused or unpaused", pauseOf)
	v.withBulk(remove, keyRemove, "Remove", "Removed", removeOf)
	v.withBulk(forceRemove, keyRemove, "Force remove", "Removed", act(actForceRemove))
	list := func(bind ui.Binding, short int, do func() tea.Cmd) *b {
		return &b{Binding: bind, group: 1, short: short, do: func(containerRow) tea.Cmd { return do() }}
	}
	sortB, reverse, refresh := p.sortBinding(0), p.reverseBinding(), p.refreshBinding()
	for _, x := range []*b{sortB, reverse, refresh} {
		x.group = 1
	}
	// s, S and r share a line, as d, D and m do, so that the help fits in
	// 24 lines.
	sortB.helpKey, sortB.helpDesc = "s/S/r", "sort/flip/reload"
	reverse.group, refresh.group = noHelp, noHelp
	remove.helpKey, remove.helpDesc = "d/D/m", "remove / force / rename"
	// e and E share a line, as d and D do.
	shell := on(keyAttach, ui.Bind("e", "shell in a pane", "e").WithShort("shell"), 3, v.shellKey)
	shell.helpKey, shell.helpDesc = "e/E", "shell / a command"
	command := on(keyAttach, ui.Bind("E", "run a command in a pane", "E"), 0, v.commandKey)
	command.group = noHelp
	return []*b{
		attach, shell, command,
		logs,
		inspect,
		details,
		v.withBulk(on(keyStart, ui.Bind("u", "start (up)", "u").WithShort("start"), 4, func(r containerRow) tea.Cmd { return v.do(r, actStart) }),
			keyStart, "Start", "Started", act(actStart)),
		v.withBulk(on(keyStop, ui.Bind("x", "stop", "x"), 5, func(r containerRow) tea.Cmd { return v.do(r, actStop) }),
			keyStop, "Stop", "Stopped", act(actStop)),
		v.withBulk(on(keyRestart, ui.Bind("R", "restart", "R"), 0, func(r containerRow) tea.Cmd { return v.do(r, actRestart) }),
			keyRestart, "Restart", "Restarted", act(actRestart)),
		v.withBulk(on(keyKill, ui.Bind("K", "kill (signal…)", "K", "ctrl+k"), 0, func(r containerRow) tea.Cmd {
			v.dialog = v.killDialog(r) // SIGKILL, or another signal
			return nil
		}), keyKill, "Kill", "Killed", act(actKill)),
		pause,
		remove,
		forceRemove,
		&b{Binding: ui.Bind("m", "rename", "m").WithID("rename"), group: noHelp, onRow: true, do: func(r containerRow) tea.Cmd {
			v.dialog = v.renameDialog(r, r.Name, nil)
			return nil
		}},
		p.markBinding(1),
		list(ui.Bind("n", "run a container", "n").WithShort("run"), 1, func() tea.Cmd {
			v.dialog = v.runDialog(runFields{Interactive: true}, nil)
			return nil
		}),
		list(ui.Bind("A", "running / all", "A"), 0, v.toggleAll),
		list(ui.Bind("H", "shell on the host", "H"), 0, v.hostKey),
		list(ui.Bind("X", "prune stopped", "X").WithID("prune"), 0, v.confirmPrune),
		p.filterHint(7),
		sortB, reverse, refresh,
	}
}

// why says why key k does nothing on row r: short, read after "web is".
func (v *containersView) why(k ctrKey, r containerRow) string {
	s := r.State.Status
	// An action under way comes first; only kill may overtake it.
	if b, busy := v.busy[r.ID]; busy {
		doing := strings.ToLower(b.action.doing()) + "…"
		switch k {
		case keyStart, keyStop, keyRestart, keyPause, keyRemove:
			return doing
		case keyKill:
			if b.action == actKill || b.action == actRemove || b.action == actForceRemove {
				return doing
			}
		}
	}
	switch s {
	case container.Running:
		if k == keyStart {
			return "already running"
		}
	case container.Paused:
		if k == keyStart || k == keyAttach {
			return "paused"
		}
	default:
		switch k {
		case keyAttach, keyPause:
			return "not running"
		case keyStop, keyKill:
			if s != container.Restarting {
				return "not running"
			}
		}
	}
	return ""
}

// join adds the stats and the actions under way to the rows as loaded.
func (v *containersView) join(all []containerRow) []containerRow {
	busy := make(map[string]string, len(v.busy))
	for id, b := range v.busy {
		busy[id] = b.action.doing()
	}
	out := make([]containerRow, len(all))
	for i := range all {
		out[i] = containerRow{Summary: all[i].Summary, Busy: busy[all[i].ID]}
		if st, ok := v.stats[all[i].ID]; ok && all[i].State.Status.Active() {
			out[i].Stats = &st
		}
	}
	return out
}

// toggleAll switches between running containers only and all.
func (v *containersView) toggleAll() tea.Cmd {
	v.runningOnly = !v.runningOnly
	v.apply()
	if v.runningOnly {
		return ui.Infof("Showing running containers only; A shows all")
	}
	return ui.Infof("Showing all containers")
}

// Update handles the pane's messages, then the list's.
func (v *containersView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case statsTickMsg:
		v.statsWaiting = false
		return v.pollStats()
	case statsMsg:
		v.polling = false
		if v.takeStats(msg.Asked, msg.Samples) {
			v.apply()
		}
		return v.scheduleStats()
	case tea.KeyPressMsg:
		v.lastKey = v.env.now()
	case clockMsg:
		v.clockGen++
	case listLoadedMsg[containerRow]:
		v.listGen++
	case spinMsg:
		v.spinning = false
		if len(v.busy) == 0 {
			return nil
		}
		v.spin = (v.spin + 1) % len(spinner.MiniDot.Frames)
		v.apply()
		return v.spinTick()
	case ctrActionDoneMsg:
		return v.actionDone(msg)
	case runDoneMsg:
		return v.runDone(msg)
	case runMsg:
		return v.run(msg.Fields, msg.AfterPull)
	case confirmedMsg:
		return v.do(msg.Row, msg.Action)
	case ctrBulkConfirmedMsg:
		return v.doBulk(msg)
	case ctrBulkDoneMsg:
		return v.bulkDone(msg)
	case attachDoneMsg:
		return v.attachDone(msg)
	}
	cmd, _ := v.update(msg)
	return cmd
}

// afterLoad reads the stats of a container that came up at once, not in
// 2 s, and keeps the readings going.
func (v *containersView) afterLoad() tea.Cmd {
	v.forgetStopped()
	var cmds []tea.Cmd
	for _, c := range v.all {
		if _, ok := v.samples[c.ID]; !ok && c.State.Status.Active() {
			cmds = append(cmds, v.pollStats())
			break
		}
	}
	if !v.polling && !v.statsWaiting {
		cmds = append(cmds, v.scheduleStats())
	}
	return tea.Batch(cmds...)
}
