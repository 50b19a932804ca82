package views

import (
	"slices"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"berth/engine/events"
	"berth/themes"
	"berth/ui"
)

// eventsHistory is how many events the Events pane keeps, and eventsBack
// how far back it starts: the store keeps the last 10,000.
const (
	eventsHistory = 5000
	eventsBack    = time.Hour
)

// eventTypes are what t cycles through; "" is every type.
var eventTypes = []events.Type{"", events.TypeContainer, events.TypeImage, events.TypeNetwork, events.TypeVolume}

// Columns of the Events pane.
const (
	ecolTime = iota
	ecolType
	ecolAction
	ecolName
	ecolID
	ecolAttrs
)

var eventColumns = []ui.Column{
	ecolTime:   {Title: "TIME", Width: 8},
	ecolType:   {Title: "TYPE", Width: 9},
	ecolAction: {Title: "ACTION", Width: 10, Flex: 1, Max: 14},
	ecolName:   {Title: "OBJECT", Width: 12, Flex: 3, Max: 40},
	ecolID:     {Title: "ID", Width: 12, HideBelow: 70},
	ecolAttrs:  {Title: "ATTRIBUTES", Width: 10, Flex: 4, HideBelow: 60},
}

// eventsView is the Events pane: the engine's events of the last hour
// before the TUI started (read once, after the first frame) and since,
// newest at the bottom, following while the cursor is on the last one; t
// narrows to one type, / to events whose object or action match.
type eventsView struct {
	env    *env
	table  *ui.Table
	filter ui.Filter
	typ    int            // index in eventTypes
	all    []events.Event // by ID
	last   int64          // the newest ID in all: a live event at or below it came with the history
	shown  []events.Event
	rows   []ui.Row // shown, drawn
	follow bool     // the cursor stays on the newest event
	keys   eventsKeys

	width, height int
}

type eventsKeys struct {
	Type, Follow, Open ui.Binding
}

// gotoObjectMsg asks the app to show the object an event is about: its
// pane, the cursor on its row.
type gotoObjectMsg struct {
	Type events.Type
	Ref  string // ID, or name for a volume
	Name string
}

func newEventsView(e *env) *eventsView {
	v := &eventsView{env: e, table: ui.NewTable(e.Styles, eventColumns), follow: true,
		filter: ui.NewFilter(e.Styles, "object name, ID, action or attribute"),
		keys: eventsKeys{
			Type:   ui.Bind("t", "type: all → container → image → network → volume", "t").WithShort("type").WithID("type"),
			Follow: ui.Bind("f", "follow the newest / stay", "f").WithShort("follow").WithID("follow"),
			Open:   ui.Bind("enter", "go to the object", "enter").WithShort("go to").WithID("open"),
		}}
	v.table.SetEmptyText("No events in the last hour. Run, stop or pull something.")
	return v
}

// eventsHistoryMsg is what the store held from before the TUI started.
type eventsHistoryMsg struct{ Events []events.Event }

func (v *eventsView) Title() string { return "Events" }

// Init reads the events of the last eventsBack before now, once: the live
// stream (App.events) gives those after.
func (v *eventsView) Init() tea.Cmd {
	eng, ctx, until := v.env.eng, v.env.ctx, v.env.now()
	return func() tea.Msg {
		var evs []events.Event
		for ev := range eng.Events(ctx, events.Options{Since: until.Add(-eventsBack), Until: until}) {
			if evs = append(evs, ev); len(evs) >= 2*eventsHistory {
				evs = slices.Delete(evs, 0, len(evs)-eventsHistory)
			}
		}
		return eventsHistoryMsg{evs}
	}
}

func (v *eventsView) Capturing() bool   { return v.filter.Typing() }
func (v *eventsView) Dialog() ui.Dialog { return nil }
func (v *eventsView) nav() listNav {
	return listNav{table: v.table, filter: &v.filter, keys: v.env.Keys, apply: v.apply}
}
func (v *eventsView) typeName() string { return typeLabel(eventTypes[v.typ]) }

func typeLabel(t events.Type) string {
	if t == "" {
		return "all"
	}
	return string(t)
}

// add takes in a burst of events, dropping the oldest past the history.
// Only the new events are filtered and drawn: a burst into a full pane
// costs as much as the burst.
func (v *eventsView) add(evs []events.Event) {
	for len(evs) > 0 && evs[0].ID <= v.last { // by ID: those the history gave
		evs = evs[1:]
	}
	if len(evs) == 0 {
		return
	}
	v.last = evs[len(evs)-1].ID
	v.all = append(v.all, evs...)
	if n := len(v.all) - eventsHistory; n > 0 {
		last := v.all[n-1].ID
		v.all = slices.Delete(v.all, 0, n)
		k := 0
		for k < len(v.shown) && v.shown[k].ID <= last {
			k++
		}
		v.shown = slices.Delete(v.shown, 0, k)
		v.rows = slices.Delete(v.rows, 0, k)
	}
	for _, ev := range evs {
		if v.matches(ev) {
			v.shown = append(v.shown, ev)
			v.rows = append(v.rows, v.row(ev))
		}
	}
	v.show()
}

// history puts the events from before the TUI started before the live
// ones, leaving out those the live stream gave too.
func (v *eventsView) history(evs []events.Event) {
	if len(v.all) > 0 {
		first := v.all[0].ID
		evs = slices.DeleteFunc(evs, func(ev events.Event) bool { return ev.ID >= first })
	}
	if len(evs) == 0 {
		return
	}
	v.last = max(v.last, evs[len(evs)-1].ID)
	v.all = append(evs, v.all...)
	if n := len(v.all) - eventsHistory; n > 0 {
		v.all = slices.Delete(v.all, 0, n)
	}
	v.apply()
}

// apply filters and draws every event again: the type, the filter or the
// theme changed.
func (v *eventsView) apply() {
	v.shown, v.rows = v.shown[:0], v.rows[:0]
	for _, ev := range v.all {
		if v.matches(ev) {
			v.shown = append(v.shown, ev)
			v.rows = append(v.rows, v.row(ev))
		}
	}
	v.show()
}

// matches reports whether ev passes the type and the filter.
func (v *eventsView) matches(ev events.Event) bool {
	if want := eventTypes[v.typ]; want != "" && ev.Type != want {
		return false
	}
	q := strings.ToLower(v.filter.Value())
	return q == "" || strings.Contains(strings.ToLower(eventText(ev)), q)
}

// row draws one event.
func (v *eventsView) row(ev events.Event) ui.Row {
	r := ui.Row{Key: itoa(int(ev.ID)), Cells: eventCells(ev, v.env.now().Location())}
	if s, ok := eventActionStyle(v.env.Styles, ev); ok {
		r.Style = map[int]lipgloss.Style{ecolAction: s}
	}
	return r
}

// show hands the rows to the table; while following, the cursor goes to
// the newest.
func (v *eventsView) show() {
	v.table.SetRows(v.rows)
	if v.follow {
		v.table.SetCursor(len(v.rows) - 1)
	}
	if len(v.all) > 0 {
		v.table.SetEmptyText("No " + v.typeName() + " event matches. t changes the type, esc clears the filter.")
	}
}

// eventText is what / matches: the object's name and ID, the action and
// the attributes.
func eventText(ev events.Event) string {
	return string(ev.Type) + " " + ev.Action + " " + ev.Actor + " " + eventAttrs(ev, true)
}

// eventName is the object as people name it: its name, else its ID.
func eventName(ev events.Event) string {
	if n := ev.Attributes["name"]; n != "" {
		return n
	}
	return eventID(ev)
}

// eventID is the object's short ID: 12 hex digits, without "sha256:".
func eventID(ev events.Event) string {
	return shortID(strings.TrimPrefix(ev.Actor, "sha256:"))
}

// eventAttrs are the attributes, sorted: "exitCode=0". For the filter
// (all) every one as stored; for the screen, without the name (the OBJECT
// column has it) and with full IDs cut to 12 digits, as the ID column.
func eventAttrs(ev events.Event, all bool) string {
	keys := make([]string, 0, len(ev.Attributes))
	for k := range ev.Attributes {
		if k != "name" || all {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		v := ev.Attributes[k]
		if !all && len(v) == 64 && strings.Trim(v, "0123456789abcdef") == "" {
			v = shortID(v)
		}
		keys[i] = k + "=" + v
	}
	return strings.Join(keys, " ")
}

// eventCells renders one event: a pure function for the golden files.
func eventCells(ev events.Event, loc *time.Location) []string {
	return []string{
		ecolTime:   ev.Time.In(loc).Format("15:04:05"),
		ecolType:   string(ev.Type),
		ecolAction: ev.Action,
		ecolName:   eventName(ev),
		ecolID:     eventID(ev),
		ecolAttrs:  eventAttrs(ev, false),
	}
}

// Update takes the pane's keys (the app hands events in with add).
func (v *eventsView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case eventsHistoryMsg:
		v.history(msg.Events)
	case tea.KeyPressMsg:
		return v.key(msg)
	case tea.PasteMsg:
		if v.filter.Typing() {
			return v.nav().edit(msg)
		}
	}
	return nil
}

func (v *eventsView) key(msg tea.KeyPressMsg) tea.Cmd {
	km := v.env.Keys
	typing := v.filter.Typing()
	if took, cmd := v.nav().key(msg); took {
		switch {
		case typing && v.follow:
			// Filtering keeps following: the newest match is selected.
			v.table.SetCursor(len(v.shown) - 1)
		case typing:
		default:
			// Moving off the newest event stops following; G (or f)
			// follows again.
			v.follow = len(v.shown) == 0 || km.Bottom.Matches(msg) ||
				v.table.Cursor() >= len(v.shown)-1 && !km.Up.Matches(msg)
		}
		return cmd
	}
	switch {
	case v.keys.Type.Matches(msg):
		v.typ = (v.typ + 1) % len(eventTypes)
		v.apply()
		return ui.Infof("Events of type %s", v.typeName())
	case v.keys.Open.Matches(msg):
		ev, ok := v.selectedEvent()
		if !ok {
			return ui.Infof("enter: no event selected")
		}
		m := gotoObjectMsg{Type: ev.Type, Ref: ev.Actor, Name: eventName(ev)}
		return func() tea.Msg { return m }
	case v.keys.Follow.Matches(msg):
		v.follow = !v.follow
		if v.follow {
			v.table.SetCursor(len(v.shown) - 1)
			return ui.Infof("Following new events")
		}
		return ui.Infof("Not following: the cursor stays where it is")
	}
	return nil
}

// selectedEvent is the event under the cursor.
func (v *eventsView) selectedEvent() (events.Event, bool) {
	i := v.table.Cursor()
	if i < 0 || i >= len(v.shown) {
		return events.Event{}, false
	}
	return v.shown[i], true
}

func (v *eventsView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.table.SetSize(max(w-2, 0), max(h-2-v.filter.Lines(), 0))
}

func (v *eventsView) View() string {
	st := v.env.Styles
	title := "Events (" + itoa(len(v.shown)) + ")"
	if len(v.shown) != len(v.all) {
		title = "Events (" + itoa(len(v.shown)) + "/" + itoa(len(v.all)) + ")"
	}
	info := "type: " + v.typeName()
	if v.follow {
		info += " · following"
	}
	var body []string
	if v.filter.Lines() > 0 {
		body = append(body, v.filter.View(st, v.width-2))
	}
	body = append(body, v.table.View())
	return ui.Frame(st, title, info, true, strings.Join(body, "\n"), v.width, v.height)
}

func (v *eventsView) KeyGroups() []ui.KeyGroup {
	km := v.env.Keys
	return []ui.KeyGroup{{Title: "Events", Keys: []ui.Binding{v.keys.Open, v.keys.Type, v.keys.Follow, km.Filter, km.Copy}}}
}

func (v *eventsView) ShortHelp() []ui.Binding {
	return []ui.Binding{v.keys.Open, v.keys.Type, v.keys.Follow, v.env.Keys.Filter}
}

// overrideKeys gives the pane's keys those the config chose
// ("events.type") and returns its table.
func (v *eventsView) overrideKeys(o ui.KeyOverrides) map[string]*ui.Binding {
	out := map[string]*ui.Binding{}
	for _, b := range []*ui.Binding{&v.keys.Type, &v.keys.Follow, &v.keys.Open} {
		o.Apply("events", b)
		out["events."+b.Action()] = b
	}
	return out
}

// eventActionStyle colours an action by what it means for the object:
// started, stopped, failed or gone.
func eventActionStyle(st *themes.Styles, ev events.Event) (lipgloss.Style, bool) {
	switch ev.Action {
	case "start", "unpause", "restart", "create", "pull", "load", "tag":
		return st.State.Running, true
	case "pause":
		return st.State.Paused, true
	case "die":
		if code := ev.Attributes["exitCode"]; code != "" && code != "0" {
			return st.State.Failed, true
		}
		return st.State.Stopped, true
	case "stop", "kill", "untag":
		return st.State.Stopped, true
	case "destroy", "delete", "oom":
		return st.State.Failed, true
	}
	return lipgloss.Style{}, false
}

// gotoObject shows the object of an event in its pane, if it is still
// listed there.
func (a *App) gotoObject(msg gotoObjectMsg) tea.Cmd {
	pane, ok := map[events.Type]int{events.TypeContainer: paneContainers, events.TypeImage: paneImages,
		events.TypeNetwork: paneNetworks, events.TypeVolume: paneVolumes}[msg.Type]
	if !ok {
		return nil
	}
	o, ok := a.panes[pane].(objectFinder)
	if !ok || !o.showObject(msg.Ref) {
		return ui.Infof("%s %s is no longer listed", msg.Type, msg.Name)
	}
	a.active, a.showPulls = pane, false
	return nil
}
