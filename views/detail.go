package views

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// detailPlace is where a list pane's detail area goes.
type detailPlace int

const (
	// detailOver: no room beside or below the list: the area is closed and
	// opens over the list when asked for (80x24).
	detailOver detailPlace = iota
	detailBelow
	detailBeside
)

// Sizes of the list pane (title and status bar not counted) from which the
// detail area stays open below or beside the list, following the
// selection: a 50-line or a 180-column terminal. At 40 lines the list
// would keep 15 rows: the area opens over it when asked for instead.
const (
	detailBelowHeight = 48
	detailBesideWidth = 180
)

// detailDebounce is how long the selection must rest before the tabs of
// the new object open (env.detailRest): holding j starts no streams.
const detailDebounce = 150 * time.Millisecond

// placeFor is where the detail area goes in a pane of w×h.
func placeFor(w, h int) detailPlace {
	switch {
	case w >= detailBesideWidth:
		return detailBeside
	case h >= detailBelowHeight:
		return detailBelow
	}
	return detailOver
}

// Optional abilities of a detail tab, checked with a type assertion.
type (
	// tabInfo is a tab's text for the right of the area's frame:
	// "line 3/120".
	tabInfo interface{ Info() string }
	// framedTab draws its own frame at the size it is given: the area
	// draws the tab strip above it and no frame of its own.
	framedTab interface{ ownFrame() bool }
)

// detailArea is the detail area of a list pane: the tabs of the selected
// object (detailTab), its tab strip, and which tab is open. It follows the
// selection while it is on screen, after a short rest; it opens only the
// tab on screen and closes it when it goes off screen, when another tab is
// chosen, and when the selection moves to another object. It is the one
// sub-view of a list pane: inspect and logs are its tabs.
//
// The area is docked (below or beside the list, on large screens) or
// closed; it has the focus (keys go to its tab) or the list has it. On a
// small screen, or zoomed, the focused area takes the whole pane.
type detailArea struct {
	env *env
	// selected is the key of the selected object, "" for none; build
	// makes its tabs and names it.
	selected func() string
	build    func() (name string, tabs []detailTab)

	key    string // the object whose tabs these are
	name   string
	tabs   []detailTab // nil while the selection rests
	active int
	want   string // the title of the tab to show, kept from object to object
	opened bool   // tabs[active] is open

	focused, zoomed bool
	hidden          bool // the pane is not on screen (another pane, the pulls panel)
	place           detailPlace
	seq             int // of the selection change waiting for its rest

	width, height int
}

type detailKeys struct {
	Next, Prev, Pick, Zoom, Back ui.Binding
}

// detailSelectMsg says the selection rested: open the tabs of what is
// selected now, if it is still seq's.
type detailSelectMsg struct {
	area *detailArea
	seq  int
}

func newDetailArea(e *env, selected func() string, build func() (string, []detailTab)) *detailArea {
	return &detailArea{env: e, selected: selected, build: build}
}

// keys are the area's keys, as the config file rebound them.
func (d *detailArea) keys() detailKeys { return d.env.tabKeys().detail }

// visible: the area is on screen.
func (d *detailArea) visible() bool { return !d.hidden && (d.focused || d.place != detailOver) }

// SetOnScreen tells the pane whether the app draws it (onScreener): the
// tab of a pane off screen is closed, and opens again at the pane's next
// message once it is back (the app sends one when it switches panes).
func (p *listPane[R]) SetOnScreen(on bool) {
	if p.detail == nil {
		return
	}
	p.detail.hidden = !on
	if !on {
		p.detail.closeActive()
	}
}

// paneShownMsg is sent when the app shows another pane or the window is
// resized: a detail area now on screen opens its tab.
type paneShownMsg struct{}

// full: the area takes the whole pane.
func (d *detailArea) full() bool { return d.focused && (d.zoomed || d.place == detailOver) }

// coversList: the area hides the list (its rows are not on screen).
func (d *detailArea) coversList() bool { return d != nil && d.full() }

// layout sets where the area goes in a pane of w×h and returns the size
// left to the list.
func (d *detailArea) layout(w, h int) (lw, lh int) {
	d.place = placeFor(w, h)
	aw, ah := w, h
	switch {
	case d.full() || d.place == detailOver:
		lw, lh = w, h
	case d.place == detailBeside:
		lw = min(max(w*2/5, 60), w/2)
		lh, aw = h, w-lw
	default:
		lh = min(max(h*2/5, 12), h/2)
		lw, ah = w, h-lh
	}
	d.width, d.height = aw, ah
	for _, t := range d.tabs {
		t.SetSize(d.tabSize(t))
	}
	return lw, lh
}

// bodySize is the size of a tab's body: inside the frame, below the strip.
func (d *detailArea) bodySize() (int, int) { return max(d.width-2, 0), max(d.height-3, 0) }

// tabSize is the size t is given: its body, or below the strip with its
// own frame.
func (d *detailArea) tabSize(t detailTab) (int, int) {
	if f, ok := t.(framedTab); ok && f.ownFrame() {
		return d.width, max(d.height-1, 0)
	}
	return d.bodySize()
}

// sync follows the selection and the visibility: it closes what went off
// screen and, after a rest, opens the tabs of a new selection.
func (d *detailArea) sync() tea.Cmd {
	if !d.visible() {
		d.closeActive()
		return nil
	}
	if k := d.selected(); k != d.key {
		d.drop()
		d.key = k
		if k == "" {
			return nil
		}
		if d.env.detailRest <= 0 {
			return d.load()
		}
		d.seq++
		seq := d.seq
		return tea.Tick(d.env.detailRest, func(time.Time) tea.Msg { return detailSelectMsg{area: d, seq: seq} })
	}
	return d.openActive()
}

// drop closes the tabs and forgets them.
func (d *detailArea) drop() {
	d.closeActive()
	d.tabs, d.name, d.active = nil, "", 0
}

// load builds the tabs of the selected object now and opens the one
// wanted.
func (d *detailArea) load() tea.Cmd {
	d.drop()
	d.key = d.selected()
	if d.key == "" {
		return nil
	}
	d.name, d.tabs = d.build()
	d.active = 0
	for i, t := range d.tabs {
		if t.Title() == d.want {
			d.active = i
		}
		t.SetSize(d.tabSize(t))
	}
	return d.openActive()
}

func (d *detailArea) openActive() tea.Cmd {
	if d.opened || d.active >= len(d.tabs) || !d.visible() {
		return nil
	}
	d.opened = true
	return d.tabs[d.active].Open()
}

func (d *detailArea) closeActive() {
	if d.opened && d.active < len(d.tabs) {
		d.tabs[d.active].Close()
	}
	d.opened = false
}

// show switches to tab i.
func (d *detailArea) show(i int) tea.Cmd {
	if i < 0 || i >= len(d.tabs) || (i == d.active && d.opened) {
		return nil
	}
	d.closeActive()
	d.active = i
	d.want = d.tabs[i].Title()
	return d.openActive()
}

// focus gives the area the keys, on the tab titled title ("" for the one
// shown last), with the tabs of the selected object.
func (d *detailArea) focus(title string) tea.Cmd {
	d.focused = true
	d.hidden = false // asked for: its pane is being shown (:logs NAME from another pane)
	if title != "" {
		d.want = title
	}
	if d.tabs == nil || d.key != d.selected() {
		return d.load()
	}
	for i, t := range d.tabs {
		if t.Title() == d.want {
			return d.show(i)
		}
	}
	return d.openActive()
}

// Update takes the area's messages and gives the rest to its tabs, which
// ignore what is not theirs.
func (d *detailArea) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(detailSelectMsg); ok {
		if m.area != d || m.seq != d.seq || d.tabs != nil || !d.visible() {
			return nil
		}
		return d.load()
	}
	var cmds []tea.Cmd
	for _, t := range d.tabs {
		cmds = append(cmds, t.Update(msg))
	}
	return tea.Batch(cmds...)
}

// capturing: the tab's keys are text now.
func (d *detailArea) capturing() bool {
	return d.focused && d.active < len(d.tabs) && d.tabs[d.active].Capturing()
}

// claims: the focused area takes the app's keys it uses: q goes back;
// [ ] and z are its own, not the session pane's; the numbers pick tabs
// only while it fills the pane (zoomed, or on a small screen), and switch
// panes while the list shows beside or above it.
func (d *detailArea) claims(msg tea.KeyPressMsg) bool {
	if !d.focused {
		return false
	}
	if d.active < len(d.tabs) {
		if c, ok := d.tabs[d.active].(keyClaimer); ok && c.ClaimsKey(msg) {
			return true
		}
	}
	k := d.keys()
	return k.Back.Matches(msg) || (k.Pick.Matches(msg) && d.full()) || k.Next.Matches(msg) || k.Prev.Matches(msg) || k.Zoom.Matches(msg)
}

// handleKey handles a key while the area has the focus: a tab typing
// text takes every key; else the area's tab keys ([ ] 1-9 z) come first,
// then the tab's, then esc/q go back. Other keys do nothing: the list does
// not move behind the area.
func (d *detailArea) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	var tab detailTab
	if d.active < len(d.tabs) {
		tab = d.tabs[d.active]
	}
	if tab != nil && tab.Capturing() {
		cmd, _ := tab.Key(msg)
		return cmd
	}
	k := d.keys()
	switch {
	case k.Next.Matches(msg), k.Prev.Matches(msg), k.Pick.Matches(msg):
		return d.switchKey(msg)
	case k.Zoom.Matches(msg):
		d.zoomed = !d.zoomed
		return nil
	}
	if tab != nil {
		if cmd, handled := tab.Key(msg); handled {
			return cmd
		}
	}
	if k.Back.Matches(msg) {
		if d.zoomed && d.place != detailOver {
			d.zoomed = false
			return nil
		}
		d.focused, d.zoomed = false, false
		return d.sync()
	}
	return nil
}

// switchKey handles [ ] and the tab numbers; the docked area takes [ and ]
// while the list has the focus too.
func (d *detailArea) switchKey(msg tea.KeyPressMsg) tea.Cmd {
	k, n := d.keys(), len(d.tabs)
	switch {
	case n == 0:
	case k.Next.Matches(msg):
		return d.show((d.active + 1) % n)
	case k.Prev.Matches(msg):
		return d.show((d.active + n - 1) % n)
	case k.Pick.Matches(msg) && d.full():
		return d.show(pickIndex(k.Pick, msg))
	}
	return nil
}

// listKey is a key pressed while the list has the focus: [ and ] switch
// the docked area's tabs, z zooms into it. It reports whether it took it.
func (d *detailArea) listKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := d.keys()
	if d.place == detailOver || d.tabs == nil {
		return nil, false
	}
	switch {
	case k.Next.Matches(msg), k.Prev.Matches(msg):
		return d.switchKey(msg), true
	case k.Zoom.Matches(msg):
		d.focused, d.zoomed = true, true
		return d.openActive(), true
	}
	return nil, false
}

// View draws the area: a frame named after the object, the tab strip, the
// open tab.
func (d *detailArea) View() string {
	st := d.env.Styles
	bw, _ := d.bodySize()
	if d.tabs == nil {
		text := " Nothing selected."
		if d.key != "" {
			text = ""
		}
		return ui.Frame(st, "Details", "", d.focused, st.Table.Empty.Render(text), d.width, d.height)
	}
	titles := make([]string, len(d.tabs))
	for i, t := range d.tabs {
		titles[i] = t.Title()
	}
	tab := d.tabs[d.active]
	if f, ok := tab.(framedTab); ok && f.ownFrame() {
		w, h := d.tabSize(tab)
		return ui.TabStrip(st, titles, d.active, d.width) + "\n" + ui.Block(tab.View(), w, h)
	}
	var info []string
	if ti, ok := tab.(tabInfo); ok {
		if s := ti.Info(); s != "" {
			info = append(info, s)
		}
	}
	if d.full() && d.zoomed && d.place != detailOver {
		info = append(info, "zoomed")
	}
	body := ui.TabStrip(st, titles, d.active, bw) + "\n" + tab.View() // the frame fits it to the inside
	return ui.Frame(st, d.name, strings.Join(info, " · "), d.focused, body, d.width, d.height)
}

// copier is the focused tab, when it has something to copy (y).
func (d *detailArea) copier() (copier, bool) {
	if d == nil || !d.focused || d.active >= len(d.tabs) {
		return nil, false
	}
	c, ok := d.tabs[d.active].(copier)
	return c, ok
}

// inside reports whether (x, y) of a pane of w×h is on the area.
func (d *detailArea) inside(w, h, x, y int) bool {
	switch {
	case d == nil || !d.visible():
		return false
	case d.full():
		return true
	case d.place == detailBelow:
		return y >= h-d.height
	}
	return x >= w-d.width
}

// KeyGroups are the open tab's keys, then the area's.
func (d *detailArea) KeyGroups() []ui.KeyGroup {
	var groups []ui.KeyGroup
	if d.active < len(d.tabs) {
		groups = append(groups, d.tabs[d.active].KeyGroups()...)
	}
	k := d.keys()
	zoom, pick := k.Zoom, k.Pick
	if d.place == detailOver {
		zoom.SetDisabled("the details fill the screen")
	}
	if !d.full() {
		pick.SetDisabled("zoom first (" + k.Zoom.Help().Key + ")")
	}
	return append(groups, ui.KeyGroup{Title: "Details", Keys: []ui.Binding{k.Next, k.Prev, pick, zoom, k.Back}})
}

// dockedGroup is the help column of the docked area's keys while the list
// has the focus: [ ] switch its tabs, z zooms into it.
func (d *detailArea) dockedGroup() (ui.KeyGroup, bool) {
	if d == nil || d.focused || d.place == detailOver {
		return ui.KeyGroup{}, false
	}
	k := d.keys()
	zoom := k.Zoom
	zoom.SetHelp(k.Zoom.Help().Key, "zoom into the details")
	// While a session is open, the list's [ ] z are the session pane's.
	next, prev := k.Next, k.Prev
	next.SetHelp(next.Help().Key, "next tab (no session open)")
	prev.SetHelp(prev.Help().Key, "previous tab (no session open)")
	return ui.KeyGroup{Title: "Details", Keys: []ui.Binding{next, prev, zoom}}, true
}

// ShortHelp are the tab's keys and the area's, for the status bar.
func (d *detailArea) ShortHelp() []ui.Binding {
	out := []ui.Binding{d.keys().Back}
	if d.active < len(d.tabs) {
		for _, b := range d.tabs[d.active].ShortHelp() {
			if b.Help().Key != d.keys().Back.Help().Key { // the tab's own back is the area's
				out = append(out, b)
			}
		}
	}
	out = append(out, d.keys().Next)
	if d.place != detailOver {
		out = append(out, d.keys().Zoom)
	}
	return out
}
