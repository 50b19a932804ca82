package views

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"berth/ui"
)

// networkRow is one line of the networks table. Pure data.
type networkRow struct {
	ID         string // 64 hex
	Name       string
	Driver     string // "bridge", "host", "null"
	Subnet     string // "10.90.0.0/24"; "" for host and none
	Gateway    string
	Created    time.Time
	Containers []string // names of the containers on it, sorted
	// Predefined: bridge, host and none, which cannot be removed.
	Predefined bool
}

// Key identifies the row across refreshes.
func (r networkRow) Key() string { return r.ID }

// Columns of the networks table, in the order `s` cycles through them.
const (
	ncolName = iota
	ncolID
	ncolDriver
	ncolSubnet
	ncolGateway
	ncolContainers
	numNetworkCols
)

// networkColumns: on an 80-column screen NAME, ID, DRIVER, SUBNET and
// CONTAINERS fit; GATEWAY comes at 96 columns.
var networkColumns = []ui.Column{
	ncolName:       {Title: "NAME", Width: 10, Flex: 2, Max: 32},
	ncolID:         {Title: "NETWORK ID", Width: 12},
	ncolDriver:     {Title: "DRIVER", Width: 6},
	ncolSubnet:     {Title: "SUBNET", Width: 15, Flex: 1, Max: 18},
	ncolGateway:    {Title: "GATEWAY", Width: 12, Flex: 1, Max: 15, HideBelow: 94},
	ncolContainers: {Title: "CONTAINERS", Width: 10, Flex: 3},
}

// defaultNetworkDesc: names A→Z, the busiest network first.
func defaultNetworkDesc(col int) bool { return col == ncolContainers }

// sortNetworkRows sorts rows in place by col, ties broken by name.
func sortNetworkRows(rows []networkRow, col int, desc bool) {
	dir := func(c int) int {
		if desc {
			return -c
		}
		return c
	}
	lower := strings.ToLower
	slices.SortStableFunc(rows, func(a, b networkRow) int {
		var c int
		switch col {
		case ncolName:
			c = cmp.Compare(lower(a.Name), lower(b.Name))
		case ncolID:
			c = cmp.Compare(a.ID, b.ID)
		case ncolDriver:
			c = cmp.Compare(a.Driver, b.Driver)
		case ncolSubnet:
			c = cmpAddr(a.Subnet, b.Subnet)
		case ncolGateway:
			c = cmpAddr(a.Gateway, b.Gateway)
		case ncolContainers:
			c = cmp.Compare(len(a.Containers), len(b.Containers))
		}
		if c = dir(c); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(lower(a.Name), lower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
}

// cmpAddr compares dotted IPv4 addresses or prefixes by their numbers, so
// that 10.9.0.0 comes before 10.10.0.0; empty ones come last.
func cmpAddr(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	num := func(s string) []int {
		var out []int
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '/' }) {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
		return out
	}
	return slices.Compare(num(a), num(b))
}

// filterNetworkRows keeps the rows whose name, driver, subnet, gateway, a
// container's name or ID contains q, ignoring case.
func filterNetworkRows(rows []networkRow, q string) []networkRow {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return rows
	}
	var out []networkRow
	for _, r := range rows {
		if strings.HasPrefix(r.ID, q) || strings.Contains(strings.ToLower(r.Name), q) ||
			strings.Contains(r.Driver, q) || strings.Contains(r.Subnet, q) || strings.Contains(r.Gateway, q) ||
			slices.ContainsFunc(r.Containers, func(c string) bool { return strings.Contains(strings.ToLower(c), q) }) {
			out = append(out, r)
		}
	}
	return out
}

// networkTableRows renders rows into table cells; what is not there is
// dimmed ("—").
func networkTableRows(rows []networkRow) []ui.Row {
	out := make([]ui.Row, len(rows))
	for i, r := range rows {
		subnet, gateway := dash(r.Subnet), dash(r.Gateway)
		out[i] = ui.Row{
			Key:   r.Key(),
			Cells: []string{r.Name, shortID(r.ID), r.Driver, subnet, gateway, joinNames(r.Containers)},
			Dim:   []bool{false, false, false, r.Subnet == "", r.Gateway == "", len(r.Containers) == 0},
		}
	}
	return out
}

// dash is s, or "—" when empty.
func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// joinNames lists names as a cell: "web, db"; "—" for none.
func joinNames(names []string) string {
	if len(names) == 0 {
		return "—"
	}
	return strings.Join(names, ", ")
}
