package views

import (
	"context"
	"errors"
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine"
	"berth/ui"
)

// logHistoryEngine is the engine's ability (checked with a type assertion;
// *engine.Engine has it) to read a container's whole retained log by
// position, which the log view needs.
type logHistoryEngine interface {
	ContainerLogHistory(ctx context.Context, ref string) (engine.LogHistory, error)
}

// logsView is the Logs tab of a container: the whole retained log, of
// which it holds only a window of entries around the screen (logs_window.go),
// read from the engine's index of the log in commands. It follows the end
// while at the bottom (f toggles; scrolling up stops it, G resumes it),
// searches the whole log (/, n, N: logs_search.go), wraps (w), shows
// timestamps (t) and the program's colours (c), shows all or the tail or
// since a time (s), and saves what it shows to a file (S: logs_save.go).
type logsView struct {
	env         *env
	ctrID, name string
	keys        logsKeys

	seq  int      // of the opening: messages of an older one are dropped
	conn *logConn // the open history; nil while closed
	err  error    // the log could not be opened or read

	first, end int  // the history's bounds as last seen
	ended      bool // the container's log is complete
	shown      logShown
	lo         int // the first entry shown: first, or the tail or since choice

	win     logWindow
	top     int // the entry at the top of the screen
	topRow  int // its rows above the screen (wrap)
	xoff    int // cells scrolled sideways (no wrap)
	follow  bool
	reading bool // a read of entries is under way
	quiet   int  // looks at the log in a row that found nothing new

	wrap, timestamps, colours bool

	search logSearch
	prompt *logPrompt // the save or show prompt, when open

	width, height int
}

// newLogsTab is the Logs tab of container ctrID (shown as name); Open
// starts reading its log.
func newLogsTab(e *env, ctrID, name string) *logsView {
	keys := defaultLogsKeys()
	if e.logKeys != nil {
		keys = *e.logKeys // as the config file rebound them
	}
	return &logsView{env: e, ctrID: ctrID, name: name, follow: true, colours: true, search: logSearch{cur: -1}, keys: keys}
}

// Title is the tab's name.
func (v *logsView) Title() string { return "Logs" }

// Open opens the log and starts following it.
func (v *logsView) Open() tea.Cmd {
	v.Close()
	v.seq++
	v.err, v.ended, v.reading = nil, false, false
	v.first, v.end, v.lo, v.top, v.topRow = 0, 0, 0, 0, 0
	v.win = logWindow{}
	v.follow = true
	v.search.clear()
	eng, ok := v.env.eng.(logHistoryEngine)
	if !ok {
		v.err = errors.New("this engine cannot read logs by position")
		return nil
	}
	v.conn = newLogConn(v.env.ctx)
	return v.conn.open(v, v.seq, eng, v.ctrID)
}

// Close lets go of the log and stops what is under way.
func (v *logsView) Close() {
	if v.conn != nil {
		v.conn.close()
		v.conn = nil
	}
	v.search.stop()
	v.seq++ // late messages of this opening are dropped
}

// Capturing: a search or a prompt being typed takes every key.
func (v *logsView) Capturing() bool { return v.search.typing || v.prompt != nil }

// SetSize sets the size of the lines and the prompt: the detail area's
// frame around them says the view's state (Info).
func (v *logsView) SetSize(w, h int) {
	v.width, v.height = w, h
	if v.follow {
		v.toBottom()
	}
	v.clamp()
}

// bodyW and bodyH are the size of the lines' area: the view's, less the
// prompt's line.
func (v *logsView) bodyW() int { return max(v.width, 1) }
func (v *logsView) bodyH() int {
	h := v.height
	if v.search.typing || v.prompt != nil {
		h--
	}
	return max(h, 1)
}

// Update takes the tab's messages; others are ignored.
func (v *logsView) Update(m tea.Msg) tea.Cmd {
	msg, ok := m.(logsTabMsg)
	if !ok || msg.logsTab() != v {
		return nil
	}
	switch msg := m.(type) {
	case logsOpenedMsg:
		if msg.Seq != v.seq {
			return nil
		}
		if msg.Err != nil {
			v.err = msg.Err
			return ui.ErrorStatus(msg.Err)
		}
		v.setBounds(msg.Bounds)
		return tea.Batch(v.ensure(), v.poll())
	case logsPolledMsg:
		if msg.Seq != v.seq {
			return nil
		}
		if msg.Err != nil && v.err == nil {
			v.err = msg.Err
			return tea.Batch(ui.ErrorStatus(msg.Err), v.poll())
		}
		grew := msg.Bounds.End != v.end
		v.setBounds(msg.Bounds)
		if grew {
			v.quiet = 0
		} else {
			v.quiet++
		}
		return tea.Batch(v.ensure(), v.poll())
	case logsReadMsg:
		if msg.Seq != v.seq {
			return nil
		}
		v.reading = false
		if msg.Err != nil {
			v.err = msg.Err
			return ui.ErrorStatus(msg.Err)
		}
		v.win.take(msg.From, msg.Lines, v.top, v.holdMax())
		if v.follow {
			v.toBottom()
		}
		return v.ensure()
	case logsFoundMsg:
		return v.found(msg)
	case logsShownMsg:
		return v.shownAt(msg)
	case logsSavedMsg:
		return v.saved(msg)
	}
	return nil
}

// setBounds takes in the history's bounds: the first entry shown moves
// with rotation, and the view follows the end if it does.
func (v *logsView) setBounds(b logBounds) {
	v.first, v.end, v.ended = b.First, b.End, b.Ended
	v.lo = max(v.shown.lo, v.first)
	if v.follow {
		v.toBottom()
	}
	v.clamp()
}

// Key handles a key; Esc with no search to clear, and q, are left to the
// area that holds the tab (they close it).
func (v *logsView) Key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if v.prompt != nil {
		return v.promptKey(msg), true
	}
	if v.search.typing {
		return v.searchKey(msg), true
	}
	k, km := v.keys, v.env.Keys
	h := v.bodyH()
	switch {
	case k.Back.Matches(msg):
		if msg.String() == "esc" && v.search.pat != "" {
			v.search.clear()
			return nil, true
		}
		return nil, false
	case km.Up.Matches(msg):
		v.scroll(-1)
	case km.Down.Matches(msg):
		v.scroll(1)
	case msg.String() == "pgup" || msg.String() == "b":
		v.scroll(-max(h-1, 1))
	case msg.String() == "pgdown" || msg.String() == "space":
		v.scroll(max(h-1, 1))
	case k.HalfPage.Matches(msg):
		n := max(h/2, 1)
		if msg.String() == "ctrl+u" {
			n = -n
		}
		v.scroll(n)
	case km.PageUp.Matches(msg):
		v.scroll(-max(h-1, 1))
	case km.PageDown.Matches(msg):
		v.scroll(max(h-1, 1))
	case km.Top.Matches(msg):
		v.follow = false
		v.top, v.topRow = v.lo, 0
	case km.Bottom.Matches(msg):
		v.follow = true
		v.toBottom()
	case k.Follow.Matches(msg):
		v.follow = !v.follow
		if v.follow {
			v.toBottom()
		}
	case k.Sideways.Matches(msg):
		if !v.wrap {
			step := max(v.bodyW()/4, 1)
			if msg.String() == "left" || msg.String() == "h" {
				step = -step
			}
			v.xoff = max(v.xoff+step, 0)
		}
	case k.Wrap.Matches(msg):
		v.wrap = !v.wrap
		v.xoff, v.topRow = 0, 0
		v.reposition()
	case k.Timestamps.Matches(msg):
		v.timestamps = !v.timestamps
		v.topRow = 0
		v.reposition()
	case k.Colours.Matches(msg):
		v.colours = !v.colours
		if v.colours {
			return tea.Batch(v.ensure(), ui.Infof("Logs: the program's colours are kept")), true
		}
		return tea.Batch(v.ensure(), ui.Infof("Logs: the program's colours are stripped")), true
	case k.Search.Matches(msg):
		v.search.begin(v.env)
		v.clamp()
		return textinput.Blink, true
	case k.Next.Matches(msg):
		return v.next(false), true
	case k.Prev.Matches(msg):
		return v.next(true), true
	case k.Show.Matches(msg):
		v.openShowPrompt()
		return nil, true
	case k.Save.Matches(msg):
		v.openSavePrompt()
		return nil, true
	default:
		return nil, false
	}
	return v.ensure(), true
}

// reposition keeps the view at the end when following, after a change of
// how many rows lines take.
func (v *logsView) reposition() {
	if v.follow {
		v.toBottom()
	}
	v.clamp()
}

// View draws the frame with the visible lines and, under them, the search
// or the prompt being typed. The frame says whether the view follows,
// where it is in how many lines, and what is on.
func (v *logsView) View() string {
	st := v.env.Styles
	rows := v.visibleRows()
	body := strings.Join(rows, "\n")
	switch {
	case v.err != nil && len(rows) == 0:
		body = st.Error.Render(" " + v.err.Error())
	case v.conn != nil && !v.conn.opened() && v.err == nil:
		body = st.Log.Notice.Render(" Opening the log…")
	case v.end <= v.lo:
		msg := " No output yet."
		if v.ended {
			msg = " No output."
		}
		if v.shown.kind != showAll {
			msg += " (" + v.shown.String() + "; s shows all)"
		}
		body = st.Log.Notice.Render(msg)
	}
	if v.search.typing || v.prompt != nil {
		body = ui.Block(body, v.bodyW(), v.bodyH()) + "\n" + v.inputLine()
	}
	return ui.Block(body, v.width, v.height)
}

// Info is the view's state for the area's frame: the state, the position,
// what is on. Parts that do not fit go, the least needed first.
func (v *logsView) Info() string {
	type part struct {
		text string
		drop int // 0: kept; higher goes first
	}
	var parts []part
	switch {
	case v.err != nil:
		parts = append(parts, part{"failed", 0})
	case v.ended:
		parts = append(parts, part{"ended", 0})
	case v.follow:
		parts = append(parts, part{"following", 0})
	default:
		parts = append(parts, part{"paused", 0}, part{"G follows", 4})
	}
	if v.search.busy {
		parts = append(parts, part{"searching…", 0})
	}
	n := v.end - v.lo
	if n > 0 {
		a, b := v.top-v.lo+1, v.lastShown()-v.lo+1
		parts = append(parts, part{commas(a) + "–" + commas(b) + " of " + commas(n) + " lines", 0})
	} else {
		parts = append(parts, part{"0 lines", 0})
	}
	if v.shown.kind != showAll {
		parts = append(parts, part{v.shown.String(), 1})
	}
	if v.search.pat != "" {
		parts = append(parts, part{v.search.status(), 2})
	}
	if v.wrap {
		parts = append(parts, part{"wrap", 3})
	}
	avail := v.width - (ui.Width(v.name) + 3) - 3 // the frame's "─ name ─…─ info ─", 2 wider than the view
	join := func() string {
		var out []string
		for _, p := range parts {
			out = append(out, p.text)
		}
		return strings.Join(out, " · ")
	}
	for drop := 4; drop > 0 && ui.Width(join()) > avail; drop-- {
		parts = slices.DeleteFunc(parts, func(p part) bool { return p.drop == drop })
	}
	return join()
}

// commas writes n with thousands separators: 200,000.
func commas(n int) string {
	s := itoa(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// KeyGroups are the view's keys, for help.
func (v *logsView) KeyGroups() []ui.KeyGroup {
	k := v.keys
	return []ui.KeyGroup{
		{Title: "Logs", Keys: []ui.Binding{k.Scroll, k.Page, k.HalfPage, k.Ends, k.Sideways, k.Follow, k.Back}},
		{Title: "Log tools", Keys: []ui.Binding{k.Search, k.Next, k.Prev, k.Wrap, k.Timestamps, k.Colours, k.Show, k.Save}},
	}
}

// ShortHelp are the keys the status bar suggests.
func (v *logsView) ShortHelp() []ui.Binding {
	k := v.keys
	if v.search.typing || v.prompt != nil {
		return []ui.Binding{ui.Bind("enter", "ok", "enter"), ui.Bind("esc", "cancel", "esc")}
	}
	return []ui.Binding{k.Back, k.Search, k.Follow, k.Wrap, k.Show, k.Save}
}

// ClaimsKey: q goes back here, it does not quit; while a search or a
// prompt is typed every key is text.
func (v *logsView) ClaimsKey(msg tea.KeyPressMsg) bool {
	return v.Capturing() || v.keys.Back.Matches(msg)
}

// visibleRows are the rows on screen: from the top entry on, wrapped or
// cut sideways; an entry not read yet is a dim placeholder.
func (v *logsView) visibleRows() []string {
	h, w := v.bodyH(), v.bodyW()
	r := v.renderer()
	var out []string
	skip := v.topRow
	for i := v.top; i < v.end && len(out) < h; i++ {
		l, ok := v.win.get(i)
		if !ok {
			out = append(out, v.env.Styles.Log.Notice.Render(" …"))
			skip = 0
			continue
		}
		r.current = i == v.search.cur
		drawn := r.render(l)
		if !v.wrap {
			out = append(out, ansi.Cut(drawn, v.xoff, v.xoff+w))
			continue
		}
		n := rowsOf(drawn, w)
		for k := skip; k < n && len(out) < h; k++ {
			out = append(out, ansi.Cut(drawn, k*w, (k+1)*w))
		}
		skip = 0
	}
	return out
}

// renderer draws lines as the view's toggles say.
func (v *logsView) renderer() logRender {
	return logRender{st: v.env.Styles, timestamps: v.timestamps, colours: v.colours,
		search: v.search.pat, fold: v.search.fold}
}
