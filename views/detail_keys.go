package views

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// tabKeys are the detail area's keys and its tabs' that the config file
// may rebind: "detail.next-tab", "inspect.fold", "layers.changes-only".
// Moving (up, down, pages, top, bottom) is the app's keymap's. The log
// view's are logsKeys ("logs.search"); the Stats tab has no keys of its
// own.
type tabKeys struct {
	detail  detailKeys
	inspect inspectKeys
	layers  layersKeys
}

// Table names of the detail area's and its tabs' keys in the config file.
const (
	detailPrefix  = "detail"
	inspectPrefix = "inspect"
	layersPrefix  = "layers"
)

func defaultTabKeys() *tabKeys {
	return &tabKeys{
		detail: detailKeys{
			Next: ui.Bind("]", "next tab", "]").WithShort("tabs").WithID("next-tab"),
			Prev: ui.Bind("[", "previous tab", "[").WithID("previous-tab"),
			Pick: ui.Bind("1-9", "tab by number",
				"1", "2", "3", "4", "5", "6", "7", "8", "9").WithID("tab-by-number"),
			Zoom: ui.Bind("z", "zoom the details / back", "z").WithShort("zoom").WithID("zoom"),
			Back: ui.Bind("esc/q", "back to the list", "esc", "q").WithShort("back").WithID("back"),
		},
		inspect: inspectKeys{
			Move:      ui.Bind("↑↓/jk", "move", "up", "down", "j", "k"),
			Page:      ui.Bind("pgup/pgdn", "page", "pgup", "pgdown", "ctrl+u", "ctrl+d"),
			Ends:      ui.Bind("g/G", "top / bottom", "g", "home", "G", "end"),
			Fold:      ui.Bind("enter/space", "fold / unfold", "enter", "space").WithShort("fold").WithID("fold"),
			Collapse:  ui.Bind("←/h", "fold, or go to the parent", "left", "h").WithID("collapse"),
			Expand:    ui.Bind("→/l", "unfold, or go in", "right", "l").WithID("expand"),
			FoldAll:   ui.Bind("C", "fold all", "C").WithID("fold-all"),
			UnfoldAll: ui.Bind("E", "unfold all", "E").WithID("unfold-all"),
			Search:    ui.Bind("/", "search", "/").WithShort("search").WithID("search"),
			Next:      ui.Bind("n", "next match", "n").WithID("next-match"),
			Prev:      ui.Bind("N", "previous match", "N").WithID("previous-match"),
		},
		layers: layersKeys{
			Focus:   ui.Bind("tab", "layers ⇄ files", "tab", "shift+tab").WithShort("layers⇄files").WithID("switch-list"),
			Open:    ui.Bind("→/l", "open a directory / go to the files", "right", "l").WithID("open"),
			Close:   ui.Bind("←/h", "close a directory / go up", "left", "h").WithID("close"),
			Toggle:  ui.Bind("space/enter", "open or close a directory", "space", "enter").WithID("toggle"),
			Mode:    ui.Bind("a", "the layer's changes / the whole image", "a").WithShort("layer/image").WithID("image-mode"),
			Changes: ui.Bind("c", "only what the layer changed", "c").WithShort("changes").WithID("changes-only"),
			Back:    ui.Bind("esc/q", "back", "esc", "q").WithShort("back"),
		},
	}
}

// actions are the bindings of each table the config file may rebind.
func (k *tabKeys) actions() map[string][]*ui.Binding {
	d, i, l := &k.detail, &k.inspect, &k.layers
	return map[string][]*ui.Binding{
		detailPrefix:  {&d.Next, &d.Prev, &d.Pick, &d.Zoom, &d.Back},
		inspectPrefix: {&i.Fold, &i.Collapse, &i.Expand, &i.FoldAll, &i.UnfoldAll, &i.Search, &i.Next, &i.Prev},
		layersPrefix:  {&l.Focus, &l.Open, &l.Close, &l.Toggle, &l.Mode, &l.Changes},
	}
}

// tabKeys are the detail keys as the config file rebound them; the
// defaults until it does.
func (e *env) tabKeys() *tabKeys {
	if e.detailKeys == nil {
		e.detailKeys = defaultTabKeys()
	}
	return e.detailKeys
}

// overrideTabKeys rebinds the detail area's and its tabs' actions that o
// names, keeps them for the areas and tabs (the areas read them at each
// key; tabs are made at each selection), and returns the tables by action
// name: detail's, inspect's, layers'.
func (e *env) overrideTabKeys(o ui.KeyOverrides) []map[string]*ui.Binding {
	k := defaultTabKeys()
	acts := k.actions()
	var out []map[string]*ui.Binding
	for _, prefix := range []string{detailPrefix, inspectPrefix, layersPrefix} {
		t := map[string]*ui.Binding{}
		for _, b := range acts[prefix] {
			o.Apply(prefix, b)
			t[prefix+"."+b.Action()] = b
		}
		out = append(out, t)
	}
	e.detailKeys = k
	return out
}

// withAreaKeys adds to tables (each the app's keys and a pane's) the
// tables of what acts at once with the detail area's keys: its tabs'
// (inspect, layers, logs) and the lists' that have a docked area, so that
// a clash between them is found.
func withAreaKeys(app map[string]*ui.Binding, panes []map[string]*ui.Binding, tables []map[string]*ui.Binding) []map[string]*ui.Binding {
	prefixOf := func(t map[string]*ui.Binding) string {
		for n := range t {
			p, _, _ := strings.Cut(n, ".")
			return p
		}
		return ""
	}
	var area map[string]*ui.Binding
	for _, t := range panes {
		if prefixOf(t) == detailPrefix {
			area = t
		}
	}
	for _, t := range panes {
		switch prefixOf(t) {
		case inspectPrefix, layersPrefix, logsPrefix:
			tables = append(tables, merge(app, merge(area, t)))
		case "containers", "images", "networks", "volumes":
			// The docked area takes its keys before the list's.
			tables = append(tables, merge(app, merge(area, t)))
		}
	}
	return tables
}

// pickIndex is the tab a Pick key stands for: its place among the
// binding's keys (1 → the first tab), -1 for none.
func pickIndex(b ui.Binding, msg tea.KeyPressMsg) int {
	s := msg.String()
	for i, k := range b.Keys() {
		if k == s {
			return i
		}
	}
	return -1
}
