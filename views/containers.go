package views

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/ui"
)

// Messages of the containers view. Each carries what it is about.
type (
	containersLoadedMsg struct {
		Seq        int
		Containers []container.Summary
		Err        error
	}
	// refreshContainersMsg asks the containers view to reload.
	refreshContainersMsg struct{}
	// ctrActionDoneMsg says an action on container ID returned.
	ctrActionDoneMsg struct {
		ID, Name string
		Action   ctrAction
		Err      error
	}
	ctrInspectedMsg struct {
		ID, Name string
		Inspect  *container.Inspect
		Err      error
	}
	// statsTickMsg asks for the next reading of the running containers.
	statsTickMsg struct{}
	// statsMsg is one reading of every running container that answered.
	statsMsg struct{ Samples map[string]container.Sample }
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

type containersKeys struct {
	Attach, Logs, Inspect, Start, Stop, Restart, Kill, Pause, Remove, ForceRemove ui.Binding
	Run, All, Sort, Reverse, Refresh                                              ui.Binding
}

// defaultContainersKeys: s/S sort and r refreshes as in every list, so the
// actions take other letters — lowercase for the everyday ones, capitals
// for the harsh ones (R restart, K kill, D force remove), as lazygit does.
func defaultContainersKeys() containersKeys {
	return containersKeys{
		Attach:      ui.Bind("enter", "attach (^P^Q detaches)", "enter").WithShort("attach"),
		Logs:        ui.Bind("l", "follow the logs", "l").WithShort("logs"),
		Inspect:     ui.Bind("i", "inspect", "i"),
		Start:       ui.Bind("u", "start (up)", "u").WithShort("start"),
		Stop:        ui.Bind("x", "stop", "x"),
		Restart:     ui.Bind("R", "restart", "R"),
		Kill:        ui.Bind("K", "kill (SIGKILL)", "K", "ctrl+k"),
		Pause:       ui.Bind("p", "pause / unpause", "p"),
		Remove:      ui.Bind("d", "remove", "d").WithShort("remove"),
		ForceRemove: ui.Bind("D", "force remove", "D"),
		Run:         ui.Bind("n", "run a new container", "n").WithShort("run"),
		All:         ui.Bind("a", "running only / all", "a"),
		Sort:        ui.Bind("s", "sort by next column", "s").WithShort("sort"),
		Reverse:     ui.Bind("S", "reverse the sort", "S"),
		Refresh:     ui.Bind("r", "refresh", "r"),
	}
}

// containersView is the Containers pane: the table of containers with live
// CPU and memory, its filter, the actions, and the inspect and log views.
type containersView struct {
	env   *env
	keys  containersKeys
	table *ui.Table

	all         []container.Summary // as last loaded
	shown       []containerRow      // filtered and sorted, as in the table
	sortCol     int
	sortDesc    bool
	runningOnly bool

	filter ui.Filter

	seq     int
	loading bool
	stale   bool
	loaded  bool
	loadErr error

	busy     map[string]busyAction // by container ID
	spin     int                   // frame of the spinner
	spinning bool                  // a spinMsg is on its way

	stats        map[string]ctrStats
	samples      map[string]container.Sample // the last reading, for CPU %
	polling      bool                        // a reading is under way
	statsWaiting bool                        // a statsTickMsg is on its way

	selectID string // put the cursor on this container once listed (after a run)

	dialog  ui.Dialog
	inspect *inspectView
	logs    *logsView
	logSeq  int

	width, height int
}

func newContainersView(e *env) *containersView {
	v := &containersView{
		env:      e,
		keys:     defaultContainersKeys(),
		table:    ui.NewTable(e.Styles, containerColumns),
		sortCol:  ccolCreated,
		sortDesc: true,
		filter:   ui.NewFilter(e.Styles, "name, image, command, status or ID"),
		busy:     map[string]busyAction{},
		stats:    map[string]ctrStats{},
		samples:  map[string]container.Sample{},
	}
	v.table.SetEmptyText("Loading containers…")
	v.table.SetSort(v.sortCol, v.sortDesc)
	v.updateKeys()
	return v
}

// Title is the pane's tab name.
func (v *containersView) Title() string { return "Containers" }

// Init loads the containers; their first reading of stats follows the load.
func (v *containersView) Init() tea.Cmd { return v.refresh() }

// Capturing reports whether keys are text now (filter or dialog).
func (v *containersView) Capturing() bool { return v.filter.Typing() || v.dialog != nil }

// ClaimsKey reports whether the pane takes a key the app would otherwise
// handle: q closes the log view rather than quitting.
func (v *containersView) ClaimsKey(msg tea.KeyPressMsg) bool {
	return v.logs != nil && v.logs.ClaimsKey(msg)
}

// Dialog is the open dialog, drawn by the app over the whole screen.
func (v *containersView) Dialog() ui.Dialog { return v.dialog }

// refresh lists the containers again, or marks a running load stale.
func (v *containersView) refresh() tea.Cmd {
	if v.loading {
		v.stale = true
		return nil
	}
	v.loading = true
	v.seq++
	seq, eng, ctx := v.seq, v.env.eng, v.env.ctx
	return func() tea.Msg {
		cs, err := eng.ListContainers(ctx, true)
		return containersLoadedMsg{Seq: seq, Containers: cs, Err: err}
	}
}

// apply joins, filters and sorts the rows and hands them to the table.
func (v *containersView) apply() {
	busy := make(map[string]string, len(v.busy))
	for id, b := range v.busy {
		busy[id] = b.action.doing()
	}
	rows := containerRows(v.all, v.stats, busy)
	rows = filterContainerRows(rows, v.filter.Value(), v.runningOnly)
	sortContainerRows(rows, v.sortCol, v.sortDesc)
	v.shown = rows
	v.table.SetSort(v.sortCol, v.sortDesc)
	v.table.SetRows(containerTableRows(v.env.Styles, rows, v.env.now(), spinner.MiniDot.Frames[v.spin]))
	if v.selectID != "" {
		for i, r := range rows {
			if r.ID == v.selectID {
				v.table.SetCursor(i)
				v.selectID = ""
				break
			}
		}
	}
	switch {
	case v.loadErr != nil && len(v.all) == 0:
		v.table.SetEmptyText("Could not list containers: " + oneLine(v.loadErr.Error()))
	case !v.loaded:
		v.table.SetEmptyText("Loading containers…")
	case len(v.all) == 0:
		v.table.SetEmptyText("No containers. Press n to run one.")
	case v.runningOnly && v.filter.Value() == "":
		v.table.SetEmptyText(fmt.Sprintf("No running containers. Press a to show all %d.", len(v.all)))
	default:
		v.table.SetEmptyText("No container matches the filter. Esc clears it.")
	}
	v.updateKeys()
}

// updateKeys enables the actions that make sense for the selected
// container, and says why the others do nothing.
func (v *containersView) updateKeys() {
	k := &v.keys
	row, ok := v.selected()
	all := []*ui.Binding{&k.Attach, &k.Logs, &k.Inspect, &k.Start, &k.Stop, &k.Restart, &k.Kill, &k.Pause, &k.Remove, &k.ForceRemove}
	if !ok {
		for _, b := range all {
			b.SetDisabled("no container selected")
		}
		return
	}
	for _, b := range all {
		b.SetDisabled("")
	}
	s := row.State.Status
	// Reasons are short (the help shows them) and read after "web is".
	switch s {
	case container.Running:
		k.Start.SetDisabled("already running")
		k.Pause.SetHelp("p", "pause")
	case container.Paused:
		k.Start.SetDisabled("paused")
		k.Attach.SetDisabled("paused")
		k.Pause.SetHelp("p", "unpause")
	default:
		k.Attach.SetDisabled("not running")
		k.Pause.SetHelp("p", "pause / unpause")
		k.Pause.SetDisabled("not running")
		if s != container.Restarting {
			k.Stop.SetDisabled("not running")
			k.Kill.SetDisabled("not running")
		}
	}
	// An action under way comes first; only kill may overtake it.
	if b, busy := v.busy[row.ID]; busy {
		why := strings.ToLower(b.action.doing()) + "…"
		for _, b := range []*ui.Binding{&k.Start, &k.Stop, &k.Restart, &k.Pause, &k.Remove, &k.ForceRemove} {
			b.SetDisabled(why)
		}
		if b.action == actKill || b.action == actRemove || b.action == actForceRemove {
			k.Kill.SetDisabled(why)
		}
	}
}

// whyNot is what the status bar says when b does nothing on row: "web is
// not running: u starts it".
func (v *containersView) whyNot(key string, b ui.Binding, row containerRow, ok bool) string {
	if !ok {
		return key + ": " + b.Disabled
	}
	msg := row.Ref() + " is " + b.Disabled
	if b.Help().Key == v.keys.Attach.Help().Key {
		switch row.State.Status {
		case container.Paused:
			msg += ": p unpauses it"
		case container.Created, container.Exited:
			msg += ": u starts it"
		}
	}
	return msg
}

func (v *containersView) selected() (containerRow, bool) {
	i := v.table.Cursor()
	if i < 0 || i >= len(v.shown) {
		return containerRow{}, false
	}
	return v.shown[i], true
}

// Update handles the view's messages and keys.
func (v *containersView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case containersLoadedMsg:
		return v.takeList(msg)
	case refreshContainersMsg:
		return v.refresh()
	case clockMsg:
		v.apply()
		return nil
	case statsTickMsg:
		v.statsWaiting = false
		return v.pollStats()
	case statsMsg:
		v.polling = false
		v.takeStats(msg.Samples)
		v.apply()
		return v.scheduleStats()
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
	case ctrInspectedMsg:
		if msg.Err != nil {
			return ui.ErrorStatus(msg.Err)
		}
		v.inspect = newInspectView(v.env, msg.Name, msg.Inspect)
		v.inspect.SetSize(v.width, v.height)
		return nil
	case logsMsg:
		if v.logs == nil {
			return nil
		}
		return v.logs.Update(msg)
	case runDoneMsg:
		return v.runDone(msg)
	case runMsg:
		return v.run(msg.Fields, msg.AfterPull)
	case confirmedMsg:
		return v.do(msg.Row, msg.Action)
	case attachDoneMsg:
		return v.attachDone(msg)
	case tea.KeyPressMsg:
		return v.key(msg)
	case tea.PasteMsg:
		if v.dialog != nil {
			var cmd tea.Cmd
			v.dialog, cmd = v.dialog.Update(msg)
			return cmd
		}
		if v.filter.Typing() {
			return v.nav().edit(msg)
		}
	}
	return nil
}

// takeList takes in a list of containers.
func (v *containersView) takeList(msg containersLoadedMsg) tea.Cmd {
	if msg.Seq != v.seq {
		return nil
	}
	v.loading = false
	var cmds []tea.Cmd
	if msg.Err != nil {
		v.loadErr = msg.Err
		cmds = append(cmds, ui.ErrorStatus(msg.Err))
	} else {
		v.loadErr, v.loaded = nil, true
		v.all = msg.Containers
	}
	v.apply()
	if v.stale {
		v.stale = false
		cmds = append(cmds, v.refresh())
	}
	// A container that came up shows its memory at once, not in 2 s.
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

func (v *containersView) key(msg tea.KeyPressMsg) tea.Cmd {
	if v.dialog != nil {
		var cmd tea.Cmd
		v.dialog, cmd = v.dialog.Update(msg)
		return cmd
	}
	if v.inspect != nil {
		if v.inspect.Update(msg) {
			v.inspect = nil
		}
		return nil
	}
	if v.logs != nil {
		if v.logs.Key(msg) {
			v.logs = nil
		}
		return nil
	}
	if took, cmd := v.nav().key(msg); took {
		return cmd
	}

	k := v.keys
	switch {
	case k.Sort.Matches(msg):
		for i := 1; i <= numContainerCols; i++ { // the next column on screen
			if c := (v.sortCol + i) % numContainerCols; v.table.ColumnShown(c) {
				v.sortCol = c
				break
			}
		}
		v.sortDesc = defaultContainerDesc(v.sortCol)
		v.apply()
		return nil
	case k.Reverse.Matches(msg):
		v.sortDesc = !v.sortDesc
		v.apply()
		return nil
	case k.Refresh.Matches(msg):
		return tea.Batch(v.refresh(), ui.Infof("Refreshing containers…"))
	case k.All.Matches(msg):
		v.runningOnly = !v.runningOnly
		v.apply()
		if v.runningOnly {
			return ui.Infof("Showing running containers only; a shows all")
		}
		return ui.Infof("Showing all containers")
	case k.Run.Matches(msg):
		v.dialog = v.runDialog(runFields{Interactive: true}, nil)
		return nil
	}

	// The rest acts on the selected container.
	row, ok := v.selected()
	bindings := []ui.Binding{k.Attach, k.Logs, k.Inspect, k.Start, k.Stop, k.Restart, k.Kill, k.Pause, k.Remove, k.ForceRemove}
	for _, b := range bindings {
		if b.Matches(msg) && !b.Enabled() {
			return ui.Infof("%s", v.whyNot(msg.String(), b, row, ok))
		}
	}
	if !ok {
		return nil
	}
	switch {
	case k.Attach.Matches(msg):
		return v.attach(row)
	case k.Logs.Matches(msg):
		v.logSeq++
		var cmd tea.Cmd
		v.logs, cmd = newLogsView(v.env, v.logSeq, row.ID, row.Ref())
		v.logs.SetSize(v.width, v.height)
		return cmd
	case k.Inspect.Matches(msg):
		eng, ctx, id, name := v.env.eng, v.env.ctx, row.ID, row.Ref()
		return func() tea.Msg {
			insp, err := eng.InspectContainer(ctx, id)
			return ctrInspectedMsg{ID: id, Name: name, Inspect: insp, Err: err}
		}
	case k.Start.Matches(msg):
		return v.do(row, actStart)
	case k.Stop.Matches(msg):
		return v.do(row, actStop)
	case k.Restart.Matches(msg):
		return v.do(row, actRestart)
	case k.Pause.Matches(msg):
		if row.State.Status == container.Paused {
			return v.do(row, actUnpause)
		}
		return v.do(row, actPause)
	case k.Kill.Matches(msg):
		v.dialog = v.confirm(row, actKill)
	case k.Remove.Matches(msg):
		a := actRemove
		if row.State.Status.Active() || row.State.Status == container.Restarting {
			a = actForceRemove
		}
		v.dialog = v.confirm(row, a)
	case k.ForceRemove.Matches(msg):
		v.dialog = v.confirm(row, actForceRemove)
	}
	return nil
}

// nav is the pane's table and filter, for the keys list panes share.
func (v *containersView) nav() listNav {
	return listNav{table: v.table, filter: &v.filter, keys: v.env.Keys, apply: v.apply, moved: v.updateKeys}
}

// SetSize sets the pane's size, frame included.
func (v *containersView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.table.SetSize(max(w-2, 0), max(h-2-v.filter.Lines(), 0))
	if v.inspect != nil {
		v.inspect.SetSize(w, h)
	}
	if v.logs != nil {
		v.logs.SetSize(w, h)
	}
}

// View draws the pane: the framed table, or the inspect or log view.
func (v *containersView) View() string {
	if v.inspect != nil {
		return v.inspect.View()
	}
	if v.logs != nil {
		return v.logs.View()
	}
	st := v.env.Styles
	title := "Containers (" + itoa(len(v.shown)) + ")"
	if len(v.shown) != len(v.all) {
		title = "Containers (" + itoa(len(v.shown)) + "/" + itoa(len(v.all)) + ")"
	}
	arrow := "↑"
	if v.sortDesc {
		arrow = "↓"
	}
	info := "sort: " + containerColumns[v.sortCol].Title + arrow
	if v.runningOnly {
		info = "running only · " + info
	}
	if v.loading && v.loaded {
		info = "refreshing… · " + info
	}
	var body []string
	if v.filter.Lines() > 0 {
		body = append(body, v.filter.View(st, v.width-2))
	}
	body = append(body, v.table.View())
	return ui.Frame(st, title, info, true, strings.Join(body, "\n"), v.width, v.height)
}

// KeyGroups are the pane's keys, for help: what acts on the selected
// container, then what acts on the list.
func (v *containersView) KeyGroups() []ui.KeyGroup {
	if v.inspect != nil {
		return v.inspect.KeyGroups()
	}
	if v.logs != nil {
		return v.logs.KeyGroups()
	}
	k := v.keys
	// d and D share a line, so that the help fits in 24 lines.
	remove := ui.Bind("d/D", "remove / force remove", "d", "D")
	remove.SetDisabled(k.Remove.Disabled)
	return []ui.KeyGroup{
		{Title: "Container", Keys: []ui.Binding{k.Attach, k.Logs, k.Inspect, k.Start, k.Stop, k.Restart, k.Kill, k.Pause, remove}},
		{Title: "Containers", Keys: []ui.Binding{k.Run, k.All, k.Sort, k.Reverse, k.Refresh}},
	}
}

// ShortHelp are the keys the status bar suggests: those that work on the
// selected container first.
func (v *containersView) ShortHelp() []ui.Binding {
	if v.inspect != nil {
		return v.inspect.ShortHelp()
	}
	if v.logs != nil {
		return v.logs.ShortHelp()
	}
	k := v.keys
	return []ui.Binding{k.Run, k.Logs, k.Attach, k.Start, k.Stop, k.Remove, v.env.Keys.Filter}
}
