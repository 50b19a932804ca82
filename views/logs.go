package views

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine/monitor"
	"berth/themes"
	"berth/ui"
)

// Limits of the log view.
const (
	logTail          = 500  // lines of history asked for when the view opens
	logKeep          = 5000 // lines kept; older ones are dropped
	logBatch         = 1000 // lines per message at most
	logBatchInterval = 30 * time.Millisecond
	logBuffer        = 1024 // lines the stream holds before the reader waits
)

// logLine is one line of a container's log, owned by the UI.
type logLine struct {
	Stderr bool
	Time   time.Time
	Text   string
}

// logStream carries the lines ContainerLogs reads, from its goroutine to the
// UI: the sink copies each line into the channel (waiting when the UI lags
// behind, which slows the reader, never the container) and the channel is
// closed when ContainerLogs returns, err set before.
type logStream struct {
	lines chan logLine
	err   error
}

// logsMsg is a batch of lines of a tab's stream Seq; Done says the stream
// ended.
type logsMsg struct {
	Tab   *logsView
	Seq   int
	Lines []logLine
	Done  bool
	Err   error
}

// logsTabMsg is every message of a log tab: the tab it belongs to says
// who takes it.
type logsTabMsg interface{ logsTab() *logsView }

func (m logsMsg) logsTab() *logsView { return m.Tab }

// startLogs returns the stream of ref's log and the command that fills it:
// ContainerLogs following from the last logTail lines, until ctx ends or the
// container stops.
func startLogs(ctx context.Context, eng Engine, ref string) (*logStream, tea.Cmd) {
	s := &logStream{lines: make(chan logLine, logBuffer)}
	opts := monitor.LogOptions{Follow: true, Tail: logTail}
	run := func() tea.Msg {
		err := eng.ContainerLogs(ctx, ref, opts, func(e monitor.LogEntry) error {
			l := logLine{Stderr: e.Stream == "stderr", Time: e.Time, Text: cleanLogLine(e.Line)}
			select {
			case s.lines <- l:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		s.err = err
		close(s.lines)
		return nil
	}
	return s, run
}

// waitLogs waits for the next line of s, gathers those that follow for a
// moment, and returns them as one message; the log view issues it again
// after each message until the stream is done.
func waitLogs(v *logsView, s *logStream) tea.Cmd {
	id := v.seq
	return func() tea.Msg {
		first, ok := <-s.lines
		if !ok {
			return logsMsg{Tab: v, Seq: id, Done: true, Err: s.err}
		}
		batch := []logLine{first}
		timer := time.NewTimer(logBatchInterval)
		defer timer.Stop()
		for len(batch) < logBatch {
			select {
			case l, ok := <-s.lines:
				if !ok {
					return logsMsg{Tab: v, Seq: id, Lines: batch, Done: true, Err: s.err}
				}
				batch = append(batch, l)
			case <-timer.C:
				return logsMsg{Tab: v, Seq: id, Lines: batch}
			}
		}
		return logsMsg{Tab: v, Seq: id, Lines: batch}
	}
}

// cleanLogLine makes a line of output safe to draw: escape sequences and
// control characters go, tabs become spaces, a trailing newline is cut.
func cleanLogLine(b []byte) string {
	s := strings.TrimRight(string(b), "\r\n")
	if strings.ContainsRune(s, '\x1b') {
		s = ansi.Strip(s)
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) < 0 {
		return s
	}
	var b2 strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b2.WriteString("    ")
		case r < ' ' || r == 0x7f:
		default:
			b2.WriteRune(r)
		}
	}
	return b2.String()
}

// logsView follows one container's log in a scrolling viewport. It follows
// the end while the view is at the bottom; scrolling up stops that, G or
// end resumes it. Esc or q closes it and ends the stream.
type logsView struct {
	env    *env
	seq    int // of the stream, so that a closed stream's late batches are dropped
	ctrID  string
	name   string
	cancel context.CancelFunc
	stream *logStream
	keys   logsKeys

	lines      []logLine
	rendered   []string // lines as drawn, one per line
	dropped    int      // lines dropped for memory
	follow     bool
	timestamps bool
	ended      bool
	err        error

	vp            viewport.Model
	width, height int
}

type logsKeys struct {
	Scroll, Page, Ends, Sideways, Timestamps, Back ui.Binding
}

// newLogsTab is the Logs tab of container ctrID (shown as name); Open
// starts its stream.
func newLogsTab(e *env, ctrID, name string) *logsView {
	v := &logsView{env: e, ctrID: ctrID, name: name, follow: true,
		vp: viewport.New(),
		keys: logsKeys{
			Scroll:     ui.Bind("↑↓/jk", "scroll (up stops following)", "up", "down", "j", "k"),
			Page:       ui.Bind("pgup/pgdn", "page", "pgup", "pgdown", "ctrl+u", "ctrl+d", "b", "f", "space"),
			Ends:       ui.Bind("g/G", "top / bottom and follow", "g", "home", "G", "end"),
			Sideways:   ui.Bind("←→/hl", "scroll sideways", "left", "right", "h", "l"),
			Timestamps: ui.Bind("t", "show timestamps", "t").WithShort("timestamps"),
			Back:       ui.Bind("esc/q", "back to the list", "esc", "q").WithShort("back"),
		}}
	v.vp.FillHeight = true
	v.vp.KeyMap.HalfPageUp.SetKeys("ctrl+u")
	v.vp.KeyMap.HalfPageDown.SetKeys("ctrl+d")
	return v
}

// Title is the tab's name.
func (v *logsView) Title() string { return "Logs" }

// Open starts following the log from its last logTail lines.
func (v *logsView) Open() tea.Cmd {
	v.Close()
	v.seq++
	v.lines, v.rendered, v.dropped, v.ended, v.err, v.follow = nil, nil, 0, false, nil, true
	v.vp.SetContentLines(nil)
	ctx, cancel := context.WithCancel(v.env.ctx)
	v.cancel = cancel
	var run tea.Cmd
	v.stream, run = startLogs(ctx, v.env.eng, v.ctrID)
	return tea.Batch(run, waitLogs(v, v.stream))
}

// Close ends the stream.
func (v *logsView) Close() {
	if v.cancel != nil {
		v.cancel()
		v.cancel = nil
	}
}

// Capturing: no key is text in this view.
func (v *logsView) Capturing() bool { return false }

// SetSize sets the size, frame included.
func (v *logsView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.vp.SetWidth(max(w-2, 0))
	v.vp.SetHeight(max(h-2, 0))
	if v.follow {
		v.vp.GotoBottom()
	}
}

// Update takes in a batch of lines; it returns the command that waits for
// the next one. Other messages, and those of a stream closed since, are
// ignored.
func (v *logsView) Update(m tea.Msg) tea.Cmd {
	msg, ok := m.(logsMsg)
	if !ok || msg.Tab != v || msg.Seq != v.seq {
		return nil
	}
	v.append(msg.Lines)
	if msg.Done {
		v.ended = true
		if msg.Err != nil && !errors.Is(msg.Err, context.Canceled) {
			v.err = msg.Err
			return ui.ErrorStatus(msg.Err)
		}
		return nil
	}
	return waitLogs(v, v.stream)
}

// append adds lines, drops the oldest beyond logKeep, and keeps the view
// where it was: at the end while following, else on the same text.
func (v *logsView) append(lines []logLine) {
	if len(lines) == 0 {
		return
	}
	st := v.env.Styles
	v.lines = append(v.lines, lines...)
	for _, l := range lines {
		v.rendered = append(v.rendered, renderLogLine(st, l, v.timestamps))
	}
	drop := len(v.lines) - logKeep
	if drop > 0 {
		v.lines = v.lines[drop:]
		v.rendered = v.rendered[drop:]
		v.dropped += drop
	}
	y := v.vp.YOffset()
	v.vp.SetContentLines(v.rendered)
	if v.follow {
		v.vp.GotoBottom()
	} else {
		v.vp.SetYOffset(max(y-max(drop, 0), 0))
	}
}

// rerender draws every line again (timestamps were switched).
func (v *logsView) rerender() {
	for i, l := range v.lines {
		v.rendered[i] = renderLogLine(v.env.Styles, l, v.timestamps)
	}
	v.vp.SetContentLines(v.rendered)
	if v.follow {
		v.vp.GotoBottom()
	}
}

// renderLogLine is one line as drawn: a space of margin, the timestamp when
// asked for, the text in the colour of its stream.
func renderLogLine(st *themes.Styles, l logLine, timestamps bool) string {
	style := st.Log.Stdout
	if l.Stderr {
		style = st.Log.Stderr
	}
	s := " "
	if timestamps && !l.Time.IsZero() {
		s += st.Log.Time.Render(l.Time.UTC().Format("2006-01-02T15:04:05.000Z")) + " "
	}
	return s + style.Render(l.Text)
}

// Key handles a key; Esc and q are left to the area that holds the tab.
func (v *logsView) Key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := v.keys
	switch {
	case k.Back.Matches(msg):
		return nil, false
	case k.Timestamps.Matches(msg):
		v.timestamps = !v.timestamps
		v.rerender()
	case v.env.Keys.Top.Matches(msg):
		v.vp.GotoTop()
		v.follow = v.vp.AtBottom()
	case v.env.Keys.Bottom.Matches(msg):
		v.vp.GotoBottom()
		v.follow = true
	default:
		v.vp, _ = v.vp.Update(msg)
		v.follow = v.vp.AtBottom()
	}
	return nil, true
}

// View draws the frame with the visible lines. The frame says whether the
// view follows and how many lines it holds.
func (v *logsView) View() string {
	st := v.env.Styles
	var info []string
	switch {
	case v.err != nil:
		info = append(info, "stream failed")
	case v.ended:
		info = append(info, "ended")
	case v.follow:
		info = append(info, "following")
	default:
		info = append(info, "paused · G follows")
	}
	if v.timestamps {
		info = append(info, "timestamps")
	}
	n := plural(len(v.lines), "line")
	if v.dropped > 0 {
		n = "last " + n
	}
	info = append(info, n)
	body := v.vp.View()
	if len(v.lines) == 0 {
		msg := " Waiting for output…"
		if v.ended {
			msg = " No output."
		}
		body = st.Log.Notice.Render(msg)
	}
	return ui.Frame(st, "Logs "+v.name, strings.Join(info, " · "), true, body, v.width, v.height)
}

// KeyGroups are the view's keys, for help.
func (v *logsView) KeyGroups() []ui.KeyGroup {
	k := v.keys
	return []ui.KeyGroup{{Title: "Logs", Keys: []ui.Binding{k.Scroll, k.Page, k.Ends, k.Sideways, k.Timestamps, k.Back}}}
}

// ShortHelp are the keys the status bar suggests.
func (v *logsView) ShortHelp() []ui.Binding {
	k := v.keys
	return []ui.Binding{k.Back, k.Ends, k.Timestamps}
}

// ClaimsKey: q goes back here, it does not quit.
func (v *logsView) ClaimsKey(msg tea.KeyPressMsg) bool { return v.keys.Back.Matches(msg) }
