package views

import (
	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"
)

// logWindowMin is how many entries the log view reads around the screen
// at least; it holds at most logHoldScreens screens (or 3*logWindowMin
// entries) and drops the side farther from the screen.
const (
	logWindowMin   = 200
	logHoldScreens = 6
)

// logWindow is the run of entries the log view holds: from, from+1, ...
type logWindow struct {
	from  int
	lines []logLine
}

func (w *logWindow) end() int { return w.from + len(w.lines) }

func (w *logWindow) get(i int) (logLine, bool) {
	if i < w.from || i >= w.end() {
		return logLine{}, false
	}
	return w.lines[i-w.from], true
}

// take adds entries read from from on: joined to the window when they
// touch it, else in its place; then drops entries beyond hold, from the
// side farther from top.
func (w *logWindow) take(from int, lines []logLine, top, hold int) {
	switch {
	case len(w.lines) > 0 && from == w.end():
		w.lines = append(w.lines, lines...)
	case len(w.lines) > 0 && from+len(lines) == w.from:
		w.lines = append(lines[:len(lines):len(lines)], w.lines...)
		w.from = from
	default:
		w.from, w.lines = from, lines
	}
	for len(w.lines) > hold {
		drop := len(w.lines) - hold
		if top-w.from > w.end()-top { // more above the screen than below
			w.lines = w.lines[drop:]
			w.from += drop
		} else {
			w.lines = w.lines[:hold:hold]
		}
	}
	if cap(w.lines) > 2*hold { // let go of a large backing array
		w.lines = append([]logLine(nil), w.lines...)
	}
}

// holdMax is the most entries the view holds.
func (v *logsView) holdMax() int { return max(3*logWindowMin, logHoldScreens*v.bodyH()) }

// ensure reads the entries the screen needs (and a margin around it) when
// the window lacks them, one read at a time; only the part not held is
// read when it joins the window.
func (v *logsView) ensure() tea.Cmd {
	if v.conn == nil || !v.conn.opened() || v.reading || v.end <= v.lo {
		return nil
	}
	h := v.bodyH()
	visFrom, visTo := v.top, min(v.end, v.top+h)
	margin := h
	wFrom, wTo := v.win.from, v.win.end()
	if len(v.win.lines) > 0 && wFrom <= visFrom && visTo <= wTo &&
		(visFrom-wFrom >= margin || wFrom <= v.lo) && (wTo-visTo >= margin || wTo >= v.end) {
		return nil
	}
	span := max(logWindowMin, 3*h)
	from := max(v.lo, v.top-span/3)
	to := min(v.end, from+span)
	from = max(v.lo, min(from, to-span))
	if len(v.win.lines) > 0 {
		switch {
		case from >= wFrom && from <= wTo && to > wTo:
			from = wTo
		case to <= wTo && to >= wFrom && from < wFrom:
			to = wFrom
		}
	}
	if from >= to {
		return nil
	}
	v.reading = true
	return v.conn.read(v, v.seq, from, to-from)
}

// rowsAt is how many rows entry i takes: 1 without wrap, or while it is
// not read.
func (v *logsView) rowsAt(i int) int {
	if !v.wrap {
		return 1
	}
	l, ok := v.win.get(i)
	if !ok {
		return 1
	}
	w := 1 + ansi.StringWidth(l.Plain)
	if v.timestamps && !l.Time.IsZero() {
		w += len(logTimeFormat) + 1
	}
	return max(1, (w+v.bodyW()-1)/v.bodyW())
}

// scroll moves n rows down (up if negative); moving up stops following,
// reaching the bottom does not start it (G and f do).
func (v *logsView) scroll(n int) {
	if n < 0 {
		v.follow = false
	}
	for ; n < 0; n++ {
		if v.topRow > 0 {
			v.topRow--
		} else if v.top > v.lo {
			v.top--
			v.topRow = v.rowsAt(v.top) - 1
		} else {
			break
		}
	}
	for ; n > 0 && !v.atBottom(); n-- {
		if v.topRow+1 < v.rowsAt(v.top) {
			v.topRow++
		} else {
			v.top++
			v.topRow = 0
		}
	}
}

// atBottom: the rows from the top of the screen to the end fit on it.
func (v *logsView) atBottom() bool {
	h := v.bodyH()
	rows := -v.topRow
	for i := v.top; i < v.end; i++ {
		if rows += v.rowsAt(i); rows > h {
			return false
		}
	}
	return true
}

// toBottom puts the last entry on the last row.
func (v *logsView) toBottom() {
	h := v.bodyH()
	rows := 0
	for i := v.end - 1; i >= v.lo; i-- {
		r := v.rowsAt(i)
		if rows+r >= h {
			v.top, v.topRow = i, rows+r-h
			return
		}
		rows += r
	}
	v.top, v.topRow = v.lo, 0
}

// clamp keeps the top inside what is shown, and the screen full when
// there is enough to fill it.
func (v *logsView) clamp() {
	if v.top < v.lo {
		v.top, v.topRow = v.lo, 0
	}
	if v.top >= v.end || v.topRow >= v.rowsAt(v.top) {
		v.topRow = 0
	}
	if v.top > v.lo && v.atBottomShort() {
		v.toBottom()
	}
}

// atBottomShort: the rows from the top to the end leave part of the
// screen empty.
func (v *logsView) atBottomShort() bool {
	h := v.bodyH()
	rows := -v.topRow
	for i := v.top; i < v.end; i++ {
		if rows += v.rowsAt(i); rows >= h {
			return false
		}
	}
	return true
}

// lastShown is the last entry on screen (or partly on it).
func (v *logsView) lastShown() int {
	h := v.bodyH()
	rows := -v.topRow
	i := v.top
	for ; i < v.end; i++ {
		if rows += v.rowsAt(i); rows >= h {
			return i
		}
	}
	return max(v.end-1, v.top)
}
