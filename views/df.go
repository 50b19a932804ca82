package views

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/themes"
	"berth/ui"
)

// dfDialog shows what berth system df prints: per kind of object, how
// many, how many in use, their size and what a prune would reclaim. It is
// a snapshot, measured in a command before it opens; esc, q or enter close
// it, and :df measures again.
type dfDialog struct {
	st    *themes.Styles
	table *ui.Table
	rows  int
}

var dfColumns = []ui.Column{
	{Title: "TYPE", Width: 13},
	{Title: "TOTAL", Width: 5, Right: true},
	{Title: "ACTIVE", Width: 6, Right: true},
	{Title: "SIZE", Width: 9, Right: true},
	{Title: "RECLAIMABLE", Width: 14, Flex: 1, Right: true},
}

func newDfDialog(st *themes.Styles, du engine.DiskUsage) *dfDialog {
	rows := dfRows(du)
	t := ui.NewTable(st, dfColumns)
	t.SetRows(rows)
	return &dfDialog{st: st, table: t, rows: len(rows)}
}

// dfRows are the lines of system df: images (shared layers counted once),
// containers (their writable layers), volumes, and the build cache, which
// berth does not have.
func dfRows(du engine.DiskUsage) []ui.Row {
	imgActive, imgFree := du.ImagesActive()
	ctrActive, ctrSize, ctrFree := du.ContainersActive()
	volActive, volSize, volFree := du.VolumesActive()
	row := func(kind string, total, active int, size, free int64) ui.Row {
		return ui.Row{Key: kind, Cells: []string{kind, strconv.Itoa(total), strconv.Itoa(active), humanSize(size), reclaimableCell(free, size)}}
	}
	return []ui.Row{
		row("Images", len(du.Images.Images), imgActive, du.Images.LayersSize, imgFree),
		row("Containers", len(du.Containers), ctrActive, ctrSize, ctrFree),
		row("Local Volumes", len(du.Volumes), volActive, volSize, volFree),
		row("Build Cache", 0, 0, 0, 0),
	}
}

// reclaimableCell is docker's RECLAIMABLE: the size and its share of the
// total when there is a total.
func reclaimableCell(n, total int64) string {
	if total <= 0 {
		return humanSize(n)
	}
	return fmt.Sprintf("%s (%d%%)", humanSize(n), n*100/total)
}

// Update closes the dialog on esc, q or enter.
func (d *dfDialog) Update(msg tea.Msg) (ui.Dialog, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc", "q", "enter":
			return nil, nil
		}
	}
	return d, nil
}

// View draws the table in a box with the keys that close it.
func (d *dfDialog) View(maxW, maxH int) string {
	w := min(maxW, 62)
	h := min(maxH, d.rows+5)
	d.table.SetSize(w-4, h-4)
	body := d.table.View() + "\n\n" + d.st.Help.Key.Render("esc") + d.st.Dialog.Hint.Render("  close · :system prune reclaims")
	lines := strings.Split(body, "\n")
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return ui.Frame(d.st, "Disk usage", "", true, strings.Join(lines, "\n"), w, h)
}
