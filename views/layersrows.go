package views

import (
	"io/fs"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine/image"
	"berth/engine/layertree"
	"berth/themes"
	"berth/ui"
)

// Pure render functions of the layer browser: its summary line, the rows
// of the layer list and of the file tree.

// Columns of the layer list.
var layerColumns = []ui.Column{
	{Title: "#", Width: 2, Right: true},
	{Title: "SIZE", Width: 8, Right: true},
	{Title: "COMMAND", Width: 8, Flex: 1},
}

// Columns of the file tree: the mark, then as dive lays it out.
var treeColumns = []ui.Column{
	{Title: " ", Width: 1},
	{Title: "SIZE", Width: 8, Right: true},
	{Title: "MODE", Width: 10, HideBelow: 64},
	{Title: "UID:GID", Width: 9, Right: true, HideBelow: 84},
	{Title: "NAME", Width: 10, Flex: 1},
}

// layersSummary is the line above the columns: "busybox:latest · 202 MB
// in 6 layers · wasted 4.0 kB · efficiency 99.9 %".
func layersSummary(st *themes.Styles, ref string, a *image.LayerAnalysis) string {
	sep := st.Muted.Render(" · ")
	wasted := st.Text.Render("wasted " + humanSize(a.Wasted))
	if a.Wasted > 0 {
		wasted = st.Warning.Render("wasted " + humanSize(a.Wasted))
	}
	return " " + st.Accent.Render(ref) + sep +
		st.Text.Render(humanSize(a.Size)+" in "+plural(len(a.Layers), "layer")) + sep +
		wasted + sep + st.Text.Render("efficiency "+efficiencyPercent(a.Efficiency))
}

// efficiencyPercent is dive's score as a percentage: "99.9 %", never 100
// unless nothing is wasted.
func efficiencyPercent(e float64) string {
	p := e * 100
	if e < 1 && p > 99.9 {
		p = 99.9
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + " %"
}

// layerRows are the rows of the layer list, bottom layer first.
func layerRows(ls []image.LayerDetail) []ui.Row {
	rows := make([]ui.Row, len(ls))
	for i, l := range ls {
		cmd := layerCommand(l.Command)
		r := ui.Row{Key: strconv.Itoa(i), Cells: []string{strconv.Itoa(i + 1), humanSize(l.Size), cmd}}
		if l.Command == "" {
			r.Dim = []bool{false, false, true}
		}
		rows[i] = r
	}
	return rows
}

// layerCommand is a history step as one line, without the shell prefix
// that builders record: "/bin/sh -c #(nop)  CMD [\"sh\"]" -> "CMD [\"sh\"]",
// "/bin/sh -c apk add x" -> "RUN apk add x".
func layerCommand(s string) string {
	s = oneLine(s)
	if s == "" {
		return "(no history)"
	}
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c #(nop) "); ok {
		return strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c "); ok {
		return "RUN " + rest
	}
	return s
}

// treeRow is one visible node of the file tree.
type treeRow struct {
	node  *layertree.Node
	path  string
	depth int
	open  bool // a directory shown open
}

// treeShow says which nodes the tree shows and which directories are
// open.
type treeShow struct {
	changesOnly bool   // hide what the layer did not touch
	filter      string // show paths containing it (case-insensitive), with their directories
	// toggled are the directories the user opened (true) or closed
	// (false); the others are open when something under them changed.
	// While a filter is set, every directory it shows is open.
	toggled map[string]bool
}

// flattenTree lists the visible nodes of root, depth first.
func flattenTree(root *layertree.Node, o treeShow) []treeRow {
	var match map[*layertree.Node]bool
	if o.filter != "" {
		match = map[*layertree.Node]bool{}
		markMatches(root, "", strings.ToLower(o.filter), match)
	}
	var rows []treeRow
	var walk func(n *layertree.Node, prefix string, depth int)
	walk = func(n *layertree.Node, prefix string, depth int) {
		for _, c := range n.Children {
			if match != nil && !match[c] {
				continue
			}
			if o.changesOnly && c.Mark == layertree.Unmodified && !c.Changed {
				continue
			}
			p := c.Name
			if prefix != "" {
				p = prefix + "/" + c.Name
			}
			r := treeRow{node: c, path: p, depth: depth}
			if len(c.Children) > 0 {
				open, set := o.toggled[p]
				if !set {
					open = c.Changed
				}
				r.open = open || match != nil // a filter shows every match
			}
			rows = append(rows, r)
			if r.open {
				walk(c, p, depth+1)
			}
		}
	}
	walk(root, "", 0)
	return rows
}

// markMatches records the nodes whose path contains q, or that hold one;
// it reports whether n's subtree has a match.
func markMatches(n *layertree.Node, path, q string, match map[*layertree.Node]bool) bool {
	found := path != "" && strings.Contains(strings.ToLower(path), q)
	for _, c := range n.Children {
		p := c.Name
		if path != "" {
			p = path + "/" + c.Name
		}
		if markMatches(c, p, q, match) {
			found = true
		}
	}
	if found {
		match[n] = true
	}
	return found
}

// treeTableRows draws rows for the tree's table: each row in the colour
// of its mark.
func treeTableRows(st *themes.Styles, rows []treeRow) []ui.Row {
	// One style map per mark, shared by its rows (tables only read them).
	var styles [layertree.Removed + 1]map[int]lipgloss.Style
	for m := range styles {
		style := markStyle(st, layertree.Mark(m))
		styles[m] = map[int]lipgloss.Style{0: style, 1: style, 2: style, 3: style, 4: style}
	}
	out := make([]ui.Row, len(rows))
	cells := make([]string, 5*len(rows))
	for i, r := range rows {
		n := r.node
		name := strings.Repeat("  ", r.depth)
		switch {
		case len(n.Children) > 0 && r.open:
			name += "▾ "
		case len(n.Children) > 0:
			name += "▸ "
		default:
			name += "  "
		}
		name += n.Name
		if n.Kind == layertree.KindDir {
			name += "/"
		}
		if n.Link != "" {
			name += " → " + n.Link
		}
		c := cells[5*i : 5*i+5 : 5*i+5]
		c[0], c[1], c[2], c[3], c[4] = markChar(n.Mark), humanSize(n.Size), unixMode(n.Mode), owner(n.UID, n.GID), name
		out[i] = ui.Row{Key: r.path, Cells: c, Style: styles[n.Mark]}
	}
	return out
}

// owner is "uid:gid"; "0:0" without allocating.
func owner(uid, gid int) string {
	if uid == 0 && gid == 0 {
		return "0:0"
	}
	return strconv.Itoa(uid) + ":" + strconv.Itoa(gid)
}

// markChar is the mark column: + added, ~ modified, - removed.
func markChar(m layertree.Mark) string {
	switch m {
	case layertree.Added:
		return "+"
	case layertree.Modified:
		return "~"
	case layertree.Removed:
		return "-"
	}
	return " "
}

func markStyle(st *themes.Styles, m layertree.Mark) lipgloss.Style {
	switch m {
	case layertree.Added:
		return st.Layers.Added
	case layertree.Modified:
		return st.Layers.Modified
	case layertree.Removed:
		return st.Layers.Removed
	}
	return st.Layers.Unmodified
}

// unixMode is a mode as ls draws it: "drwxr-xr-x", "-rwsr-xr-x",
// "drwxrwxrwt".
func unixMode(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	}
	const rwx = "rwxrwxrwx"
	for i := range 9 {
		if m&(1<<(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	special := func(i int, set bool, on, off byte) {
		if !set {
			return
		}
		if b[i] == '-' {
			b[i] = off
		} else {
			b[i] = on
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's', 'S')
	special(6, m&fs.ModeSetgid != 0, 's', 'S')
	special(9, m&fs.ModeSticky != 0, 't', 'T')
	return string(b)
}

// wasteView is the list of the paths stored more than once, most bytes
// first, w×h: the count of copies and deletions, their bytes, the path.
func wasteView(st *themes.Styles, ws []layertree.Waste, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := []string{st.Table.Header.Render(ui.Fit(" COUNT    WASTED  PATH", w))}
	for _, x := range ws {
		if len(lines) == h {
			break
		}
		left := " " + ui.FitRight(strconv.Itoa(x.Count), 5) + "  " + ui.FitRight(humanSize(x.Size), 8) + "  "
		lines = append(lines, st.Text.Render(left+ui.TruncateStart(x.Path, max(w-ui.Width(left), 1))))
	}
	return ui.Block(strings.Join(lines, "\n"), w, h)
}

// layerInfoLines are the details of layer l, w wide: its digest (the
// uncompressed layer's, as dive shows it), its blob's, its size, and the
// whole command that made it, wrapped.
func layerInfoLines(l image.LayerDetail, w int) []string {
	const indent = "          "
	field := func(name, v string) string { return ui.Truncate(" "+ui.PadRight(name, len(indent)-1)+v, w) }
	lines := []string{field("DIGEST", l.DiffID), field("BLOB", l.Digest), field("SIZE", humanSize(l.Size))}
	cmd := oneLine(l.Command)
	if cmd == "" {
		cmd = "(no history)"
	}
	for i, part := range strings.Split(ansi.Wrap(cmd, max(w-len(indent), 8), " "), "\n") {
		if i == 0 {
			lines = append(lines, field("COMMAND", part))
		} else {
			lines = append(lines, ui.Truncate(indent+part, w))
		}
	}
	return lines
}
