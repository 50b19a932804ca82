package views

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Selecting and copying text from a session pane, with the mouse (a drag,
// when the program did not ask for the mouse) or the keys of copy mode;
// what is selected goes to the clipboard through the outer terminal
// (OSC 52).

// textPoint is a cell of a pane's text. Its line counts every line since
// the session began (those scrolled off and dropped too), so that a
// selection stays on its text while output scrolls it up.
type textPoint struct{ line, col int }

func (p textPoint) before(q textPoint) bool {
	return p.line < q.line || p.line == q.line && p.col < q.col
}

// selection is what a pane has selected, and its copy mode.
type selection struct {
	shown        bool // a selection is drawn
	anchor, head textPoint
	dragging     bool // the left button is down, after a click in the pane
	copyMode     bool // the keys move the head (copy mode)
	marking      bool // copy mode: the anchor is set, the head extends the selection
}

// bounds are the selection's first and last cell, in order.
func (s selection) bounds() (from, to textPoint) {
	if s.head.before(s.anchor) {
		return s.head, s.anchor
	}
	return s.anchor, s.head
}

// topLine is the line shown on the view's first row. Called with mu held.
func (t *terminal) topLine() int { return t.sb.total - t.scroll }

// pointAt is the text point shown at (x, y) of the view. Called with mu
// held.
func (t *terminal) pointAt(x, y int) textPoint {
	return textPoint{line: t.topLine() + min(max(y, 0), t.rows-1), col: min(max(x, 0), t.cols-1)}
}

// lineText is the text of a line without styles, trailing blanks cut: a
// screen row, a line of the scrollback, or "" for a line dropped. Called
// with mu held.
func (t *terminal) lineText(line int) string {
	if y := line - t.sb.total; y >= 0 {
		if y >= t.rows {
			return ""
		}
		return t.rowText(y)
	}
	i := line - (t.sb.total - t.sb.len())
	if i < 0 {
		return ""
	}
	return strings.TrimRight(ansi.Strip(t.sb.raw(i)), " ")
}

// selectedText is the text selected: whole lines between the first and
// the last, which are cut at the selection's ends, joined by newlines.
// Called with mu held.
func (t *terminal) selectedText() string {
	from, to := t.sel.bounds()
	var b strings.Builder
	for l := from.line; l <= to.line; l++ {
		text := t.lineText(l)
		left, right := 0, ansi.StringWidth(text)
		if l == from.line {
			left = from.col
		}
		if l == to.line {
			right = min(right, to.col+1)
		}
		if l > from.line {
			b.WriteByte('\n')
		}
		if right > left {
			b.WriteString(strings.TrimRight(ansi.Cut(text, left, right), " "))
		}
	}
	return b.String()
}

// highlight draws the selection over the view's rows (out[y] shows line
// topLine()+y): the cells selected in the selection style, without the
// program's colours. Called with mu held.
func (t *terminal) highlight(out []string) {
	if !t.sel.shown {
		return
	}
	from, to := t.sel.bounds()
	top := t.topLine()
	for y := range out {
		l := top + y
		if l < from.line || l > to.line {
			continue
		}
		left, right := 0, t.cols
		if l == from.line {
			left = from.col
		}
		if l == to.line {
			right = to.col + 1
		}
		if right <= left {
			continue
		}
		plain := ansi.Strip(out[y])
		mid := ansi.Cut(plain, left, right)
		out[y] = ansi.Cut(out[y], 0, left) + ansi.ResetStyle + t.selStyle.Render(mid) + ansi.Cut(out[y], right, t.cols)
	}
}

// clearSelection forgets the selection and leaves copy mode. Called with
// mu held.
func (t *terminal) clearSelection() { t.sel = selection{} }

// mouseSelect handles the mouse while the program does not take it: a
// click starts a selection, a drag extends it (scrolling at the pane's
// edges), the release copies it. It returns the text to copy, if any.
func (t *terminal) mouseSelect(msg tea.MouseMsg, x, y int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := msg.Mouse()
	switch msg.(type) {
	case tea.MouseClickMsg:
		if m.Button != tea.MouseLeft {
			return ""
		}
		p := t.pointAt(x, y)
		t.sel = selection{anchor: p, head: p, dragging: true}
	case tea.MouseMotionMsg:
		if !t.sel.dragging || m.Button != tea.MouseLeft {
			return ""
		}
		switch {
		case y < 0 && !t.em.IsAltScreen():
			t.scroll = min(t.scroll+1, t.sb.len())
		case y >= t.rows:
			t.scroll = max(t.scroll-1, 0)
		}
		t.sel.head = t.pointAt(x, y)
		t.sel.shown = t.sel.shown || t.sel.head != t.sel.anchor
	case tea.MouseReleaseMsg:
		if !t.sel.dragging {
			return ""
		}
		t.sel.dragging = false
		if t.sel.shown {
			return t.selectedText()
		}
	}
	return ""
}

// CopyMode reports whether the pane is in copy mode.
func (t *terminal) CopyMode() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sel.copyMode
}

// EnterCopyMode starts copy mode with the head on the program's cursor (or
// the view's last row when scrolled back).
func (t *terminal) EnterCopyMode() {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.em.CursorPosition()
	head := t.pointAt(p.X, p.Y)
	if t.scroll > 0 {
		head = t.pointAt(0, t.rows-1)
	}
	t.sel = selection{copyMode: true, anchor: head, head: head}
}

// CopyKey handles a key in copy mode: h j k l and the arrows move, 0 and $
// go to the line's start and end, ctrl+u ctrl+d (pgup pgdn) half a screen,
// g and G to the oldest line and the live screen; v or space marks where
// the selection starts (again: unmarks); y or enter copies (the head's
// line when nothing is marked) and leaves; esc or q leaves. It returns the
// text to copy, if any.
func (t *terminal) CopyKey(k tea.KeyPressMsg) (text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := &t.sel.head
	first := t.sb.total - t.sb.len()
	last := t.sb.total + t.rows - 1
	half := max(t.rows/2, 1)
	switch k.String() {
	case "h", "left":
		h.col = max(h.col-1, 0)
	case "l", "right":
		h.col = min(h.col+1, t.cols-1)
	case "k", "up":
		h.line--
	case "j", "down":
		h.line++
	case "ctrl+u", "pgup":
		h.line -= half
	case "ctrl+d", "pgdown":
		h.line += half
	case "0", "home":
		h.col = 0
	case "$", "end":
		h.col = max(ansi.StringWidth(t.lineText(h.line))-1, 0)
	case "g":
		h.line, h.col = first, 0
	case "G":
		h.line = last
	case "v", "space":
		t.sel.marking = !t.sel.marking
		t.sel.anchor = *h
	case "y", "enter":
		if !t.sel.marking {
			t.sel.anchor = textPoint{line: h.line}
			h.col = t.cols - 1
		}
		text = t.selectedText()
		t.clearSelection()
		return text
	case "esc", "q":
		t.clearSelection()
		return ""
	}
	if t.em.IsAltScreen() {
		first = t.sb.total
	}
	h.line = min(max(h.line, first), last)
	if !t.sel.marking {
		t.sel.anchor = *h
	}
	t.sel.shown = t.sel.marking
	// Scroll so that the head is in view.
	if top := t.topLine(); h.line < top {
		t.scroll += top - h.line
	} else if h.line >= top+t.rows {
		t.scroll -= h.line - (top + t.rows - 1)
	}
	t.scroll = min(max(t.scroll, 0), t.sb.len())
	return ""
}

// copyCursor is the copy-mode head's place in the view; inCopy is false
// outside copy mode, shown false when output scrolled the head out of
// view. Called with mu held.
func (t *terminal) copyCursor() (x, y int, inCopy, shown bool) {
	if !t.sel.copyMode {
		return 0, 0, false, false
	}
	y = t.sel.head.line - t.topLine()
	return t.sel.head.col, y, true, y >= 0 && y < t.rows
}

// Dragging reports whether a mouse selection is under way: it goes on
// when the pointer leaves the pane.
func (t *terminal) Dragging() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sel.dragging
}
