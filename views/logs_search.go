package views

import (
	"context"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"berth/engine/monitor"
	"berth/ui"
)

// logSearch is the log view's search: / types a pattern (smart case: one
// without capitals ignores case), Enter goes to its first match from the
// top of the screen on, n and N to the next and previous, across the whole
// log (the engine reads it in a command; the search wraps around at the
// ends). Matches on screen are highlighted, the one gone to more. Esc
// clears it.
type logSearch struct {
	input  textinput.Model
	typing bool

	pat  string
	fold bool
	cur  int // the entry gone to; -1: none yet
	note string

	id     int // of the search under way or done last
	busy   bool
	cancel context.CancelFunc
}

// logsFoundMsg is where search ID found its pattern: At, or -1.
type logsFoundMsg struct {
	Tab     *logsView
	Seq, ID int
	At      int
	Wrapped bool
	Err     error
}

func (m logsFoundMsg) logsTab() *logsView { return m.Tab }

// begin opens the search box.
func (s *logSearch) begin(e *env) {
	s.input = ui.NewTextInput(e.Styles, "/", "search the whole log")
	s.input.SetValue(s.pat)
	s.input.CursorEnd()
	s.typing = true
}

// stop cancels the search under way.
func (s *logSearch) stop() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.busy = false
}

// clear forgets the pattern.
func (s *logSearch) clear() {
	s.stop()
	s.id++
	s.pat, s.note, s.cur, s.typing = "", "", -1, false
}

// status is the search's part of the frame's info: the pattern, and
// "not found" or "failed" if so.
func (s *logSearch) status() string {
	if s.note != "" {
		return "/" + s.pat + " " + s.note
	}
	return "/" + s.pat
}

// searchKey handles a key while the pattern is typed.
func (v *logsView) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &v.search
	switch msg.String() {
	case "esc":
		s.clear()
		v.clamp()
		return nil
	case "enter":
		pat := s.input.Value()
		s.typing = false
		v.clamp()
		if pat == "" {
			s.clear()
			return nil
		}
		s.pat, s.fold, s.cur = pat, searchFold(pat), -1
		return v.find(v.top, false)
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return cmd
}

// next goes to the next match (the previous one if back).
func (v *logsView) next(back bool) tea.Cmd {
	s := &v.search
	if s.pat == "" {
		return ui.Infof("Logs: / searches first, then n and N go to the next and previous match")
	}
	from := v.top
	switch {
	case s.cur >= 0 && back:
		from = s.cur - 1
	case s.cur >= 0:
		from = s.cur + 1
	case back:
		from = v.lastShown()
	}
	return v.find(from, back)
}

// find is the command that looks for the pattern from entry from on (back:
// from there backward), wrapping around at the end (the start).
func (v *logsView) find(from int, back bool) tea.Cmd {
	s := &v.search
	if v.conn == nil || !v.conn.opened() {
		s.note = "not searched: the log is not open"
		return nil
	}
	s.stop()
	s.id++
	s.busy, s.note = true, ""
	ctx, cancel := context.WithCancel(v.conn.ctx)
	s.cancel = cancel
	c, tab, seq, id := v.conn, v, v.seq, s.id
	pat, fold, lo, end := s.pat, s.fold, v.lo, v.end
	from = min(max(from, lo), end)
	return func() tea.Msg {
		h := c.use()
		if h == nil {
			return nil
		}
		defer c.done()
		match := func(e monitor.LogEntry) bool { return matchLog(sanitizeLog(e.Line, false), pat, fold) }
		var at int
		var err error
		wrapped := false
		if !back {
			at, err = h.Find(ctx, from, end, false, match)
			if at < 0 && err == nil && from > lo {
				at, err = h.Find(ctx, lo, from, false, match)
				wrapped = at >= 0
			}
		} else {
			at, err = h.Find(ctx, lo, min(from+1, end), true, match)
			if at < 0 && err == nil && from+1 < end {
				at, err = h.Find(ctx, from+1, end, true, match)
				wrapped = at >= 0
			}
		}
		return logsFoundMsg{Tab: tab, Seq: seq, ID: id, At: at, Wrapped: wrapped, Err: err}
	}
}

// found goes to a match: on screen, a third down from the top when it was
// not on screen already.
func (v *logsView) found(msg logsFoundMsg) tea.Cmd {
	s := &v.search
	if msg.Seq != v.seq || msg.ID != s.id {
		return nil
	}
	s.busy = false
	s.cancel = nil
	switch {
	case msg.Err != nil:
		s.note = "failed"
		return ui.ErrorStatus(msg.Err)
	case msg.At < 0:
		s.note = "not found"
		return ui.Infof("/%s: not in the log", s.pat)
	}
	s.cur = msg.At
	s.note = ""
	note := "/" + s.pat + ": line " + commas(msg.At-v.lo+1) + " of " + commas(v.end-v.lo)
	if msg.Wrapped {
		note += " (wrapped around)"
	}
	if msg.At < v.top || msg.At > v.lastShown() || msg.At == v.lastShown() && !v.atBottom() {
		v.follow = false
		v.top, v.topRow = max(v.lo, msg.At-v.bodyH()/3), 0
		v.clamp()
	}
	return tea.Batch(v.ensure(), ui.Infof("%s", note))
}

// inputLine is the line under the log: the search box or the prompt.
func (v *logsView) inputLine() string {
	w := v.bodyW()
	if v.prompt != nil {
		return v.prompt.view(v.env, w)
	}
	v.search.input.SetWidth(max(w-3, 1))
	return ui.Fit(" "+v.search.input.View(), w)
}
