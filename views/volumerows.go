package views

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"berth/ui"
)

// volumeRow is one line of the volumes table. Pure data.
type volumeRow struct {
	Name       string
	Driver     string
	Mountpoint string
	Created    time.Time
	Anonymous  bool
	Size       int64    // bytes; -1 when not known
	Containers []string // names of the containers that mount it, sorted
}

// Key identifies the row across refreshes.
func (r volumeRow) Key() string { return r.Name }

// Columns of the volumes table, in the order `s` cycles through them.
const (
	vcolName = iota
	vcolDriver
	vcolMountpoint
	vcolSize
	vcolContainers
	numVolumeCols
)

// volumeColumns: on an 80-column screen NAME, DRIVER, SIZE and CONTAINERS
// fit; the MOUNTPOINT, long (/var/lib/berth/volumes/NAME/_data), comes at
// 110 columns.
var volumeColumns = []ui.Column{
	vcolName:       {Title: "VOLUME NAME", Width: 14, Flex: 2, Max: 64},
	vcolDriver:     {Title: "DRIVER", Width: 6},
	vcolMountpoint: {Title: "MOUNTPOINT", Width: 20, Flex: 3, HideBelow: 108, CutStart: true},
	vcolSize:       {Title: "SIZE", Width: 8, Right: true},
	vcolContainers: {Title: "CONTAINERS", Width: 10, Flex: 2},
}

// defaultVolumeDesc: names A→Z, the largest and the busiest first.
func defaultVolumeDesc(col int) bool { return col == vcolSize || col == vcolContainers }

// sortVolumeRows sorts rows in place by col, ties broken by name; named
// volumes come before anonymous ones (64 hex) when sorting by name.
func sortVolumeRows(rows []volumeRow, col int, desc bool) {
	dir := func(c int) int {
		if desc {
			return -c
		}
		return c
	}
	slices.SortStableFunc(rows, func(a, b volumeRow) int {
		var c int
		switch col {
		case vcolName:
			if a.Anonymous != b.Anonymous {
				if a.Anonymous {
					return 1
				}
				return -1
			}
			c = dir(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)))
		case vcolDriver:
			c = dir(cmp.Compare(a.Driver, b.Driver))
		case vcolMountpoint:
			c = dir(cmp.Compare(a.Mountpoint, b.Mountpoint))
		case vcolSize:
			c = dir(cmp.Compare(a.Size, b.Size))
		case vcolContainers:
			c = dir(cmp.Compare(len(a.Containers), len(b.Containers)))
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

// filterVolumeRows keeps the rows whose name, mountpoint or a container's
// name contains q, ignoring case.
func filterVolumeRows(rows []volumeRow, q string) []volumeRow {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return rows
	}
	var out []volumeRow
	for _, r := range rows {
		if strings.Contains(strings.ToLower(r.Name), q) || strings.Contains(strings.ToLower(r.Mountpoint), q) ||
			slices.ContainsFunc(r.Containers, func(c string) bool { return strings.Contains(strings.ToLower(c), q) }) {
			out = append(out, r)
		}
	}
	return out
}

// volumeTableRows renders rows into table cells. An anonymous volume's
// name is cut to 12 hex, as IDs are.
func volumeTableRows(rows []volumeRow) []ui.Row {
	out := make([]ui.Row, len(rows))
	for i, r := range rows {
		name := r.Name
		if r.Anonymous {
			name = shortID(name)
		}
		size := "—"
		if r.Size >= 0 {
			size = humanSize(r.Size)
		}
		out[i] = ui.Row{
			Key:   r.Key(),
			Cells: []string{name, r.Driver, r.Mountpoint, size, joinNames(r.Containers)},
			Dim:   []bool{r.Anonymous, false, false, r.Size < 0, len(r.Containers) == 0},
		}
	}
	return out
}
