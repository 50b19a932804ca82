// Package ui is berth's app shell: layout (frames, title bar with pane tabs,
// status bar), keys as data, the help overlay, dialogs, and a table widget.
// It knows nothing of containers or images; it imports only themes and the
// charm libraries.
package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/ansi/parser"
)

// Ellipsis ends text cut to fit.
const Ellipsis = "…"

// Width is the number of terminal cells s takes, ignoring escape sequences:
// ansi.StringWidth's count. A printable ASCII character that a non-ASCII
// byte does not follow is one cell without grapheme segmentation, which
// most of what berth draws is (StringWidth segments every character: a
// screen of 120x40 took a millisecond to measure); so is a box-drawing,
// block or braille character (frames, bars, charts) that no combining
// character follows.
func Width(s string) int {
	state := parser.GroundState
	w := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if state == parser.GroundState && c >= 0x20 && c < 0x7f && (i+1 == len(s) || s[i+1] < 0x80) {
			w++
			continue
		}
		if state == parser.GroundState && c == 0xe2 {
			if r, n := utf8.DecodeRuneInString(s[i:]); oneCell(r) && plainAfter(s[i+n:]) {
				w++
				i += n - 1
				continue
			}
		}
		next, action := parser.Table.Transition(state, c)
		if action == parser.PrintAction || next == parser.Utf8State {
			cluster, cw := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
			w += cw
			i += len(cluster) - 1
			state = parser.GroundState
			continue
		}
		state = next
	}
	return w
}

// oneCell: frame lines (box drawing), block elements (bars, charts) and
// braille are one cell each, alone or in runs.
func oneCell(r rune) bool { return r >= 0x2500 && r <= 0x259f || r >= 0x2800 && r <= 0x28ff }

// plainAfter: what follows cannot join the character before it into a
// wider cluster (a combining mark, a joiner, a variation selector).
func plainAfter(s string) bool {
	if s == "" || s[0] < 0x80 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return oneCell(r)
}

// Truncate cuts s (which may hold escape sequences) to at most w cells,
// ending it with an ellipsis when something was cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, Ellipsis)
}

// TruncateStart cuts s to at most w cells by dropping its start, beginning
// it with an ellipsis when something was cut: paths keep their last, most
// telling, part ("…/volumes/data/_data").
func TruncateStart(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := Width(s)
	if n <= w {
		return s
	}
	return ansi.TruncateLeft(s, n-w+1, Ellipsis)
}

// PadRight fills s with spaces up to w cells. It does not cut.
func PadRight(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// PadLeft puts spaces before s up to w cells. It does not cut.
func PadLeft(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// Fit makes s exactly w cells wide: cut with an ellipsis, or padded. It
// measures s once (a frame fits every line of it).
func Fit(s string, w int) string {
	switch n := Width(s); {
	case n == w:
		return s
	case n < w:
		return s + strings.Repeat(" ", w-n)
	}
	return PadRight(Truncate(s, w), w)
}

// FitRight is Fit with the text aligned to the right.
func FitRight(s string, w int) string { return PadLeft(Truncate(s, w), w) }

// Block makes s exactly h lines of exactly w cells: lines are cut or padded,
// missing lines are blank, extra lines dropped.
func Block(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if s == "" {
		lines = nil
	}
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = Fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return strings.Join(out, "\n")
}
