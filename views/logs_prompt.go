package views

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/ui"
)

// logPrompt is a line under the log that asks for one value: where to
// save, what to show. Enter hands the text to submit, which may refuse it
// with an error shown in place; Esc closes it.
type logPrompt struct {
	input  textinput.Model
	hint   string
	err    string
	submit func(string) (tea.Cmd, error)
}

func newLogPrompt(e *env, label, value, hint string, submit func(string) (tea.Cmd, error)) *logPrompt {
	p := &logPrompt{input: ui.NewTextInput(e.Styles, label+" ", ""), hint: hint, submit: submit}
	p.input.SetValue(value)
	p.input.CursorEnd()
	return p
}

// promptKey handles a key while a prompt is open.
func (v *logsView) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	p := v.prompt
	switch msg.String() {
	case "esc":
		v.prompt = nil
		v.clamp()
		return nil
	case "enter":
		cmd, err := p.submit(strings.TrimSpace(p.input.Value()))
		if err != nil {
			p.err = err.Error()
			return nil
		}
		v.prompt = nil
		v.clamp()
		return cmd
	}
	p.err = ""
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// view is the prompt's line: the field, then the error or the hint.
func (p *logPrompt) view(e *env, w int) string {
	st := e.Styles
	note := st.Muted.Render("  " + p.hint)
	if p.err != "" {
		note = st.Error.Render("  " + p.err)
	}
	p.input.SetWidth(max(min(w/2, w-ui.Width(note)-len(p.input.Prompt)-2), 10))
	return ui.Fit(" "+p.input.View()+note, w)
}

// logShowKind is what part of the log the view shows.
type logShowKind int

const (
	showAll logShowKind = iota
	showTail
	showSince
)

// logShown is the since/tail choice: all, the last N lines (as they were
// when chosen: new lines add to them), or those written since a time.
type logShown struct {
	kind  logShowKind
	n     int
	since time.Time
	text  string // as typed: "10m", "2026-11-23T17:00:00Z"
	lo    int    // the first entry it shows
}

func (s logShown) String() string {
	switch s.kind {
	case showTail:
		return "tail " + commas(s.n)
	case showSince:
		return "since " + s.text
	}
	return "all"
}

// parseLogShown reads the show prompt: "all" (or nothing), "tail 1000" (or
// "1000"), "since 10m" (or "10m", "1h30m", a date "2026-11-23", a time
// "2026-11-23T17:00:00Z" or "2026-11-23 17:00").
func parseLogShown(s string, now time.Time) (logShown, error) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 || len(f) == 1 && f[0] == "all" {
		return logShown{kind: showAll}, nil
	}
	word, arg := "", strings.Join(f, " ")
	if f[0] == "tail" || f[0] == "since" {
		word, arg = f[0], strings.Join(f[1:], " ")
	}
	if n, err := strconv.Atoi(arg); err == nil && word != "since" {
		if n < 0 {
			return logShown{}, errdefs.InvalidArgument("tail %d: give a number of lines, 0 or more", n)
		}
		return logShown{kind: showTail, n: n}, nil
	}
	if word != "tail" {
		if d, err := time.ParseDuration(arg); err == nil && d > 0 {
			return logShown{kind: showSince, since: now.Add(-d), text: arg}, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, strings.ToUpper(arg), time.Local); err == nil {
				return logShown{kind: showSince, since: t, text: arg}, nil
			}
		}
	}
	return logShown{}, errdefs.InvalidArgument("%q: type all, tail 1000, since 10m or since 2026-11-23T17:00", s)
}

// logsShownMsg is where the since/tail choice begins: the first entry.
type logsShownMsg struct {
	Tab   *logsView
	Seq   int
	Shown logShown
	Err   error
}

func (m logsShownMsg) logsTab() *logsView { return m.Tab }

// openShowPrompt asks what to show.
func (v *logsView) openShowPrompt() {
	cur := v.shown.String()
	if v.shown.kind == showSince {
		cur = "since " + v.shown.text
	}
	v.prompt = newLogPrompt(v.env, "Show:", cur, "all · tail 1000 · since 10m · since 2026-11-23T17:00", func(s string) (tea.Cmd, error) {
		shown, err := parseLogShown(s, v.env.now())
		if err != nil {
			return nil, err
		}
		return v.show(shown), nil
	})
	v.clamp()
}

// show is the command that finds where shown begins.
func (v *logsView) show(shown logShown) tea.Cmd {
	if v.conn == nil {
		return nil
	}
	c, tab, seq, end := v.conn, v, v.seq, v.end
	return func() tea.Msg {
		h := c.use()
		if h == nil {
			return nil
		}
		defer c.done()
		var err error
		switch shown.kind {
		case showAll:
			shown.lo, _ = h.Bounds()
		case showTail:
			shown.lo = end - shown.n
		case showSince:
			shown.lo, err = h.Since(shown.since)
		}
		return logsShownMsg{Tab: tab, Seq: seq, Shown: shown, Err: err}
	}
}

// shownAt applies the since/tail choice: the view starts at its first
// entry and follows the end.
func (v *logsView) shownAt(msg logsShownMsg) tea.Cmd {
	if msg.Seq != v.seq {
		return nil
	}
	if msg.Err != nil {
		return ui.ErrorStatus(msg.Err)
	}
	v.shown = msg.Shown
	v.lo = max(v.shown.lo, v.first)
	v.follow = true
	v.toBottom()
	v.clamp()
	return tea.Batch(v.ensure(), ui.Infof("Logs: showing %s, %s", v.shown.String(), plural(v.end-v.lo, "line")))
}
