package views

import (
	"context"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/events"
	"berth/ui"
)

// listPane is the one list component every object pane is built on (as
// gh-dash's section.Model): the table and its filter, the sort, loading and
// stale state, the frame with its title and count, refresh coalescing, the
// one slot for a dialog, the detail area with the tabs of the selected row
// (inspect, logs, ...: detail.go), and key dispatch from one binding table. A pane (Images, Containers, Networks,
// Volumes) adds its spec — columns, how to load, filter, sort and draw its
// rows — and its bindings; R is its row type.
type listPane[R any] struct {
	env   *env
	spec  listSpec[R]
	table *ui.Table
	binds []*binding[R]

	all      []R             // as last loaded
	shown    []R             // prepared, filtered and sorted, as in the table
	keys     []string        // the table keys of shown
	marks    map[string]bool // table keys marked for a bulk action
	sortCol  int
	sortDesc bool

	filter ui.Filter

	seq     int  // of the last load asked for
	loading bool // a load is running
	stale   bool // something changed while loading: load again
	loaded  bool
	loadErr error
	// announce: r asked for the load under way; its end is said.
	announce bool

	// selectKey puts the cursor on the row with this table key once it is
	// listed (a container just run, a network just created).
	selectKey string

	dialog ui.Dialog   // the open dialog: it gets every key and paste
	detail *detailArea // the selected row's tabs; nil for a pane without

	width, height int
}

// listSpec is what a pane tells its list: everything but the bindings.
type listSpec[R any] struct {
	title      string // the tab's and the frame's title: "Images"
	noun       string // one row, in messages: "image"
	columns    []ui.Column
	filterHint string // what the filter matches: "repository, tag or ID"
	sortCol    int    // the first sort column, in its default direction
	// defaultDesc is the direction a column sorts in when s selects it.
	defaultDesc func(col int) bool
	// changedBy are the kinds of engine event that make the pane reload.
	changedBy []events.Type

	load    func(ctx context.Context, eng Engine) ([]R, error)
	prepare func(all []R) []R // joins what the pane adds (stats, busy), in a new slice; nil: as loaded
	filter  func(rows []R, q string) []R
	sort    func(rows []R, col int, desc bool)
	render  func(rows []R) []ui.Row

	noneText string // the table's text when nothing is listed: "No images. Press p to pull one."
	// emptyText may say why nothing shows before "no X matches the filter"
	// is said ("No running containers…"); "" to let it.
	emptyText func() string
	info      func() string                // more for the frame's right side; may be nil
	groups    []string                     // titles of the help columns the bindings go in
	afterLoad func() tea.Cmd               // after every load; may be nil
	explain   func(r R, why string) string // the status line for a disabled key on a row; may be nil
	// tabs are the detail tabs of a row and its name in the area's frame;
	// nil for a pane without a detail area.
	tabs func(r R) (name string, tabs []detailTab)
}

// binding is one key of a pane: its keys and help (the ui.Binding), what it
// does, and why it does nothing now. One table of them drives dispatch, the
// help screen and the status bar's short help.
type binding[R any] struct {
	ui.Binding
	group int  // the help column (index in spec.groups); noHelp keeps it out
	short int  // its place in the status bar's short help; 0: not there
	onRow bool // acts on the selected row: disabled when there is none
	// why is the reason the key does nothing now, short, for the help
	// ("not running"); "" when it works. May be nil.
	why func(r R) string
	// desc is the help text when it depends on the row ("pause", "unpause");
	// may be nil.
	desc func(r R, ok bool) string
	// helpKey, helpDesc replace the binding's help in the help screen (d/D
	// on one line); empty for its own.
	helpKey, helpDesc string
	// explain is the status line when the key is pressed disabled on a
	// row; nil for the spec's, or "key: why".
	explain func(r R, why string) string
	// nav is a key the list handles itself (the filter's /): listed in the
	// short help, never dispatched.
	nav bool
	do  func(r R) tea.Cmd
	// bulk acts on the marked rows, when there are any; nil: the key acts
	// on the selected row even then.
	bulk func(rows []R) tea.Cmd
}

// noHelp keeps a binding out of the help screen (its key shares a line).
const noHelp = -1

// Generic messages of the list panes: the row type says whose they are.
type (
	listLoadedMsg[R any] struct {
		Seq  int
		Rows []R
		Err  error
	}
	// changedMsg says objects of a kind changed: panes that show them reload.
	changedMsg struct{ Type events.Type }
	// doneMsg says an action of a pane returned: Text is the status line
	// on success; Select puts the cursor on that row key once listed;
	// Retry, if set, opens the dialog the action came from again, showing
	// the error, so that it can be fixed.
	doneMsg[R any] struct {
		Text   string
		Select string
		Err    error
		Retry  func(err error) ui.Dialog
	}
)

// act runs call on the engine in a command; its doneMsg says how it went
// and reloads the list.
func (p *listPane[R]) act(call func(ctx context.Context, eng Engine) (text, sel string, err error), retry func(error) ui.Dialog) tea.Cmd {
	eng, ctx := p.env.eng, p.env.ctx
	return func() tea.Msg {
		text, sel, err := call(ctx, eng)
		return doneMsg[R]{Text: text, Select: sel, Err: err, Retry: retry}
	}
}

// done takes in an action's result.
func (p *listPane[R]) done(msg doneMsg[R]) tea.Cmd {
	if msg.Err != nil {
		if msg.Retry != nil {
			p.dialog = msg.Retry(msg.Err)
		}
		return tea.Batch(ui.ErrorStatus(msg.Err), p.refresh())
	}
	if msg.Select != "" {
		p.selectKey = msg.Select
	}
	return tea.Batch(ui.Status(ui.LevelSuccess, msg.Text), p.refresh())
}

func newListPane[R any](e *env, spec listSpec[R]) *listPane[R] {
	p := &listPane[R]{
		env:      e,
		spec:     spec,
		table:    ui.NewTable(e.Styles, spec.columns),
		sortCol:  spec.sortCol,
		sortDesc: spec.defaultDesc(spec.sortCol),
		filter:   ui.NewFilter(e.Styles, spec.filterHint),
		marks:    map[string]bool{},
	}
	p.table.SetEmptyText("Loading " + p.nouns() + "…")
	p.table.SetSort(p.sortCol, p.sortDesc)
	if spec.tabs != nil {
		p.detail = newDetailArea(e, p.selectedKey, func() (string, []detailTab) {
			r, _ := p.selected()
			return spec.tabs(r)
		})
	}
	return p
}

// selectedKey is the table key of the selected row; "" when there is none.
func (p *listPane[R]) selectedKey() string {
	r, _ := p.table.Selected()
	return r.Key
}

// openDetail gives the detail area the keys, on the tab titled title.
func (p *listPane[R]) openDetail(title string) tea.Cmd {
	if p.detail == nil {
		return nil
	}
	cmd := p.detail.focus(title)
	p.SetSize(p.width, p.height)
	return cmd
}

// nouns is the lowercase title: "images".
func (p *listPane[R]) nouns() string { return strings.ToLower(p.spec.title) }

// Title is the pane's tab name.
func (p *listPane[R]) Title() string { return p.spec.title }

// Init loads the rows.
func (p *listPane[R]) Init() tea.Cmd { return p.refresh() }

// rows are every row loaded, before the filter.
func (p *listPane[R]) rows() []R { return p.all }

// Capturing reports whether keys are text now (filter or dialog), so that
// global keys like q must not act.
func (p *listPane[R]) Capturing() bool {
	return p.filter.Typing() || p.dialog != nil || (p.detail != nil && p.detail.capturing())
}

// Dialog is the open dialog, drawn by the app over the whole screen.
func (p *listPane[R]) Dialog() ui.Dialog { return p.dialog }

// ClaimsKey: the focused detail area takes keys the app would handle (q
// goes back to the list rather than quitting).
func (p *listPane[R]) ClaimsKey(msg tea.KeyPressMsg) bool {
	return p.detail != nil && p.detail.claims(msg)
}

// setBindings sets the pane's binding table.
func (p *listPane[R]) setBindings(bs ...*binding[R]) { p.binds = bs }

// refresh loads the rows again, or marks a running load stale so that it is
// repeated once it returns: bursts of events cost two loads at most.
func (p *listPane[R]) refresh() tea.Cmd {
	if p.loading {
		p.stale = true
		return nil
	}
	p.loading = true
	p.seq++
	seq, eng, ctx, load := p.seq, p.env.eng, p.env.ctx, p.spec.load
	return func() tea.Msg {
		rows, err := load(ctx, eng)
		return listLoadedMsg[R]{Seq: seq, Rows: rows, Err: err}
	}
}

// apply prepares, filters and sorts the rows and hands them to the table.
func (p *listPane[R]) apply() {
	rows := p.all
	if p.spec.prepare != nil {
		rows = p.spec.prepare(rows) // a slice of its own: sorted in place
	} else {
		rows = slices.Clone(rows)
	}
	rows = p.spec.filter(rows, p.filter.Value())
	p.spec.sort(rows, p.sortCol, p.sortDesc)
	p.shown = rows
	p.table.SetSort(p.sortCol, p.sortDesc)
	trows := p.spec.render(rows)
	p.keys = p.keys[:0]
	for i := range trows {
		p.keys = append(p.keys, trows[i].Key)
		trows[i].Marked = p.marks[trows[i].Key]
	}
	p.table.SetRows(trows)
	if p.selectKey != "" {
		for i, r := range trows {
			if r.Key == p.selectKey {
				p.table.SetCursor(i)
				p.selectKey = ""
				break
			}
		}
	}
	empty := ""
	switch {
	case p.loadErr != nil && len(p.all) == 0:
		empty = "Could not list " + p.nouns() + ": " + oneLine(p.loadErr.Error())
	case !p.loaded:
		empty = "Loading " + p.nouns() + "…"
	case len(p.all) == 0:
		empty = p.spec.noneText
	}
	if empty == "" && p.spec.emptyText != nil {
		empty = p.spec.emptyText()
	}
	if empty == "" {
		empty = "No " + p.spec.noun + " matches the filter. Esc clears it."
	}
	p.table.SetEmptyText(empty)
}

// selected is the row under the cursor; false when there is none.
func (p *listPane[R]) selected() (R, bool) {
	i := p.table.Cursor()
	if i < 0 || i >= len(p.shown) {
		var zero R
		return zero, false
	}
	return p.shown[i], true
}

// update handles the list's own messages and keys; it reports whether msg
// was one of them. Panes handle theirs first, then call it. Messages it
// does not know go to the detail area, which then follows the selection.
func (p *listPane[R]) update(msg tea.Msg) (tea.Cmd, bool) {
	cmd, ok := p.listUpdate(msg)
	if p.detail == nil {
		return cmd, ok
	}
	if !ok {
		cmd = p.detail.Update(msg)
	}
	return tea.Batch(cmd, p.detail.sync()), ok
}

func (p *listPane[R]) listUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case listLoadedMsg[R]:
		return p.takeList(msg), true
	case doneMsg[R]:
		return p.done(msg), true
	case bulkDoneMsg[R]:
		return p.bulkDone(msg), true
	case changedMsg:
		if slices.Contains(p.spec.changedBy, msg.Type) {
			return p.refresh(), true
		}
	case clockMsg:
		p.apply()
		return nil, true
	case tea.KeyPressMsg:
		return p.key(msg), true
	case tea.PasteMsg:
		if p.dialog != nil {
			var cmd tea.Cmd
			p.dialog, cmd = p.dialog.Update(msg)
			return cmd, true
		}
		if p.filter.Typing() {
			return p.nav().edit(msg), true
		}
		return nil, true
	}
	return nil, false
}

// takeList takes in a load, unless a newer one was asked for.
func (p *listPane[R]) takeList(msg listLoadedMsg[R]) tea.Cmd {
	if msg.Seq != p.seq {
		return nil // an older load
	}
	p.loading = false
	var cmds []tea.Cmd
	if msg.Err != nil {
		p.loadErr = msg.Err
		cmds = append(cmds, ui.ErrorStatus(msg.Err))
	} else {
		p.loadErr, p.loaded = nil, true
		p.all = msg.Rows
		if p.announce {
			// The answer to r replaces its "Refreshing…" at once.
			cmds = append(cmds, ui.Status(ui.LevelSuccess, "Refreshed: "+plural(len(msg.Rows), p.spec.noun)))
		}
	}
	p.announce = false
	p.apply()
	if p.stale {
		p.stale = false
		cmds = append(cmds, p.refresh())
	}
	if p.spec.afterLoad != nil {
		cmds = append(cmds, p.spec.afterLoad())
	}
	return tea.Batch(cmds...)
}

// confirm opens a yes/no dialog; yes runs then.
func (p *listPane[R]) confirm(title, body string, then tea.Cmd) {
	p.dialog = ui.NewConfirm(p.env.Styles, title, body, then)
}

// key routes a key: to the dialog, the focused detail area, the list's own
// keys, the docked detail area's, then the binding table.
func (p *listPane[R]) key(msg tea.KeyPressMsg) tea.Cmd {
	if p.dialog != nil {
		var cmd tea.Cmd
		p.dialog, cmd = p.dialog.Update(msg)
		return cmd
	}
	if p.detail != nil && p.detail.focused {
		return p.detail.handleKey(msg)
	}
	if p.env.Keys.Back.Matches(msg) && !p.filter.Typing() && p.clearMarks() {
		return nil
	}
	if took, cmd := p.nav().key(msg); took {
		return cmd
	}
	if p.detail != nil {
		if cmd, took := p.detail.listKey(msg); took {
			return cmd
		}
	}
	row, ok := p.selected()
	marked := p.marked()
	for _, b := range p.binds {
		if b.nav || !b.Matches(msg) {
			continue
		}
		if b.bulk != nil && len(marked) > 0 {
			return b.bulk(marked)
		}
		if why := p.why(b, row, ok); why != "" {
			return ui.Infof("%s", p.explain(msg.String(), b, row, ok, why))
		}
		return b.do(row)
	}
	return nil
}

// why is the reason b does nothing now; "" when it works.
func (p *listPane[R]) why(b *binding[R], row R, ok bool) string {
	if b.onRow && !ok {
		return "no " + p.spec.noun + " selected"
	}
	if b.why == nil {
		return ""
	}
	return b.why(row)
}

// explain is the status line when disabled key b is pressed: "web is not
// running: u starts it", or "d: no image selected".
func (p *listPane[R]) explain(key string, b *binding[R], row R, ok bool, why string) string {
	switch {
	case !ok || !b.onRow:
	case b.explain != nil:
		return b.explain(row, why)
	case p.spec.explain != nil:
		return p.spec.explain(row, why)
	}
	return key + ": " + why
}

// helpBinding is b as the help and status bar show it now: its text for the
// selected row, disabled with its reason.
func (p *listPane[R]) helpBinding(b *binding[R], row R, ok bool) ui.Binding {
	out := b.Binding
	if b.desc != nil {
		out.SetHelp(out.Help().Key, b.desc(row, ok))
	}
	out.SetDisabled(p.why(b, row, ok))
	return out
}

// nav is the pane's table and filter, for the keys list panes share.
func (p *listPane[R]) nav() listNav {
	return listNav{table: p.table, filter: &p.filter, keys: p.env.Keys, apply: p.apply}
}

// sortNext sorts by the next column on screen, in its default direction.
func (p *listPane[R]) sortNext() tea.Cmd {
	n := len(p.spec.columns)
	for i := 1; i <= n; i++ {
		if c := (p.sortCol + i) % n; p.table.ColumnShown(c) {
			p.sortCol = c
			break
		}
	}
	p.sortDesc = p.spec.defaultDesc(p.sortCol)
	p.apply()
	return nil
}

// reverse turns the sort around.
func (p *listPane[R]) reverse() tea.Cmd {
	p.sortDesc = !p.sortDesc
	p.apply()
	return nil
}

// userRefresh is r: load again, and say so.
func (p *listPane[R]) userRefresh() tea.Cmd {
	p.announce = true
	return tea.Batch(p.refresh(), ui.Infof("Refreshing %s…", p.nouns()))
}

// Bindings every list has: s, S and r, and / for the short help.
func (p *listPane[R]) sortBinding(short int) *binding[R] {
	// s and S share a help line, so that the help fits in 24 lines.
	return &binding[R]{Binding: ui.Bind("s", "sort by next column", "s").WithShort("sort"), short: short,
		helpKey: "s/S", helpDesc: "sort / reverse", do: func(R) tea.Cmd { return p.sortNext() }}
}

func (p *listPane[R]) reverseBinding() *binding[R] {
	return &binding[R]{Binding: ui.Bind("S", "reverse the sort", "S"), group: noHelp, do: func(R) tea.Cmd { return p.reverse() }}
}

func (p *listPane[R]) refreshBinding() *binding[R] {
	return &binding[R]{Binding: ui.Bind("r", "refresh", "r"), do: func(R) tea.Cmd { return p.userRefresh() }}
}

// filterHint is "/" in the short help; the list handles the key itself.
func (p *listPane[R]) filterHint(short int) *binding[R] {
	return &binding[R]{Binding: p.env.Keys.Filter, group: noHelp, short: short, nav: true}
}

// SetSize sets the pane's size, frame included.
func (p *listPane[R]) SetSize(w, h int) {
	p.width, p.height = w, h
	if p.detail != nil {
		w, h = p.detail.layout(w, h)
	}
	p.table.SetSize(max(w-2, 0), max(h-2-p.filter.Lines(), 0))
}

// View draws the pane: the list, and the detail area over, below or beside
// it.
func (p *listPane[R]) View() string {
	d := p.detail
	switch {
	case d == nil || !d.visible():
		return p.listView(p.width, p.height)
	case d.full():
		return d.View()
	case d.place == detailBelow:
		return p.listView(p.width, p.height-d.height) + "\n" + d.View()
	}
	lw := p.width - d.width
	l := strings.Split(p.listView(lw, p.height), "\n")
	r := strings.Split(d.View(), "\n")
	for i := range l {
		if i < len(r) {
			l[i] += r[i]
		}
	}
	return strings.Join(l, "\n")
}

// listView draws the list: a frame with the title and count, the sort and
// the state, the filter line and the table.
func (p *listPane[R]) listView(w, h int) string {
	st := p.env.Styles
	title := p.spec.title + " (" + itoa(len(p.shown)) + ")"
	if len(p.shown) != len(p.all) {
		title = p.spec.title + " (" + itoa(len(p.shown)) + "/" + itoa(len(p.all)) + ")"
	}
	if n := len(p.marked()); n > 0 {
		title += " · " + itoa(n) + " marked"
	}
	arrow := "↑"
	if p.sortDesc {
		arrow = "↓"
	}
	info := "sort: " + p.spec.columns[p.sortCol].Title + arrow
	if p.spec.info != nil {
		if s := p.spec.info(); s != "" {
			info = s + " · " + info
		}
	}
	if p.loading && p.loaded {
		info = "refreshing… · " + info
	}
	var body []string
	if p.filter.Lines() > 0 {
		body = append(body, p.filter.View(st, w-2))
	}
	body = append(body, p.table.View())
	focused := p.detail == nil || !p.detail.focused
	return ui.Frame(st, title, info, focused, strings.Join(body, "\n"), w, h)
}

// KeyGroups are the pane's keys for help, one column per spec group.
func (p *listPane[R]) KeyGroups() []ui.KeyGroup {
	if p.detail != nil && p.detail.focused {
		return p.detail.KeyGroups()
	}
	row, ok := p.selected()
	groups := make([]ui.KeyGroup, len(p.spec.groups))
	for i, t := range p.spec.groups {
		groups[i].Title = t
	}
	for _, b := range p.binds {
		if b.group < 0 || b.group >= len(groups) {
			continue
		}
		hb := p.helpBinding(b, row, ok)
		if b.helpKey != "" {
			hb.SetHelp(b.helpKey, b.helpDesc)
		}
		groups[b.group].Keys = append(groups[b.group].Keys, hb)
	}
	if g, ok := p.detail.dockedGroup(); ok {
		groups = append(groups, g)
	}
	return groups
}

// ShortHelp are the keys the status bar suggests, in their short order.
func (p *listPane[R]) ShortHelp() []ui.Binding {
	if p.detail != nil && p.detail.focused {
		return p.detail.ShortHelp()
	}
	row, ok := p.selected()
	var bs []*binding[R]
	for _, b := range p.binds {
		if b.short > 0 {
			bs = append(bs, b)
		}
	}
	slices.SortStableFunc(bs, func(a, b *binding[R]) int { return a.short - b.short })
	out := make([]ui.Binding, len(bs))
	for i, b := range bs {
		out[i] = p.helpBinding(b, row, ok)
	}
	return out
}
