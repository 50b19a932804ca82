package views

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/ui"
)

// historyEngine is the engine's optional ability (checked with a type
// assertion; *engine.Engine has it) to tell how an image was built.
type historyEngine interface {
	ImageHistory(ctx context.Context, ref string) ([]image.HistoryEntry, error)
}

// imageTabs are the detail tabs of an image row: Inspect, History and,
// once the layer browser is there, Layers.
func (v *imagesView) imageTabs(r imageRow) (string, []detailTab) {
	e, ref := v.env, r.Ref()
	tabs := []detailTab{
		newInspectTab(e, func(ctx context.Context, eng Engine) (any, error) { return eng.InspectImage(ctx, ref) }),
		newTableTab(e, "History", "step", historyColumns, func(ctx context.Context, eng Engine) ([]ui.Row, error) {
			he, ok := eng.(historyEngine)
			if !ok {
				return nil, errdefs.Unavailable("this engine cannot show the history of an image")
			}
			hist, err := he.ImageHistory(ctx, ref)
			if err != nil {
				return nil, err
			}
			return historyRows(hist, e.now()), nil
		}),
	}
	if t := layersTabFor(e, ref); t != nil {
		tabs = append(tabs, t)
	}
	return ref, tabs
}

// layersTabFor is the Layers tab of image ref: the layer browser.
func layersTabFor(e *env, ref string) detailTab { return newLayersTab(e, ref) }

// ClaimsKey: tab moves between the layer browser's columns rather than to
// the next pane.
func (t *layersTab) ClaimsKey(msg tea.KeyPressMsg) bool { return t.keys.Focus.Matches(msg) }

// ownFrame: the layer browser draws its summary and frames in the whole
// area.
func (t *layersTab) ownFrame() bool { return true }

var historyColumns = []ui.Column{
	{Title: "CREATED", Width: 14},
	{Title: "CREATED BY", Width: 20, Flex: 4},
	{Title: "SIZE", Width: 8, Right: true},
	{Title: "COMMENT", Width: 8, Flex: 1, HideBelow: 70},
}

// historyRows are an image's steps, newest first as docker history lists
// them; empty layers dimmed.
func historyRows(hist []image.HistoryEntry, now time.Time) []ui.Row {
	rows := make([]ui.Row, len(hist))
	for i, h := range hist {
		by := strings.Join(strings.Fields(h.CreatedBy), " ")
		by = strings.TrimPrefix(by, "/bin/sh -c #(nop) ")
		created := "—"
		if !h.Created.IsZero() {
			created = humanCreated(h.Created, now)
		}
		size := humanSize(h.Size)
		rows[i] = ui.Row{Key: itoa(i), Cells: []string{created, by, size, h.Comment},
			Dim: []bool{created == "—", false, h.EmptyLayer, false}}
	}
	return rows
}

// mouse: a click on a layer shows it, on a file selects it (and the
// column it is in); the wheel scrolls the column under the pointer. The
// summary line is y 0, the columns' frames start at y 1.
func (t *layersTab) mouse(msg tea.MouseMsg, x, y int) tea.Cmd {
	if t.a == nil {
		return nil
	}
	lw, _, _ := t.columns()
	table, top := t.list, 2 // the header, below the frame
	if x >= lw {
		table, top = t.tree, 2+t.filter.Lines()
	}
	before := t.layer()
	m := msg.Mouse()
	switch msg.(type) {
	case tea.MouseClickMsg:
		i := table.RowAt(y - top)
		if m.Button != tea.MouseLeft || i < 0 {
			return nil
		}
		table.SetCursor(i)
		t.focusTree = table == t.tree
	case tea.MouseWheelMsg:
		switch m.Button {
		case tea.MouseWheelUp:
			table.Move(-wheelRows)
		case tea.MouseWheelDown:
			table.Move(wheelRows)
		}
	}
	if t.layer() != before {
		return t.showLayer()
	}
	return nil
}
