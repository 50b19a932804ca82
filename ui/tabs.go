package ui

import (
	"strings"

	"berth/themes"
)

// TabStrip is one line of tabs, "1 Logs  2 Stats  3 Inspect", the active
// one highlighted, exactly w cells. When the tabs do not fit, the strip
// scrolls so that the active tab shows, with "‹" or "›" at the cut sides.
func TabStrip(st *themes.Styles, titles []string, active, w int) string {
	if w <= 0 {
		return ""
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
	var b strings.Builder
	used := 0
	if first > 0 {
		b.WriteString(st.Tabs.Tab.Render("‹"))
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
				b.WriteString(tabStyle(st, i == active).Render(label))
				used += Width(label)
			}
			if used < w {
				b.WriteString(st.Tabs.Tab.Render("›"))
				used++
			}
			break
		}
		b.WriteString(tabStyle(st, i == active).Render(labels[i]))
		used += widths[i]
	}
	return b.String() + strings.Repeat(" ", max(w-used, 0))
}

func tabStyle(st *themes.Styles, active bool) interface{ Render(...string) string } {
	if active {
		return st.Tabs.Active
	}
	return st.Tabs.Tab
}
