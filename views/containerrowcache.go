package views

import (
	"charm.land/bubbles/v2/spinner"

	"berth/ui"
)

// The Containers pane draws its rows again at every stats reading, and a
// list of 1,000 containers took milliseconds to render: a row is kept while
// what it shows is the same — the listing it came from, its stats reading,
// the action under way and the spinner, the clock.

// rowCacheKey is what a row was rendered from.
type rowCacheKey struct {
	list, stats, clock int // generations
	busy, spin, theme  string
}

type cachedRow struct {
	key rowCacheKey
	row ui.Row
}

// renderRows renders rows into table rows, reusing those that did not
// change since the last time.
func (v *containersView) renderRows(rows []containerRow) []ui.Row {
	out := make([]ui.Row, len(rows))
	if v.rowCache == nil || len(v.rowCache) > 2*len(rows)+16 {
		v.rowCache = make(map[string]cachedRow, len(rows)) // containers gone: start afresh
	}
	paints := v.paints.Get(v.env.Styles, newStatePaints)
	spin := spinner.MiniDot.Frames[v.spin]
	now := v.env.now()
	for i, r := range rows {
		key := rowCacheKey{list: v.listGen, stats: v.statsGen[r.ID], clock: v.clockGen, busy: r.Busy, theme: v.env.Styles.Theme.Name}
		if r.Busy != "" {
			key.spin = spin
		}
		if c, ok := v.rowCache[r.ID]; ok && c.key == key {
			out[i] = c.row
			continue
		}
		out[i] = containerTableRows(paints, rows[i:i+1], now, spin)[0]
		out[i].Widths = ui.CellWidths(out[i].Cells) // measured once, not at every reading
		v.rowCache[r.ID] = cachedRow{key: key, row: out[i]}
	}
	return out
}
