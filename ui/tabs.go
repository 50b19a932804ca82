package ui

import (
	"strings"

	"berth/themes"
)

// tabSpan is one label of a tab strip as drawn: the tab (-1 for a "‹" or
// "›" marker), its text and the cells it starts at.
type tabSpan struct {
	tab   int
	text  string
	start int
}

// tabSpans lays a strip out: which labels show, cut how, where.
func tabSpans(titles []string, active, w int) []tabSpan {
	if w <= 0 {
		return nil
	}
	labels := make([]string, len(titles))
	widths := make([]int, len(titles))
	total := 0
	for i, t := range titles {
		labels[i] = " " + itoa(i+1) + " " + t + " "
		widths[i] = Width(labels[i])
		total += widths[i]
	}
	first := 0
	if total > w {
		// Drop tabs from the left until the active one ends inside,
		// leaving room for the markers.
		end := 0
		for i := 0; i <= active && i < len(widths); i++ {
			end += widths[i]
		}
		right := 0
		if active < len(titles)-1 {
			right = 1 // "›"
		}
		for first < active {
			left := 0
			if first > 0 {
				left = 1 // "‹"
			}
			if left+end+right <= w {
				break
			}
			end -= widths[first]
			first++
		}
	}
	var out []tabSpan
	used := 0
	if first > 0 {
		out = append(out, tabSpan{tab: -1, text: "‹"})
		used++
	}
	for i := first; i < len(labels); i++ {
		room := w - used
		if i < len(labels)-1 {
			room-- // for "›"
		}
		if widths[i] > room {
			if i == active || i == first {
				label := Truncate(labels[i], room)
				out = append(out, tabSpan{tab: i, text: label, start: used})
				used += Width(label)
			}
			if used < w {
				out = append(out, tabSpan{tab: -1, text: "›", start: used})
			}
			break
		}
		out = append(out, tabSpan{tab: i, text: labels[i], start: used})
		used += widths[i]
	}
	return out
}

// TabStrip is one line of tabs, "1 Logs  2 Stats  3 Inspect", the active
// one highlighted, exactly w cells. When the tabs do not fit, the strip
// scrolls so that the active tab shows, with "‹" or "›" at the cut sides.
func TabStrip(st *themes.Styles, titles []string, active, w int) string {
	var b strings.Builder
	used := 0
	for _, s := range tabSpans(titles, active, w) {
		b.WriteString(tabStyle(st, s.tab == active).Render(s.text))
		used += Width(s.text)
	}
	return b.String() + strings.Repeat(" ", max(w-used, 0))
}

// TabAt is the tab drawn at cell x of the strip TabStrip draws with the
// same arguments, -1 for none (a marker, the space after the tabs).
func TabAt(titles []string, active, w, x int) int {
	for _, s := range tabSpans(titles, active, w) {
		if s.tab >= 0 && x >= s.start && x < s.start+Width(s.text) {
			return s.tab
		}
	}
	return -1
}

func tabStyle(st *themes.Styles, active bool) interface{ Render(...string) string } {
	if active {
		return st.Tabs.Active
	}
	return st.Tabs.Tab
}
