package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"berth/themes"
)

// HelpView is the help overlay: a framed box listing groups of keys side by
// side (wrapping to further rows of columns when narrow), no larger than
// maxW×maxH. Disabled keys are dimmed and say why.
func HelpView(st *themes.Styles, title string, groups []KeyGroup, maxW, maxH int) string {
	v, _ := HelpViewAt(st, title, groups, maxW, maxH, 0)
	return v
}

// HelpViewAt is HelpView scrolled down by offset lines, when the keys do
// not fit; it returns the largest offset that still shows something new
// (0 when everything fits).
func HelpViewAt(st *themes.Styles, title string, groups []KeyGroup, maxW, maxH, offset int) (string, int) {
	const gap = 3
	inner := max(maxW-4, 10) // frame and a space of padding on each side

	var cols [][]string
	var widths []int
	for _, g := range groups {
		lines, w := helpColumn(st, g, inner)
		cols = append(cols, lines)
		widths = append(widths, w)
	}

	// Greedily put columns in rows that fit in inner.
	var rows [][]int
	var cur []int
	curW := 0
	for i, w := range widths {
		need := w
		if len(cur) > 0 {
			need += gap
		}
		if len(cur) > 0 && curW+need > inner {
			rows = append(rows, cur)
			cur, curW, need = nil, 0, w
		}
		cur = append(cur, i)
		curW += need
	}
	if len(cur) > 0 {
		rows = append(rows, cur)
	}

	var out []string
	for r, row := range rows {
		if r > 0 {
			out = append(out, "")
		}
		h := 0
		for _, i := range row {
			h = max(h, len(cols[i]))
		}
		for y := 0; y < h; y++ {
			var line strings.Builder
			for j, i := range row {
				if j > 0 {
					line.WriteString(strings.Repeat(" ", gap))
				}
				cell := ""
				if y < len(cols[i]) {
					cell = cols[i][y]
				}
				line.WriteString(PadRight(cell, widths[i]))
			}
			out = append(out, line.String())
		}
	}
	out = append(out, "", st.Dialog.Hint.Render("esc or ? to close"))

	contentW := 0
	for _, l := range out {
		contentW = max(contentW, Width(l))
	}
	h := min(len(out)+2, maxH)
	maxOffset := 0
	if rows := h - 3; len(out) > h-2 && rows > 0 {
		// The last line says how to see the rest.
		maxOffset = len(out) - rows
		offset = min(max(offset, 0), maxOffset)
		more := "… ↓/j for more keys (" + itoa(maxOffset) + " lines)"
		hint := "… ↓/j for more keys (" + itoa(maxOffset-offset) + " lines)"
		if offset >= maxOffset {
			hint = "↑/k for the keys above"
		}
		contentW = max(contentW, Width(more)) // the box keeps its width
		out = append(out[offset:offset+rows], st.Dialog.Hint.Render(hint))
	}
	w := min(contentW+4, maxW)
	for i := range out {
		out[i] = " " + out[i]
	}
	return Frame(st, title, "", true, strings.Join(out, "\n"), w, h), maxOffset
}

// helpColumn renders one group as lines no wider than maxW, and their width.
func helpColumn(st *themes.Styles, g KeyGroup, maxW int) ([]string, int) {
	keyW := 0
	for _, b := range g.Keys {
		keyW = max(keyW, Width(b.Help().Key))
	}
	lines := []string{st.Help.Title.Render(Truncate(g.Title, maxW))}
	w := Width(g.Title)
	for _, b := range g.Keys {
		h := b.Help()
		desc := h.Desc
		descStyle := st.Help.Desc
		if !b.Enabled() {
			desc += " (" + b.Disabled + ")"
			descStyle = st.Help.Disabled
		}
		desc = Truncate(desc, max(maxW-keyW-2, 1))
		line := st.Help.Key.Render(PadRight(h.Key, keyW)) + "  " + descStyle.Render(desc)
		lines = append(lines, line)
		w = max(w, keyW+2+Width(desc))
	}
	return lines, min(w, maxW)
}

// ShortHelp is a one-line list of the enabled keys, "p pull · d delete",
// cut to width at a whole entry, drawn in keyStyle and descStyle (the status
// bar passes styles with its background).
func ShortHelp(keys []Binding, width int, keyStyle, descStyle lipgloss.Style) string {
	var b strings.Builder
	used := 0
	keyPaint, descPaint := NewPaint(keyStyle), NewPaint(descStyle) // a render each, not three per key
	for _, k := range keys {
		if !k.Enabled() {
			continue
		}
		key, desc := k.Help().Key, k.ShortDesc()
		w := Width(key) + 1 + Width(desc)
		sep := ""
		if used > 0 {
			sep = " · "
			w += 3
		}
		if used+w > width {
			break
		}
		b.WriteString(descPaint.Render(sep) + keyPaint.Render(key) + descPaint.Render(" "+desc))
		used += w
	}
	return b.String()
}
