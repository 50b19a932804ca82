package views

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine/events"
	"berth/engine/image"
	"berth/engine/progress"
	"berth/themes"
	"berth/ui"
)

// pull is one pull started from the UI, with what its stream has told.
type pull struct {
	id      int
	ref     string // as the user typed it
	cancel  context.CancelFunc
	tracker *pullTracker
	then    tea.Msg // delivered once the pull has succeeded

	version  uint64
	layers   []*layerView
	byID     map[string]*layerView
	messages []string

	started, finished time.Time
	done              bool
	result            image.PullResult
	err               error
}

// apply takes in a snapshot; older snapshots than the one applied are
// ignored (a progress message may arrive after the done message).
func (p *pull) apply(s pullSnapshot) {
	if s.Version < p.version {
		return
	}
	p.version = s.Version
	for _, u := range s.Layers {
		l := p.byID[u.ID]
		if l == nil {
			l = &layerView{ID: u.ID}
			p.byID[u.ID] = l
			p.layers = append(p.layers, l)
		}
		l.apply(u)
	}
	p.messages = s.Messages
}

// Fraction is how far the whole pull is, 0..1, layers weighted by size.
func (p *pull) Fraction() float64 {
	if p.done && p.err == nil {
		return 1
	}
	if len(p.layers) == 0 {
		return 0
	}
	var known, sizes int64
	for _, l := range p.layers {
		if l.Size > 0 {
			known++
			sizes += l.Size
		}
	}
	avg := 1.0
	if known > 0 {
		avg = float64(sizes) / float64(known)
	}
	var done, total float64
	for _, l := range p.layers {
		w := avg
		if l.Size > 0 {
			w = float64(l.Size)
		}
		done += w * l.Fraction()
		total += w
	}
	return done / total
}

// Speed is the sum of the layers' download speeds.
func (p *pull) Speed() float64 {
	var s float64
	for _, l := range p.layers {
		if l.State == progress.Downloading {
			s += l.Speed
		}
	}
	return s
}

// shortRef is the name the status bar uses: the last path element, without
// ":latest" — "busybox", "big", "alpine:3.19".
func shortRef(ref string) string {
	s := path.Base(ref)
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ":latest")
}

// Messages of the pulls component.
type (
	// startPullMsg asks for a pull of Ref (sent by the pull dialog, and by
	// the run dialog for a missing image). Then, if set, is delivered once
	// the pull has succeeded: what was waiting for the image goes on.
	startPullMsg struct {
		Ref  string
		Then tea.Msg
	}
	// pullDoneMsg says PullImage returned for pull ID.
	pullDoneMsg struct {
		ID     int
		Result image.PullResult
		Err    error
		Snap   pullSnapshot
	}
	// pullExpiredMsg says pull ID has been over long enough to leave the dock.
	pullExpiredMsg struct{ ID int }
)

// dockLinger is how long a finished pull stays in the dock.
const dockLinger = 10 * time.Second

// pullsView runs pulls in the background and shows them: docked under the
// current pane while they run, and as a full panel (key P) with all of this
// session's pulls, where a running one can be cancelled.
type pullsView struct {
	env    *env
	keys   pullsKeys
	pulls  []*pull // oldest first
	nextID int

	selected      int // index in pulls, in the panel
	width, height int
}

type pullsKeys struct {
	Cancel, Clear, Close ui.Binding
}

func newPulls(e *env) *pullsView {
	return &pullsView{env: e, keys: pullsKeys{
		Cancel: ui.Bind("x", "cancel pull", "x"),
		Clear:  ui.Bind("c", "clear finished", "c"),
		Close:  ui.Bind("esc/P", "close", "esc", "P"),
	}}
}

// Start begins pulling ref and returns the commands that run it and follow
// its progress; then is delivered when it has succeeded.
func (ps *pullsView) Start(ref string, then tea.Msg) tea.Cmd {
	ps.nextID++
	ctx, cancel := context.WithCancel(ps.env.ctx)
	p := &pull{id: ps.nextID, ref: ref, cancel: cancel, tracker: newPullTracker(), then: then,
		byID: map[string]*layerView{}, started: ps.env.now()}
	ps.pulls = append(ps.pulls, p)
	ps.selected = len(ps.pulls) - 1
	eng, id, t := ps.env.eng, p.id, p.tracker
	run := func() tea.Msg {
		res, err := eng.PullImage(ctx, ref, image.PullOptions{Progress: t.Func})
		t.finish()
		cancel()
		return pullDoneMsg{ID: id, Result: res, Err: err, Snap: t.snapshot()}
	}
	return tea.Batch(run, waitProgress(id, t, progressInterval))
}

func (ps *pullsView) find(id int) *pull {
	for _, p := range ps.pulls {
		if p.id == id {
			return p
		}
	}
	return nil
}

// Update handles the pulls' messages.
func (ps *pullsView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case startPullMsg:
		return tea.Batch(ps.Start(msg.Ref, msg.Then), ui.Infof("Pulling %s…", msg.Ref))
	case pullProgressMsg:
		p := ps.find(msg.ID)
		if p == nil {
			return nil
		}
		p.apply(msg.Snap)
		if p.done {
			return nil
		}
		return waitProgress(p.id, p.tracker, progressInterval)
	case pullDoneMsg:
		p := ps.find(msg.ID)
		if p == nil {
			return nil
		}
		p.apply(msg.Snap)
		p.done, p.result, p.err, p.finished = true, msg.Result, msg.Err, ps.env.now()
		expire := tea.Tick(dockLinger, func(time.Time) tea.Msg { return pullExpiredMsg{ID: p.id} })
		refresh := func() tea.Msg { return changedMsg{Type: events.TypeImage} }
		var then tea.Cmd
		if p.err == nil && p.then != nil {
			msg := p.then
			then = func() tea.Msg { return msg }
		}
		return tea.Batch(ui.Status(pullStatus(p)), refresh, expire, then)
	case pullExpiredMsg:
		return nil // the dock is laid out again after every message
	}
	return nil
}

// pullStatus is the status bar line for a finished pull.
func pullStatus(p *pull) (ui.Level, string) {
	name := p.ref
	if p.result.Ref != "" {
		name = image.Familiar(p.result.Ref)
	}
	switch {
	case errors.Is(p.err, context.Canceled):
		return ui.LevelInfo, "Pull of " + p.ref + " cancelled"
	case p.err != nil:
		return ui.LevelError, p.err.Error()
	case p.result.UpToDate:
		return ui.LevelSuccess, "Image is up to date for " + name
	}
	return ui.LevelSuccess, "Pulled " + name
}

// Running is the number of pulls not finished.
func (ps *pullsView) Running() int {
	n := 0
	for _, p := range ps.pulls {
		if !p.done {
			n++
		}
	}
	return n
}

// Busy is the status bar's summary of running pulls:
// "⇣ 2 pulls: busybox 45% · big 12%".
func (ps *pullsView) Busy() string {
	var parts []string
	for _, p := range ps.pulls {
		if !p.done {
			parts = append(parts, fmt.Sprintf("%s %d%%", shortRef(p.ref), int(p.Fraction()*100)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "⇣ " + plural(len(parts), "pull") + ": " + strings.Join(parts, " · ")
}

// docked are the pulls the dock shows: running ones and those finished in
// the last dockLinger.
func (ps *pullsView) docked() []*pull {
	var out []*pull
	now := ps.env.now()
	for _, p := range ps.pulls {
		// A cancelled pull leaves at once: its last progress must not
		// look live.
		if !p.done || now.Sub(p.finished) < dockLinger && !errors.Is(p.err, context.Canceled) {
			out = append(out, p)
		}
	}
	return out
}

// DockHeight is the height the dock wants in a window of height h (frame
// included): 0 when there is nothing to show, never more than a third of h.
func (ps *pullsView) DockHeight(h int) int {
	want := 0
	for _, p := range ps.docked() {
		want += 1 + len(p.layers)
	}
	if want == 0 {
		return 0
	}
	return min(want+2, max(h/3, 5))
}

// DockView draws the docked pulls in a frame of w×h.
func (ps *pullsView) DockView(w, h int) string {
	pulls := ps.docked()
	running := 0
	for _, p := range pulls {
		if !p.done {
			running++
		}
	}
	info := "P: all pulls"
	if running > 0 {
		info = itoa(running) + " running · " + info
	}
	lines := dockLines(ps.env.Styles, pulls, w-4, h-2)
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return ui.Frame(ps.env.Styles, "Pulls", info, false, strings.Join(lines, "\n"), w, h)
}

// SetSize sets the size of the panel.
func (ps *pullsView) SetSize(w, h int) { ps.width, ps.height = w, h }

// KeyGroups are the panel's keys.
func (ps *pullsView) KeyGroups() []ui.KeyGroup {
	k := ps.keys
	k.Cancel.SetDisabled("")
	if p := ps.selectedPull(); p == nil || p.done {
		k.Cancel.SetDisabled("no running pull selected")
	}
	return []ui.KeyGroup{{Title: "Pulls", Keys: []ui.Binding{k.Cancel, k.Clear, k.Close}}}
}

func (ps *pullsView) selectedPull() *pull {
	if ps.selected < 0 || ps.selected >= len(ps.pulls) {
		return nil
	}
	return ps.pulls[ps.selected]
}

// PanelUpdate handles keys in the pulls panel; closed reports that the
// panel should close.
func (ps *pullsView) PanelUpdate(msg tea.KeyPressMsg) (cmd tea.Cmd, closed bool) {
	km := ps.env.Keys
	switch {
	case ps.keys.Close.Matches(msg):
		return nil, true
	case km.Up.Matches(msg):
		ps.selected = max(ps.selected-1, 0)
	case km.Down.Matches(msg):
		ps.selected = min(ps.selected+1, len(ps.pulls)-1)
	case km.Top.Matches(msg):
		ps.selected = 0
	case km.Bottom.Matches(msg):
		ps.selected = len(ps.pulls) - 1
	case ps.keys.Cancel.Matches(msg):
		p := ps.selectedPull()
		if p == nil || p.done {
			return ui.Infof("x: no running pull selected"), false
		}
		p.cancel()
		return ui.Infof("Cancelling pull of %s…", p.ref), false
	case ps.keys.Clear.Matches(msg):
		var keep []*pull
		for _, p := range ps.pulls {
			if !p.done {
				keep = append(keep, p)
			}
		}
		ps.pulls = keep
		ps.selected = min(ps.selected, len(keep)-1)
	}
	return nil, false
}

// PanelView draws every pull of the session, the selected one marked,
// scrolled so that it is in view; exactly width×height.
func (ps *pullsView) PanelView() string {
	st := ps.env.Styles
	inner := ps.width - 2
	var lines []string
	selTop := 0
	for i, p := range ps.pulls {
		if i == ps.selected {
			selTop = len(lines)
		}
		block := pullLines(st, p, inner-3)
		for j, l := range block {
			mark := "  "
			if i == ps.selected && j == 0 {
				mark = st.Accent.Render("▌ ")
			}
			lines = append(lines, mark+l)
		}
	}
	if len(lines) == 0 {
		lines = []string{st.Table.Empty.Render(" No pulls yet. Press p in the Images pane to pull an image.")}
	}
	vis := max(ps.height-2, 1)
	off := 0
	if selTop >= vis {
		off = selTop - vis/3
	}
	off = min(off, max(len(lines)-vis, 0))
	lines = lines[off:]
	info := ""
	if n := ps.Running(); n > 0 {
		info = itoa(n) + " running"
	}
	return ui.Frame(st, "Pulls", info, true, strings.Join(lines, "\n"), ps.width, ps.height)
}

// pullLines are the header line of p and one line per layer.
func pullLines(st *themes.Styles, p *pull, width int) []string {
	out := []string{pullHeader(st, p, width)}
	sw := stateWidth(p.layers)
	for _, l := range p.layers {
		out = append(out, "  "+layerLine(st, l, sw, width-2))
	}
	return out
}

// pullHeader is "busybox  Downloading 2/3 layers  45%  8.5 MB/s", or the
// outcome once the pull is over.
func pullHeader(st *themes.Styles, p *pull, width int) string {
	ref := st.Progress.Ref.Render(p.ref)
	var rest string
	switch {
	case errors.Is(p.err, context.Canceled):
		rest = st.Warning.Render("cancelled")
	case p.err != nil:
		rest = st.Progress.Failed.Render("✗ " + oneLine(p.err.Error()))
	case p.done:
		msg := "✓ done"
		for _, m := range p.messages {
			if strings.HasPrefix(m, "Status: ") {
				msg = "✓ " + strings.TrimPrefix(m, "Status: ")
			}
		}
		if len(p.messages) == 0 && p.result.UpToDate {
			msg = "✓ Image is up to date"
		}
		if took := p.finished.Sub(p.started); took >= 100*time.Millisecond {
			msg += " in " + took.Round(100*time.Millisecond).String()
		}
		rest = st.Progress.Done.Render(msg)
	default:
		finished := 0
		for _, l := range p.layers {
			if l.State.Final() {
				finished++
			}
		}
		s := fmt.Sprintf("%d%%", int(p.Fraction()*100))
		if len(p.layers) > 0 {
			s += fmt.Sprintf("  %d/%s", finished, plural(len(p.layers), "layer"))
		} else {
			s += "  resolving…"
		}
		if sp := humanSpeed(p.Speed()); sp != "" {
			s += "  " + sp
		}
		rest = st.Progress.Active.Render(s)
	}
	return ui.Fit(ref+"  "+rest, width)
}

// dockLines fits the docked pulls in budget lines of width: every pull keeps
// its header; layers are shown by priority (moving ones, then waiting ones,
// then failed, then finished ones) in their own order, and a pull whose
// layers do not all fit says how many are hidden.
func dockLines(st *themes.Styles, pulls []*pull, width, budget int) []string {
	if budget <= 0 {
		return nil
	}
	if len(pulls) > budget {
		pulls = pulls[len(pulls)-budget:] // the newest pulls
	}
	left := budget - len(pulls)
	show := make([]map[*layerView]bool, len(pulls))
	for i := range show {
		show[i] = map[*layerView]bool{}
	}
	rank := func(l *layerView) int {
		switch {
		case hasBar(l.State) || l.State == progress.Verifying:
			return 0
		case l.State == progress.Waiting:
			return 1
		case l.State == progress.Failed:
			return 2
		}
		return 3
	}
	for r := 0; r <= 3 && left > 0; r++ {
		for i, p := range pulls {
			for _, l := range p.layers {
				if left > 0 && rank(l) == r {
					show[i][l] = true
					left--
				}
			}
		}
	}
	var out []string
	for i, p := range pulls {
		header := pullHeader(st, p, width)
		if hidden := len(p.layers) - len(show[i]); hidden > 0 {
			more := fmt.Sprintf(" +%d more", hidden)
			header = pullHeader(st, p, width-len(more)) + st.Muted.Render(more)
		}
		out = append(out, header)
		sw := stateWidth(p.layers)
		for _, l := range p.layers {
			if show[i][l] {
				out = append(out, "  "+layerLine(st, l, sw, width-2))
			}
		}
	}
	return out
}
