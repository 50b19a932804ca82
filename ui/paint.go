package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"berth/themes"
)

// Paint is a plain style (colours and attributes: no padding, margins,
// borders or width) reduced to the escape sequences it puts around a text,
// for drawing many short runs in one frame: lipgloss's Render measures and
// wraps every string it is given, which costs microseconds a call.
type Paint struct{ pre, post string }

// paintMark stands for the text while the style is rendered: a
// private-use character no style changes.
const paintMark = "\uE000"

// NewPaint reduces s to its escape sequences.
func NewPaint(s lipgloss.Style) Paint {
	r := s.Render(paintMark)
	i := strings.Index(r, paintMark)
	if i < 0 {
		return Paint{}
	}
	return Paint{pre: r[:i], post: r[i+len(paintMark):]}
}

// Themed is what a view makes from the theme's styles, its paints, kept
// until the theme changes. :theme changes the styles in place (they are
// shared by pointer), so the theme's name tells, not the styles' address.
type Themed[T any] struct {
	theme string // the theme v was made in; "" before the first
	v     T
}

// Get is the value for st's theme: the one kept, or make's.
func (c *Themed[T]) Get(st *themes.Styles, make func(*themes.Styles) T) T {
	if c.theme == "" || c.theme != st.Theme.Name {
		c.v, c.theme = make(st), st.Theme.Name
	}
	return c.v
}

// Render is text in the style; "" stays "".
func (p Paint) Render(text string) string {
	if text == "" || p.pre == "" {
		return text
	}
	return p.pre + text + p.post
}
