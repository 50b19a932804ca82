package ui

import (
	"strings"

	"berth/themes"
)

// Frame draws content in a rounded box of exactly w×h cells, with title on
// the left of the top border and info on its right. Content is cut or padded
// to the inside (w-2 × h-2). The focused frame has the accent colour.
func Frame(st *themes.Styles, title, info string, focused bool, content string, w, h int) string {
	if w < 4 || h < 2 {
		return Block("", max(w, 0), max(h, 0))
	}
	border := st.Frame.Border
	if focused {
		border = st.Frame.BorderFocused
	}
	inner := w - 2
	lines := make([]string, 0, h)
	lines = append(lines, border.Render("╭")+borderTitle(st, border, title, info, inner)+border.Render("╮"))
	body := strings.Split(Block(content, inner, h-2), "\n")
	if h-2 <= 0 {
		body = nil
	}
	side := border.Render("│")
	for _, l := range body {
		lines = append(lines, side+l+side)
	}
	lines = append(lines, border.Render("╰"+strings.Repeat("─", inner)+"╯"))
	return strings.Join(lines, "\n")
}

// borderTitle is the top border between the corners: "─ title ───── info ─",
// exactly inner cells wide. Info goes first when space is short, then the
// title is cut.
func borderTitle(st *themes.Styles, border interface{ Render(...string) string }, title, info string, inner int) string {
	if title == "" {
		return border.Render(strings.Repeat("─", inner))
	}
	titleW := Width(title) + 3 // "─ " + title + " "
	infoW := 0
	if info != "" {
		infoW = Width(info) + 3 // " " + info + " ─"
	}
	if titleW+infoW > inner {
		info, infoW = "", 0
	}
	if titleW > inner {
		title = Truncate(title, inner-3)
		titleW = Width(title) + 3
	}
	if titleW > inner { // not even room for "─ x "
		return border.Render(strings.Repeat("─", inner))
	}
	var b strings.Builder
	b.WriteString(border.Render("─ "))
	b.WriteString(st.Frame.Title.Render(title))
	b.WriteString(border.Render(" " + strings.Repeat("─", inner-titleW-infoW)))
	if info != "" {
		b.WriteString(border.Render(" "))
		b.WriteString(st.Frame.Info.Render(info))
		b.WriteString(border.Render(" ─"))
	}
	return b.String()
}

// TitleBar is the top line: the app name, one tab per pane ("1 Images"), the
// active one highlighted, and right-aligned text; exactly width cells.
func TitleBar(st *themes.Styles, app string, tabs []string, active int, right string, width int) string {
	if width <= 0 {
		return ""
	}
	// Paints: a render per style, not one per part (the bar is drawn in
	// every frame).
	bar, appP, tab, activeTab := NewPaint(st.TitleBar.Bar), NewPaint(st.TitleBar.App), NewPaint(st.TitleBar.Tab), NewPaint(st.TitleBar.ActiveTab)
	var parts []string
	used := 0
	add := func(s string, styled string) bool {
		if used+Width(s) > width {
			return false
		}
		parts = append(parts, styled)
		used += Width(s)
		return true
	}
	name := " " + app + " "
	add(name, appP.Render(name))
	for i, t := range tabs {
		label := " " + itoa(i+1) + " " + t + " "
		style := tab
		if i == active {
			style = activeTab
		}
		if !add(" ", bar.Render(" ")) || !add(label, style.Render(label)) {
			break
		}
	}
	if right != "" {
		right = Truncate(right, width-used-2)
		if right != "" {
			r := right + " "
			gap := width - used - Width(r)
			add(strings.Repeat(" ", gap), bar.Render(strings.Repeat(" ", gap)))
			add(r, bar.Render(r))
		}
	}
	if used < width {
		parts = append(parts, bar.Render(strings.Repeat(" ", width-used)))
	}
	return strings.Join(parts, "")
}

func itoa(i int) string {
	if i >= 0 && i < 10 {
		return string(rune('0' + i))
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// Overlay draws top centred over base, which is made exactly width×height
// first. Lines of base outside top are kept as they are.
func Overlay(base, top string, width, height int) string {
	baseLines := strings.Split(Block(base, width, height), "\n")
	topLines := strings.Split(top, "\n")
	tw := 0
	for _, l := range topLines {
		tw = max(tw, Width(l))
	}
	tw = min(tw, width)
	th := min(len(topLines), height)
	x := (width - tw) / 2
	y := (height - th) / 2
	for i := 0; i < th; i++ {
		bl := baseLines[y+i]
		line := Fit(topLines[i], tw)
		baseLines[y+i] = cut(bl, 0, x) + reset + line + reset + cut(bl, x+tw, width)
	}
	return strings.Join(baseLines, "\n")
}
