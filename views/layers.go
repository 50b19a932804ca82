package views

import (
	"context"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/engine/layertree"
	"berth/ui"
)

// layersEngine is the engine's optional ability (checked with a type
// assertion; *engine.Engine has it) to analyse an image's layers.
type layersEngine interface {
	ImageLayers(ctx context.Context, ref string) (*image.LayerAnalysis, error)
}

// Messages of the Layers tab, each with its tab and the sequence number of
// the load it answers, so that a closed or reopened tab drops late ones.
type (
	layersMsg struct {
		Tab *layersTab
		Seq int
		A   *image.LayerAnalysis
		Err error
	}
	// layersTreeMsg is the image's tree at Layer, built in a command.
	layersTreeMsg struct {
		Tab   *layersTab
		Seq   int
		Layer int
		Tree  *layertree.Node
	}
)

// layersTab is an image's Layers tab, a layer browser as dive's: the
// layers on the left, on the right the files of the selected layer (what
// it added, modified, removed) or of the image as that layer leaves it;
// above them the image's size, wasted space and efficiency.
type layersTab struct {
	env  *env
	ref  string
	keys layersKeys

	seq     int
	loading bool
	err     error
	a       *image.LayerAnalysis
	images  map[int]*layertree.Node // image trees built, by layer
	pending map[int]bool            // image trees being built

	list        *ui.Table // the layers
	tree        *ui.Table // the files
	rows        []treeRow
	focusTree   bool
	imageMode   bool // the image at the layer, not the layer's changes
	changesOnly bool
	toggled     map[string]bool
	filter      ui.Filter
	styledFor   string // the theme the file rows were coloured in

	width, height int
}

type layersKeys struct {
	Focus, Open, Close, Toggle, Mode, Changes, Back ui.Binding
}

var _ detailTab = (*layersTab)(nil)

// newLayersTab is the Layers tab of the image ref; Open loads it.
func newLayersTab(e *env, ref string) detailTab { return newLayersView(e, ref) }

func newLayersView(e *env, ref string) *layersTab {
	v := &layersTab{env: e, ref: ref,
		list:    ui.NewTable(e.Styles, layerColumns),
		tree:    ui.NewTable(e.Styles, treeColumns),
		toggled: map[string]bool{},
		filter:  ui.NewFilter(e.Styles, "path"),
		keys:    e.tabKeys().layers}
	v.list.SetEmptyText("Loading…")
	v.tree.SetEmptyText("Loading…")
	return v
}

// Title is the tab's name.
func (v *layersTab) Title() string { return "Layers" }

// Open loads the analysis in a command. Opened again, the tab shows what
// it had until the new analysis comes, and keeps its place in it.
func (v *layersTab) Open() tea.Cmd {
	v.seq++
	v.loading, v.err = true, nil
	v.images, v.pending = map[int]*layertree.Node{}, map[int]bool{}
	seq, ref, ctx := v.seq, v.ref, v.env.ctx
	le, ok := v.env.eng.(layersEngine)
	return func() tea.Msg {
		if !ok {
			return layersMsg{Tab: v, Seq: seq, Err: errdefs.Unavailable("this engine cannot analyse layers")}
		}
		a, err := le.ImageLayers(ctx, ref)
		return layersMsg{Tab: v, Seq: seq, A: a, Err: err}
	}
}

// Close drops what is still on its way.
func (v *layersTab) Close() {
	v.seq++
	v.loading = false
}

// Capturing: the filter is being typed.
func (v *layersTab) Capturing() bool { return v.filter.Typing() }

// SetSize sets the size of the tab.
func (v *layersTab) SetSize(w, h int) {
	v.width, v.height = w, h
	lw, rw, ch := v.columns()
	lh, _, _ := v.leftParts()
	v.list.SetSize(max(lw-2, 0), max(lh-2, 0))
	v.tree.SetSize(max(rw-2, 0), max(ch-2-v.filter.Lines(), 0))
}

// leftParts share the left column: the layers as high as they need,
// below them the selected layer's details, then the wasted paths when two
// of them fit; the layers take what is left over.
func (v *layersTab) leftParts() (layers, info, waste int) {
	lw, _, h := v.columns()
	if v.a == nil || len(v.a.Layers) == 0 {
		return h, 0, 0
	}
	layers = min(len(v.a.Layers)+3, h) // the header and the frame
	avail := h - layers
	if avail < 5 {
		return h, 0, 0
	}
	keep := 0 // for the wasted paths
	if len(v.a.Waste) > 0 && avail >= 10 {
		keep = 5
	}
	info = min(len(layerInfoLines(v.a.Layers[v.layer()], lw-2))+2, avail-keep)
	if avail -= info; keep > 0 {
		waste = avail
	} else {
		layers += avail
	}
	return layers, info, waste
}

// columns are the widths of the two columns and their height: the left
// one takes two fifths, at least 26 and at most 70 cells.
func (v *layersTab) columns() (lw, rw, h int) {
	lw = min(max(v.width*2/5, 26), 70, v.width/2)
	return lw, v.width - lw, max(v.height-1, 0)
}

// Update takes the tab's messages.
func (v *layersTab) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case layersMsg:
		if msg.Tab != v || msg.Seq != v.seq {
			return nil
		}
		v.loading = false
		if msg.Err != nil {
			v.err = msg.Err
			v.list.SetEmptyText("")
			return ui.ErrorStatus(msg.Err)
		}
		same := v.a != nil && v.a.ImageID == msg.A.ImageID // opened again: stay where the user was
		v.a = msg.A
		v.list.SetRows(layerRows(v.a.Layers))
		if !same {
			v.list.SetCursor(len(v.a.Layers) - 1)
		}
		v.SetSize(v.width, v.height)
		return v.showLayer()
	case layersTreeMsg:
		if msg.Tab != v || msg.Seq != v.seq {
			return nil
		}
		delete(v.pending, msg.Layer)
		v.images[msg.Layer] = msg.Tree
		if msg.Layer == v.layer() {
			v.refreshTree()
		}
	}
	return nil
}

// layer is the selected layer's index.
func (v *layersTab) layer() int { return v.list.Cursor() }

// current is the tree the files column shows; nil while it is built.
func (v *layersTab) current() *layertree.Node {
	if v.a == nil || len(v.a.Layers) == 0 {
		return nil
	}
	if !v.imageMode {
		return v.a.Layers[v.layer()].Changes
	}
	return v.images[v.layer()]
}

// showLayer shows the selected layer, building its image tree in a
// command if that is what is shown and it is not built yet.
func (v *layersTab) showLayer() tea.Cmd {
	v.SetSize(v.width, v.height) // the layer's details may take more lines or fewer
	v.refreshTree()
	if v.a == nil || !v.imageMode || len(v.a.Layers) == 0 {
		return nil
	}
	i := v.layer()
	if v.images[i] != nil || v.pending[i] {
		return nil
	}
	v.pending[i] = true
	a, seq := v.a, v.seq
	return func() tea.Msg { return layersTreeMsg{Tab: v, Seq: seq, Layer: i, Tree: a.ImageTree(i)} }
}

// refreshTree lists the files again (after a change of layer, mode,
// filter, or a directory opened), keeping the cursor on the same path.
func (v *layersTab) refreshTree() {
	root := v.current()
	switch {
	case v.a == nil:
	case root == nil:
		v.tree.SetEmptyText("Building the image's tree…")
	case v.filter.Value() != "":
		v.tree.SetEmptyText("No path matches the filter. Esc clears it.")
	case v.changesOnly || !v.imageMode:
		v.tree.SetEmptyText("This layer changes no file.")
	default:
		v.tree.SetEmptyText("No files.")
	}
	v.styledFor = v.env.Styles.Theme.Name
	v.rows = nil
	if root != nil {
		v.rows = flattenTree(root, treeShow{changesOnly: v.changesOnly, filter: v.filter.Value(), toggled: v.toggled})
	}
	v.tree.SetRows(treeTableRows(v.env.Styles, v.rows))
}

// Key handles the tab's keys; the others are left to the pane.
func (v *layersTab) Key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	km, k := v.env.Keys, v.keys
	if v.filter.Typing() {
		if (km.Up.Matches(msg) || km.Down.Matches(msg)) && msg.Text == "" {
			v.tree.Update(msg, km)
			return nil, true
		}
		changed, cmd := v.filter.Update(msg, km)
		if changed {
			v.refreshTree()
			v.tree.SetCursor(0)
		}
		v.SetSize(v.width, v.height)
		return cmd, true
	}
	if v.a == nil {
		return nil, false // loading, or failed: only back works
	}
	switch {
	case k.Focus.Matches(msg):
		v.focusTree = !v.focusTree
	case km.Filter.Matches(msg):
		v.focusTree = true
		v.filter.Open()
		v.SetSize(v.width, v.height)
	case km.Back.Matches(msg) && v.filter.Value() != "":
		v.filter.Clear()
		v.refreshTree()
		v.SetSize(v.width, v.height)
	case k.Mode.Matches(msg):
		v.imageMode = !v.imageMode
		return v.showLayer(), true
	case k.Changes.Matches(msg) && !v.imageMode:
		return ui.Infof("c: %s", v.changesWhy()), true
	case k.Changes.Matches(msg):
		v.changesOnly = !v.changesOnly
		v.refreshTree()
	case !v.focusTree:
		return v.layerKey(msg)
	default:
		return v.treeKey(msg)
	}
	return nil, true
}

// layerKey is a key in the layer list.
func (v *layersTab) layerKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	before := v.layer()
	switch {
	case v.list.Update(msg, v.env.Keys):
		if v.layer() != before {
			return v.showLayer(), true
		}
	case v.keys.Open.Matches(msg), v.keys.Toggle.Matches(msg):
		v.focusTree = true
	default:
		return nil, false
	}
	return nil, true
}

// treeKey is a key in the file tree.
func (v *layersTab) treeKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	i := v.tree.Cursor()
	var row *treeRow
	if i >= 0 && i < len(v.rows) {
		row = &v.rows[i]
	}
	isDir := row != nil && len(row.node.Children) > 0
	switch {
	case v.tree.Update(msg, v.env.Keys):
	case v.keys.Toggle.Matches(msg) && isDir:
		v.toggled[row.path] = !row.open
		v.refreshTree()
	case v.keys.Open.Matches(msg) && isDir && !row.open:
		v.toggled[row.path] = true
		v.refreshTree()
	case v.keys.Open.Matches(msg) && isDir:
		v.tree.Move(1)
	case v.keys.Close.Matches(msg) && isDir && row.open:
		v.toggled[row.path] = false
		v.refreshTree()
	case v.keys.Close.Matches(msg) && row != nil && row.depth > 0:
		parent := row.path[:strings.LastIndexByte(row.path, '/')]
		for j := i - 1; j >= 0; j-- {
			if v.rows[j].path == parent {
				v.tree.SetCursor(j)
				break
			}
		}
	case v.keys.Close.Matches(msg):
		v.focusTree = false
	case v.keys.Open.Matches(msg), v.keys.Toggle.Matches(msg):
	default:
		return nil, false
	}
	return nil, true
}

// View draws the summary line and the two columns.
func (v *layersTab) View() string {
	st := v.env.Styles
	if v.a == nil {
		body := " Loading…"
		switch {
		case v.err != nil:
			body = " Could not analyse the layers: " + oneLine(v.err.Error())
		case !v.loading:
			body = ""
		}
		return ui.Frame(st, "Layers "+v.ref, "", true, st.Table.Empty.Render(body), v.width, v.height)
	}
	if v.styledFor != st.Theme.Name {
		v.refreshTree() // :theme changed the styles the rows were coloured in
	}
	lw, rw, h := v.columns()
	lh, ih, wh := v.leftParts()
	left := ui.Frame(st, "Layers ("+strconv.Itoa(len(v.a.Layers))+")", "", !v.focusTree, v.list.View(), lw, lh)
	if ih > 0 {
		info := strings.Join(layerInfoLines(v.a.Layers[v.layer()], lw-2), "\n")
		left += "\n" + ui.Frame(st, "Layer "+strconv.Itoa(v.layer()+1), "", false, st.Text.Render(info), lw, ih)
	}
	if wh > 0 {
		left += "\n" + ui.Frame(st, "Wasted space ("+strconv.Itoa(len(v.a.Waste))+")", "", false, wasteView(st, v.a.Waste, lw-2, wh-2), lw, wh)
	}
	var body []string
	if v.filter.Lines() > 0 {
		body = append(body, v.filter.View(st, rw-2))
	}
	body = append(body, v.tree.View())
	title := "Changes of layer " + strconv.Itoa(v.layer()+1)
	if v.imageMode {
		title = "Image at layer " + strconv.Itoa(v.layer()+1)
	}
	var info []string
	if v.changesOnly {
		info = append(info, "changes only")
	}
	info = append(info, strconv.Itoa(len(v.rows))+" shown")
	right := ui.Frame(st, title, strings.Join(info, " · "), v.focusTree, strings.Join(body, "\n"), rw, h)
	return ui.Block(layersSummary(st, v.ref, v.a)+"\n"+joinColumns(left, right), v.width, v.height)
}

// joinColumns puts two blocks of the same height side by side.
func joinColumns(left, right string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	out := make([]string, max(len(l), len(r)))
	for i := range out {
		if i < len(l) {
			out[i] = l[i]
		}
		if i < len(r) {
			out[i] += r[i]
		}
	}
	return strings.Join(out, "\n")
}

// KeyGroups are the tab's keys, for help.
func (v *layersTab) KeyGroups() []ui.KeyGroup {
	k := v.keys
	return []ui.KeyGroup{{Title: "Layers", Keys: []ui.Binding{k.Focus, k.Open, k.Close, k.Toggle, k.Mode, v.changesKey(), v.env.Keys.Filter, k.Back}}}
}

// ShortHelp are the keys the status bar suggests.
func (v *layersTab) ShortHelp() []ui.Binding {
	k := v.keys
	return []ui.Binding{k.Back, k.Focus, k.Mode, v.changesKey(), v.env.Keys.Filter}
}

// changesKey is c, disabled while the layer's own files are shown.
func (v *layersTab) changesKey() ui.Binding {
	b := v.keys.Changes
	if !v.imageMode {
		b.SetDisabled(v.changesWhy())
	}
	return b
}

// changesWhy is why c does nothing in the layer's view.
func (v *layersTab) changesWhy() string {
	return "the layer's files are all changes; a shows the whole image"
}
