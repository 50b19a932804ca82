package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"berth/themes"
)

// Column describes one column of a Table.
type Column struct {
	Title string
	Width int  // the width of a fixed column, the minimum of a flexible one
	Flex  int  // > 0: the column takes this share of the width left over
	Max   int  // the most a flexible column takes; 0 for no limit
	Right bool // align to the right (numbers, sizes)
	// CutStart cuts a long cell at its start rather than its end (paths).
	CutStart bool
	// HideBelow hides the column while the table is narrower than this:
	// less important columns make room on small screens. 0: always shown.
	HideBelow int
}

// Row is one line of a Table.
type Row struct {
	Key   string   // identity across refreshes: the cursor stays on the same key
	Cells []string // plain text, one per column
	Dim   []bool   // cells to draw dimmed (e.g. "<none>"); may be nil
	// Style gives cells a style of their own (a status coloured by its
	// meaning), by column index; it wins over Dim. May be nil.
	Style map[int]lipgloss.Style
}

// Table is a scrolling list of rows under a header, with a cursor row and an
// optional sort marker. It is a component: SetSize, Update (keys), View.
type Table struct {
	st       *themes.Styles
	cols     []Column
	rows     []Row
	cursor   int
	offset   int
	width    int
	height   int
	sortCol  int
	sortDesc bool
	empty    string
}

// NewTable makes an empty table with the given columns.
func NewTable(st *themes.Styles, cols []Column) *Table {
	return &Table{st: st, cols: cols, sortCol: -1}
}

// SetSize sets the size the table draws in, header included.
func (t *Table) SetSize(w, h int) {
	t.width, t.height = w, h
	t.clamp()
}

// SetEmptyText sets what the table says when it has no rows.
func (t *Table) SetEmptyText(s string) { t.empty = s }

// SetSort marks column col (-1 for none) as the sort key in the header.
func (t *Table) SetSort(col int, desc bool) { t.sortCol, t.sortDesc = col, desc }

// SetRows replaces the rows, keeping the cursor on the row with the same key
// if it is still there, else at the same position.
func (t *Table) SetRows(rows []Row) {
	key := ""
	if r, ok := t.Selected(); ok {
		key = r.Key
	}
	t.rows = rows
	if key != "" {
		for i, r := range rows {
			if r.Key == key {
				t.cursor = i
				break
			}
		}
	}
	t.clamp()
}

// Cursor is the index of the selected row.
func (t *Table) Cursor() int { return t.cursor }

// Selected is the row under the cursor; false when the table is empty.
func (t *Table) Selected() (Row, bool) {
	if t.cursor < 0 || t.cursor >= len(t.rows) {
		return Row{}, false
	}
	return t.rows[t.cursor], true
}

// SetCursor moves the cursor to row i (clamped).
func (t *Table) SetCursor(i int) {
	t.cursor = i
	t.clamp()
}

// Move moves the cursor by n rows (negative is up).
func (t *Table) Move(n int) { t.SetCursor(t.cursor + n) }

func (t *Table) visible() int { return max(t.height-1, 1) }

func (t *Table) clamp() {
	t.cursor = min(max(t.cursor, 0), max(len(t.rows)-1, 0))
	vis := t.visible()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+vis {
		t.offset = t.cursor - vis + 1
	}
	t.offset = min(max(t.offset, 0), max(len(t.rows)-vis, 0))
}

// Update moves the cursor for the navigation keys of km and reports whether
// msg was one of them.
func (t *Table) Update(msg tea.Msg, km *KeyMap) bool {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false
	}
	switch {
	case km.Up.Matches(k):
		t.Move(-1)
	case km.Down.Matches(k):
		t.Move(1)
	case km.PageUp.Matches(k):
		t.Move(-t.visible())
	case km.PageDown.Matches(k):
		t.Move(t.visible())
	case km.Top.Matches(k):
		t.SetCursor(0)
	case km.Bottom.Matches(k):
		t.SetCursor(len(t.rows) - 1)
	default:
		return false
	}
	return true
}

// ColumnShown reports whether column i is drawn at the table's width.
func (t *Table) ColumnShown(i int) bool {
	return i >= 0 && i < len(t.cols) && t.width >= t.cols[i].HideBelow
}

// shown are the indexes of the columns drawn at the table's width.
func (t *Table) shown() []int {
	var idx []int
	for i := range t.cols {
		if t.ColumnShown(i) {
			idx = append(idx, i)
		}
	}
	return idx
}

// ColumnWidths shares width among the columns: fixed ones get their width,
// flexible ones the rest by weight between their minimum and maximum. A
// space at each end and two between columns are part of width.
func ColumnWidths(cols []Column, width int) []int {
	ws := make([]int, len(cols))
	left := width - 2 - 2*max(len(cols)-1, 0)
	flex := 0
	for i, c := range cols {
		ws[i] = c.Width
		left -= c.Width
		flex += c.Flex
	}
	// Hand out the rest to flexible columns, by weight, in rounds so that a
	// capped column passes its share on.
	for left > 0 && flex > 0 {
		given := 0
		share := left
		weight := 0
		for _, c := range cols {
			if c.Flex > 0 {
				weight += c.Flex
			}
		}
		for i, c := range cols {
			if c.Flex == 0 || (c.Max > 0 && ws[i] >= c.Max) {
				continue
			}
			n := max(share*c.Flex/weight, 1)
			if c.Max > 0 {
				n = min(n, c.Max-ws[i])
			}
			n = min(n, left-given)
			ws[i] += n
			given += n
		}
		if given == 0 {
			break
		}
		left -= given
	}
	return ws
}

// View draws the header and the visible rows, exactly width×height.
func (t *Table) View() string {
	if t.width <= 0 || t.height <= 0 {
		return ""
	}
	idx := t.shown()
	cols := make([]Column, len(idx))
	for j, i := range idx {
		cols[j] = t.cols[i]
	}
	ws := make([]int, len(t.cols))
	for j, w := range ColumnWidths(cols, t.width) {
		ws[idx[j]] = w
	}
	lines := make([]string, 0, t.height)

	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.Title
		if i == t.sortCol {
			if t.sortDesc {
				titles[i] += "↓"
			} else {
				titles[i] += "↑"
			}
		}
	}
	lines = append(lines, t.st.Table.Header.Render(Fit(t.joinCells(idx, titles, ws), t.width)))

	if len(t.rows) == 0 {
		lines = append(lines, t.st.Table.Empty.Render(Fit(" "+t.empty, t.width)))
		return Block(strings.Join(lines, "\n"), t.width, t.height)
	}
	end := min(t.offset+t.visible(), len(t.rows))
	for i := t.offset; i < end; i++ {
		r := t.rows[i]
		if i == t.cursor {
			lines = append(lines, t.st.Table.Selected.Render(Fit(t.joinCells(idx, r.Cells, ws), t.width)))
			continue
		}
		lines = append(lines, t.styledRow(idx, r, ws))
	}
	return Block(strings.Join(lines, "\n"), t.width, t.height)
}

// joinCells lays out plain cells in the columns idx.
func (t *Table) joinCells(idx []int, cells []string, ws []int) string {
	var b strings.Builder
	b.WriteByte(' ')
	for j, i := range idx {
		if j > 0 {
			b.WriteString("  ")
		}
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		b.WriteString(t.fitCell(i, cell, ws[i]))
	}
	return b.String()
}

func (t *Table) fitCell(i int, cell string, w int) string {
	switch c := t.cols[i]; {
	case c.CutStart && c.Right:
		return PadLeft(TruncateStart(cell, w), w)
	case c.CutStart:
		return PadRight(TruncateStart(cell, w), w)
	case c.Right:
		return FitRight(cell, w)
	}
	return Fit(cell, w)
}

// styledRow lays out a row that is not selected, each cell in its style.
func (t *Table) styledRow(idx []int, r Row, ws []int) string {
	var b strings.Builder
	b.WriteByte(' ')
	for j, i := range idx {
		if j > 0 {
			b.WriteString("  ")
		}
		cell := ""
		if i < len(r.Cells) {
			cell = r.Cells[i]
		}
		style := t.st.Table.Cell
		if i < len(r.Dim) && r.Dim[i] {
			style = t.st.Table.Dim
		}
		if st, ok := r.Style[i]; ok {
			style = st
		}
		b.WriteString(style.Render(t.fitCell(i, cell, ws[i])))
	}
	// Fit the assembled line (it may be wider than t.width when the window
	// is narrower than the fixed columns).
	return Fit(b.String(), t.width)
}
