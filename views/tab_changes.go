package views

import (
	"context"

	"charm.land/lipgloss/v2"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/themes"
	"berth/ui"
)

// changesEngine is the engine's optional ability (checked with a type
// assertion; *engine.Engine has it) to list what a container changed in
// its writable layer, as berth diff does.
type changesEngine interface {
	ContainerChanges(ctx context.Context, ref string) ([]container.Change, error)
}

// changesTitle is the Changes tab's title, which :diff opens.
const changesTitle = "Changes"

var changesColumns = []ui.Column{
	{Title: "", Width: 1},
	{Title: "PATH", Width: 12, Flex: 1},
}

// newChangesTab is a container's Changes tab: each path it added (A),
// changed (C) or deleted (D), marked and coloured by what happened to it.
func newChangesTab(e *env, id string) *tableTab {
	return newTableTab(e, changesTitle, "change", changesColumns, func(ctx context.Context, eng Engine) ([]ui.Row, error) {
		ce, ok := eng.(changesEngine)
		if !ok {
			return nil, errdefs.Unavailable("this engine cannot list a container's changes: use berth diff %s", shortID(id))
		}
		changes, err := ce.ContainerChanges(ctx, id)
		if err != nil {
			return nil, err
		}
		return changeRows(e.Styles, changes), nil
	})
}

// changeRows are changes in the engine's order (a directory before what
// it holds), the mark coloured as the layer browser colours its files.
func changeRows(st *themes.Styles, changes []container.Change) []ui.Row {
	// One style map per mark, shared by its rows (the table only reads it).
	styles := map[container.ChangeKind]map[int]lipgloss.Style{
		container.Added:   {0: st.Layers.Added, 1: st.Layers.Added},
		container.Changed: {0: st.Layers.Modified, 1: st.Layers.Modified},
		container.Deleted: {0: st.Layers.Removed, 1: st.Layers.Removed},
	}
	marks := map[container.ChangeKind]string{container.Added: "A", container.Changed: "C", container.Deleted: "D"}
	rows := make([]ui.Row, len(changes))
	for i, c := range changes {
		mark, ok := marks[c.Kind]
		if !ok {
			mark = string(rune(c.Kind))
		}
		rows[i] = ui.Row{Key: c.Path, Cells: []string{mark, c.Path}, Style: styles[c.Kind]}
	}
	return rows
}
