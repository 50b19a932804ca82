package views

import (
	"bytes"
	"strings"
)

// feed writes output into the emulator. A long run of plain lines (ASCII
// text shorter than the screen is wide, each ended by CR LF, as `seq` or a
// build log prints them) jumps, as xterm's jump scroll does: the lines that
// would scroll off at once go to the scrollback as text, and only the last
// screenful is written. The emulator copies every cell of the screen for
// each line it scrolls; this keeps a flood from costing that per line.
// Called with mu held.
func (t *terminal) feed(p []byte) {
	for len(p) > 0 {
		start, lines, end := plainRun(p, t.cols, t.rows+2, t.runEnds)
		t.runEnds = lines[:0]
		if lines == nil {
			_, _ = t.em.Write(p)
			return
		}
		// What comes before the run, and as many of its lines as bring the
		// cursor to the bottom row (none when it is there, as after a
		// jump), are written as they are; the next line is checked to have
		// scrolled the whole screen.
		_, _ = t.em.Write(p[:start])
		lead := start
		c := t.em.CursorPosition()
		k := t.rows - 1 - c.Y // lines to the bottom row
		if c.X != 0 && k == 0 {
			k = 1 // the first one ends the line the cursor is on
		}
		if k < 0 || len(lines) <= k+t.rows { // too short to jump from here
			_, _ = t.em.Write(p[start:end])
			p = p[end:]
			continue
		}
		if k > 0 {
			lead = lines[k-1]
			lines = lines[k:]
			_, _ = t.em.Write(p[start:lead])
		}
		row1 := t.rowText(1)
		last := lines[0] // end of the checked line, after its LF
		_, _ = t.em.Write(p[lead:last])
		text := string(p[lead : last-2])
		rest := lines
		if !t.jumpable(row1, text) {
			_, _ = t.em.Write(p[last:end])
			p = p[end:]
			continue
		}
		// rest[i] ends line i+1 after last; the lines from last to end.
		n := len(rest) - 1 // lines still to come in the run
		keep := t.rows - 1 // the screenful written at the end
		skip := n - keep
		if skip <= 0 {
			_, _ = t.em.Write(p[last:end])
			p = p[end:]
			continue
		}
		t.takeScrollback()
		for y := 0; y < t.rows-1; y++ {
			text, plain := t.plainRow(y)
			if !plain {
				text = strings.TrimRight(renderRow(t.em, y, t.cols), " ")
			}
			t.pushText(text)
		}
		from := rest[skip]
		t.jumped += skip
		t.pushLines(p[last:from], rest[:skip+1])
		_, _ = t.em.Write([]byte("\x1b[H\x1b[J"))
		_, _ = t.em.Write(p[from:end])
		p = p[end:]
	}
}

// jumpable reports whether the screen scrolled as a whole screen of plain
// text does: the cursor at the start of a blank bottom row, the line just
// written above it in the default style, and row 0 holding what row 1 held
// before (the scroll region starts at the top).
func (t *terminal) jumpable(row1Before, written string) bool {
	if t.em.IsAltScreen() || t.rows < 3 || written == "" {
		return false
	}
	if p := t.em.CursorPosition(); p.X != 0 || p.Y != t.rows-1 {
		return false
	}
	if t.rowText(t.rows-1) != "" || t.rowText(t.rows-2) != written || t.rowText(0) != row1Before {
		return false
	}
	c := t.em.CellAt(len(written)-1, t.rows-2)
	return c != nil && c.Style.IsZero() && c.Link.IsZero()
}

// plainRow is row y's text, trailing blanks cut, when no cell of it has a
// style or a link (the rows a flood of plain lines leaves).
func (t *terminal) plainRow(y int) (string, bool) {
	b := make([]byte, 0, t.cols)
	for x := 0; x < t.cols; x++ {
		c := t.em.CellAt(x, y)
		if c == nil {
			continue
		}
		if !c.Style.IsZero() || !c.Link.IsZero() || len(c.Content) > 1 {
			return "", false
		}
		if c.Content == "" {
			if c.Width != 0 {
				b = append(b, ' ')
			}
			continue
		}
		b = append(b, c.Content[0])
	}
	return strings.TrimRight(string(b), " "), true
}

// rowText is row y's text, trailing blanks cut.
func (t *terminal) rowText(y int) string {
	var b strings.Builder
	for x := 0; x < t.cols; x++ {
		if c := t.em.CellAt(x, y); c != nil && c.Content != "" {
			b.WriteString(c.Content)
		} else if c != nil && c.Width != 0 {
			b.WriteByte(' ')
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// pushText adds a line of text to the scrollback.
func (t *terminal) pushText(s string) {
	t.sb.pushString(s)
	if t.scroll > 0 {
		t.scroll = min(t.scroll+1, t.sb.len())
	}
}

// pushLines adds the lines of block to the scrollback: ends[0] is where
// block starts in the output, ends[i] the end of its line i (after CR LF).
// The lines share one string; those the scrollback could not keep are not
// made at all.
func (t *terminal) pushLines(block []byte, ends []int) {
	n := len(ends) - 1
	first := max(0, n-scrollbackLines) // lines that would drop off at once
	base := ends[0]
	text := string(block[ends[first]-base:])
	from := ends[first]
	for _, e := range ends[first+1:] {
		t.sb.pushString(text[from-ends[first] : e-2-ends[first]])
		from = e
	}
	if t.scroll > 0 {
		t.scroll = min(t.scroll+n, t.sb.len())
	}
}

// plainRun finds the first run of at least min plain lines in p: printable
// ASCII shorter than cols, each ended by CR LF, the first starting p or
// following a LF. It returns the end of each of its lines (after the LF)
// and where it starts and ends; nil lines when there is none. ends is
// reused for the lines.
func plainRun(p []byte, cols, min int, ends []int) (start int, lines []int, end int) {
	ends = ends[:0]
	ls := 0 // start of the current line
	runStart := 0
	for ls < len(p) {
		i := bytes.IndexByte(p[ls:], '\n')
		if i < 0 {
			break
		}
		i += ls
		if plainLine(p[ls:i], cols) {
			if len(ends) == 0 {
				runStart = ls
			}
			ends = append(ends, i+1)
		} else {
			if len(ends) >= min {
				return runStart, ends, ends[len(ends)-1]
			}
			ends = ends[:0]
		}
		ls = i + 1
	}
	if len(ends) >= min {
		return runStart, ends, ends[len(ends)-1]
	}
	return 0, nil, 0
}

// plainLine reports whether line (without its LF) is printable ASCII
// shorter than cols, ended by CR.
func plainLine(line []byte, cols int) bool {
	n := len(line) - 1
	if n < 0 || n >= cols || line[n] != '\r' {
		return false
	}
	for _, c := range line[:n] {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// takeScrollback moves the lines the last write scrolled off into t.sb.
// Called with mu held.
func (t *terminal) takeScrollback() {
	sb := t.em.Scrollback()
	if sb == nil || sb.Len() == 0 {
		return
	}
	for _, l := range sb.Lines() {
		t.sb.push(l)
	}
	sb.Clear()
	if t.scroll > 0 { // keep the view where the user scrolled it
		t.scroll = min(t.scroll+len(sb.Lines()), t.sb.len())
	}
}
