package ui

import (
	"slices"
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
	// Priority says which columns make room when the minimums do not fit:
	// the highest goes first. 0: never dropped.
	Priority int
	// Cut shortens a cell that is wider than its column (an image name keeps
	// its tag); nil cuts the end (or the start, with CutStart).
	Cut func(s string, w int) string
	// Spark draws a sparkline that ends a cell ("1.25% ▁▃▅") in the
	// theme's sparkline style.
	Spark bool
}

// markRune begins a marked row, in the place of the row's leading space.
const markRune = "▌"

// Row is one line of a Table.
type Row struct {
	Key   string   // identity across refreshes: the cursor stays on the same key
	Cells []string // plain text, one per column
	Dim   []bool   // cells to draw dimmed (e.g. "<none>"); may be nil
	// Style gives cells a style of their own (a status coloured by its
	// meaning), by column index; it wins over Dim. May be nil.
	Style map[int]lipgloss.Style
	// Paint is Style already reduced to escape sequences (NewPaint), for
	// rows drawn often; it wins over Style. May be nil.
	Paint map[int]Paint
	// Marked rows are picked for a bulk action: drawn with a mark.
	Marked bool
	// Widths are the cells' widths (CellWidths), from a caller that keeps
	// rendered rows; nil: the table measures the cells at every SetRows.
	Widths []int
}

// Table is a scrolling list of rows under a header, with a cursor row and an
// optional sort marker. It is a component: SetSize, Update (keys), View.
type Table struct {
	st       *themes.Styles
	painter  Themed[painter] // st's table styles as escape sequences
	cols     []Column
	rows     []Row
	cursor   int
	offset   int
	width    int
	height   int
	sortCol  int
	sortDesc bool
	empty    string

	natural []int  // each column's width by content: its title and widest cell
	widths  []int  // laid out at width, 0 for a hidden column
	show    []bool // columns drawn at width

	frame    string  // the last View, kept while frameKey holds
	frameKey viewKey // what it was drawn from
}

// NewTable makes an empty table with the given columns.
func NewTable(st *themes.Styles, cols []Column) *Table {
	t := &Table{st: st, cols: cols, sortCol: -1}
	t.measure()
	return t
}

// SetSize sets the size the table draws in, header included.
func (t *Table) SetSize(w, h int) {
	t.width, t.height = w, h
	t.clamp()
	t.layout()
}

// SetEmptyText sets what the table says when it has no rows.
func (t *Table) SetEmptyText(s string) { t.empty = s }

// SetSort marks column col (-1 for none) as the sort key in the header.
func (t *Table) SetSort(col int, desc bool) {
	if col == t.sortCol && desc == t.sortDesc {
		return
	}
	t.sortCol, t.sortDesc = col, desc
	t.measure()
}

// SetRows replaces the rows, keeping the cursor on the row with the same key
// if it is still there, else at the same position.
func (t *Table) SetRows(rows []Row) {
	key := ""
	if r, ok := t.Selected(); ok {
		key = r.Key
	}
	t.rows = rows
	t.measure()
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

// Window is the range [from, to) of the rows on screen.
func (t *Table) Window() (from, to int) {
	if t.height <= 1 || t.width <= 0 {
		return 0, 0
	}
	return t.offset, min(t.offset+t.visible(), len(t.rows))
}

func (t *Table) clamp() {
	t.cursor, t.offset = FollowCursor(t.cursor, t.offset, len(t.rows), t.visible())
}

// FollowCursor keeps a cursor on one of n lines and the first line shown,
// offset, where the cursor is in sight of a window of vis lines, moving
// the window as little as it can and never past the end.
func FollowCursor(cursor, offset, n, vis int) (int, int) {
	cursor = min(max(cursor, 0), max(n-1, 0))
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+vis {
		offset = cursor - vis + 1
	}
	return cursor, min(max(offset, 0), max(n-vis, 0))
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
	return i >= 0 && i < len(t.show) && t.show[i]
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

// measure finds each column's natural width: its title (with the sort
// arrow) and its widest cell, over every row so that scrolling does not move
// the columns. Then it lays the columns out again.
func (t *Table) measure() {
	nat := make([]int, len(t.cols))
	for i, c := range t.cols {
		nat[i] = Width(c.Title)
		if i == t.sortCol {
			nat[i]++
		}
	}
	for _, r := range t.rows {
		if len(r.Widths) == len(r.Cells) {
			for i, w := range r.Widths[:min(len(r.Widths), len(nat))] {
				nat[i] = max(nat[i], w)
			}
			continue
		}
		for i, cell := range r.Cells {
			if i < len(nat) {
				nat[i] = max(nat[i], cellWidth(cell))
			}
		}
	}
	t.natural = nat
	t.layout()
}

// CellWidths are the widths of cells, for Row.Widths.
func CellWidths(cells []string) []int {
	out := make([]int, len(cells))
	for i, c := range cells {
		out[i] = cellWidth(c)
	}
	return out
}

// cellWidth is Width with a quick path for plain ASCII, most cells.
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return Width(s)
		}
	}
	return len(s)
}

func (t *Table) layout() {
	t.widths, t.show = LayoutColumns(t.cols, t.natural, t.width)
}

// ColumnWidths shares width among the columns: fixed ones get their width,
// flexible ones the rest by weight between their minimum and maximum. A
// space at each end and two between columns are part of width.
func ColumnWidths(cols []Column, width int) []int {
	ws := make([]int, len(cols))
	left := width - 2 - 2*max(len(cols)-1, 0)
	for i, c := range cols {
		ws[i] = c.Width
		left -= c.Width
	}
	growFlex(cols, ws, left, true)
	return ws
}

// LayoutColumns lays columns out in width by priority and content
// (natural[i], the widest cell or title; nil for none). A column needs its
// minimum (Width, or less when its content is narrower) and wants its
// content up to its Max. Columns hidden below their HideBelow are out;
// those of Priority 0 are in; then the others, lowest Priority first, each
// if its minimum still fits beside what the columns in take (their wish for
// those of Priority 0, their minimum for the others). Each column
// starts at its minimum and grows toward its content, at first up to its
// Max, then beyond: the space goes where text would be cut, in proportion
// to what is missing. What is left goes to the flexible columns by weight,
// so that a wide table is used. A hidden column has width 0.
func LayoutColumns(cols []Column, natural []int, width int) (ws []int, shown []bool) {
	ws = make([]int, len(cols))
	shown = make([]bool, len(cols))
	minW := func(i int) int {
		if natural != nil {
			return min(cols[i].Width, natural[i])
		}
		return cols[i].Width
	}
	want := func(i int) int {
		if natural == nil {
			return cols[i].Width
		}
		w := natural[i]
		if cols[i].Max > 0 {
			w = min(w, cols[i].Max)
		}
		return max(w, minW(i))
	}
	used, n := 2, 0
	add := func(i, w int) {
		shown[i] = true
		if n > 0 {
			used += 2
		}
		used += w
		n++
	}
	var optional []int
	for i, c := range cols {
		switch {
		case width < c.HideBelow:
		case c.Priority == 0:
			add(i, want(i))
		default:
			optional = append(optional, i)
		}
	}
	slices.SortStableFunc(optional, func(a, b int) int { return cols[a].Priority - cols[b].Priority })
	for _, i := range optional {
		if used+2+minW(i) <= width {
			add(i, minW(i))
		}
	}
	left := width - 2 - 2*max(n-1, 0)
	for i := range cols {
		if shown[i] {
			ws[i] = minW(i)
			left -= ws[i]
		}
	}
	if natural != nil {
		left = growTo(cols, ws, shown, left, want)
		left = growTo(cols, ws, shown, left, func(i int) int { return natural[i] })
	}
	vis := make([]Column, 0, n)
	idx := make([]int, 0, n)
	for i, c := range cols {
		if shown[i] {
			vis = append(vis, c)
			idx = append(idx, i)
		}
	}
	vws := make([]int, len(vis))
	for j, i := range idx {
		vws[j] = ws[i]
	}
	growFlex(vis, vws, left, false)
	for j, i := range idx {
		ws[i] = vws[j]
	}
	return ws, shown
}

// growTo widens the shown columns toward target(i), sharing left evenly
// among those that miss some (water-filling: a column that misses little
// is made whole, what it leaves goes to the others); it returns what is
// left.
func growTo(cols []Column, ws []int, shown []bool, left int, target func(i int) int) int {
	for left > 0 {
		var short []int
		for i := range cols {
			if shown[i] && ws[i] < target(i) {
				short = append(short, i)
			}
		}
		if len(short) == 0 {
			return left
		}
		share := left / len(short)
		if share == 0 {
			for _, i := range short[:left] {
				ws[i]++
			}
			return 0
		}
		for _, i := range short {
			g := min(share, target(i)-ws[i])
			ws[i] += g
			left -= g
		}
	}
	return left
}

// growFlex hands left out to flexible columns, by weight, in rounds so that
// a capped column passes its share on. Unless capped, what the caps leave
// goes to the flexible columns anyway: no empty band at the right.
func growFlex(cols []Column, ws []int, left int, capped bool) {
	for _, useMax := range []bool{true, false} {
		if !useMax && capped {
			return
		}
		for left > 0 {
			weight := 0
			for i, c := range cols {
				if c.Flex > 0 && (!useMax || c.Max == 0 || ws[i] < c.Max) {
					weight += c.Flex
				}
			}
			if weight == 0 {
				break
			}
			given, share := 0, left
			for i, c := range cols {
				if c.Flex == 0 || (useMax && c.Max > 0 && ws[i] >= c.Max) {
					continue
				}
				n := max(share*c.Flex/weight, 1)
				if useMax && c.Max > 0 {
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
	}
}

// View draws the header and the visible rows, exactly width×height. The
// frame is kept until something it shows changes: a list redrawn for a
// message that changed nothing on it costs nothing.
func (t *Table) View() string {
	if t.width <= 0 || t.height <= 0 {
		return ""
	}
	paint := t.painter.Get(t.st, newPainter)
	key := t.viewKey(paint)
	if t.frame != "" && t.frameKey == key {
		return t.frame
	}
	idx := t.shown()
	ws := t.widths
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
	} else {
		end := min(t.offset+t.visible(), len(t.rows))
		for i := t.offset; i < end; i++ {
			r := t.rows[i]
			if i == t.cursor {
				line := t.joinCells(idx, r.Cells, ws)
				if r.Marked {
					line = markRune + line[1:]
				}
				lines = append(lines, t.st.Table.Selected.Render(Fit(line, t.width)))
				continue
			}
			lines = append(lines, t.styledRow(idx, r, ws, paint))
		}
	}
	t.frame = Block(strings.Join(lines, "\n"), t.width, t.height)
	t.frameKey = key
	return t.frame
}

// viewKey is what the kept frame was drawn from: the rows (a new slice at
// every SetRows), the cursor and scroll, the size, the sort, the empty
// text and the styles (by the escape sequences of the cells' and the
// selection's: a theme changes the styles in place).
type viewKey struct {
	rows                  *Row
	nrows, cursor, offset int
	width, height         int
	sortCol               int
	sortDesc              bool
	empty                 string
	styles                painter
}

func (t *Table) viewKey(p painter) viewKey {
	var first *Row
	if len(t.rows) > 0 {
		first = &t.rows[0]
	}
	return viewKey{first, len(t.rows), t.cursor, t.offset, t.width, t.height, t.sortCol, t.sortDesc, t.empty, p}
}

// painter draws text in the table's fixed styles by string concatenation:
// each style's escape sequences are found once a frame (lipgloss's Render
// is the cost of drawing a table: a line has ten cells).
type painter struct {
	cell, dim, marked, selected, spark [2]string // before and after the text
}

func newPainter(st *themes.Styles) painter {
	return painter{cell: wrapOf(st.Table.Cell), dim: wrapOf(st.Table.Dim), marked: wrapOf(st.Table.Marked),
		selected: wrapOf(st.Table.Selected), spark: wrapOf(st.Table.Spark)}
}

// sparkTail splits a cell's text before the sparkline that ends it; ok is
// false when it has none.
func sparkTail(text string) (head, tail string, ok bool) {
	end := strings.TrimRight(text, " ")
	i := strings.LastIndexByte(end, ' ')
	if i < 0 || i == len(end)-1 {
		return "", "", false
	}
	for _, r := range end[i+1:] {
		if r < '▁' || r > '█' {
			return "", "", false
		}
	}
	return text[:i+1], text[i+1:], true
}

// wrapOf is what style puts before and after a one-line text.
func wrapOf(style lipgloss.Style) [2]string {
	p := NewPaint(style)
	return [2]string{p.pre, p.post}
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
	c := t.cols[i]
	if c.Cut != nil && cellWidth(cell) > w {
		cell = c.Cut(cell, w)
	}
	switch {
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
func (t *Table) styledRow(idx []int, r Row, ws []int, paint painter) string {
	var b strings.Builder
	b.Grow(t.width * 2)
	lineW := 1
	if r.Marked {
		b.WriteString(paint.marked[0] + markRune + paint.marked[1])
	} else {
		b.WriteByte(' ')
	}
	for j, i := range idx {
		if j > 0 {
			b.WriteString("  ")
			lineW += 2
		}
		cell := ""
		if i < len(r.Cells) {
			cell = r.Cells[i]
		}
		text := t.fitCell(i, cell, ws[i])
		lineW += ws[i]
		wrap := paint.cell
		if i < len(r.Dim) && r.Dim[i] {
			wrap = paint.dim
		}
		if p, ok := r.Paint[i]; ok && !r.Marked {
			b.WriteString(p.Render(text))
			continue
		}
		if st, ok := r.Style[i]; ok && !r.Marked {
			b.WriteString(st.Render(text))
			continue
		}
		if r.Marked {
			wrap = paint.marked
		}
		if head, tail, ok := sparkTail(text); ok && t.cols[i].Spark && !r.Marked {
			b.WriteString(wrap[0] + head + wrap[1] + paint.spark[0] + tail + paint.spark[1])
			continue
		}
		b.WriteString(wrap[0])
		b.WriteString(text)
		b.WriteString(wrap[1])
	}
	if lineW <= t.width {
		b.WriteString(strings.Repeat(" ", t.width-lineW))
		return b.String()
	}
	// Wider than the table: the window is narrower than the minimums.
	return Fit(b.String(), t.width)
}
