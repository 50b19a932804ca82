package ui

// TitleTabAt is the tab of the title bar that TitleBar(st, app, tabs, …)
// draws at column x, or -1: the mouse's way to switch panes.
func TitleTabAt(app string, tabs []string, width, x int) int {
	used := Width(" " + app + " ")
	for i, t := range tabs {
		used++ // the space between tabs
		w := Width(" " + itoa(i+1) + " " + t + " ")
		if used+w > width {
			return -1
		}
		if x >= used && x < used+w {
			return i
		}
		used += w
	}
	return -1
}

// RowAt is the row of a Table drawn at line y of the table (0 is the
// header), or -1.
func (t *Table) RowAt(y int) int {
	if y < 1 || y > t.visible() {
		return -1
	}
	i := t.offset + y - 1
	if i >= len(t.rows) {
		return -1
	}
	return i
}
