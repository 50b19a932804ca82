package views

import (
	"strings"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	"berth/ui"
)

// renderRow draws row y of the emulator's screen with its colours and
// attributes, exactly cols cells, ending with every style reset.
func renderRow(em *vt.Emulator, y, cols int) string {
	var p cellPen
	for x := 0; x < cols; {
		c := em.CellAt(x, y)
		if c == nil || c.IsZero() {
			x++
			continue
		}
		x += p.put(c)
	}
	s := p.end()
	if p.w < cols {
		s += strings.Repeat(" ", cols-p.w)
	}
	return s
}

// renderLine draws a scrollback line, cut to cols cells.
func renderLine(l uv.Line, cols int) string {
	var p cellPen
	for i := 0; i < len(l) && p.w < cols; i++ {
		if c := &l[i]; !c.IsZero() {
			p.put(c)
		}
	}
	return p.end()
}

// cellPen writes cells with their styles, a style's sequence only where
// it changes from the cell before.
type cellPen struct {
	b     strings.Builder
	style uv.Style
	w     int // cells written
}

// put writes c and returns its width.
func (p *cellPen) put(c *uv.Cell) int {
	if !c.Style.Equal(&p.style) {
		p.b.WriteString(ansi.ResetStyle)
		if !c.Style.IsZero() {
			p.b.WriteString(c.Style.String())
		}
		p.style = c.Style
	}
	content := c.Content
	if content == "" {
		content = " "
	}
	p.b.WriteString(content)
	cw := max(c.Width, 1)
	p.w += cw
	return cw
}

// end is what was written, every style reset.
func (p *cellPen) end() string {
	if !p.style.IsZero() {
		p.b.WriteString(ansi.ResetStyle)
	}
	return p.b.String()
}

// ring keeps the last n lines scrolled off, rendered: a line of 80 plain
// characters takes 80 bytes rather than 80 cells of 112.
type ring struct {
	strs  []string
	start int
	n     int
	total int // lines ever pushed (those dropped too)
}

func newRing(n int) ring { return ring{strs: make([]string, n)} }

func (r *ring) len() int { return r.n }

// push adds an emulator line.
func (r *ring) push(l uv.Line) { r.pushString(renderLine(l, 1<<30)) }

// pushString adds a line already rendered.
func (r *ring) pushString(s string) {
	c := len(r.strs)
	i := (r.start + r.n) % c
	if r.n == c {
		r.start = (r.start + 1) % c
	} else {
		r.n++
	}
	r.strs[i] = s
	r.total++
}

// raw is line i (0 the oldest) as stored.
func (r *ring) raw(i int) string { return r.strs[(r.start+i)%len(r.strs)] }

// line is line i (0 the oldest), cut or padded to cols cells.
func (r *ring) line(i, cols int) string {
	s := r.raw(i)
	if w := ui.Width(s); w < cols {
		return s + strings.Repeat(" ", cols-w)
	} else if w > cols {
		return ansi.Truncate(s, cols, "")
	}
	return s
}
