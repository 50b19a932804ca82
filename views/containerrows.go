package views

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"berth/engine/container"
	"berth/internal/units"
	"berth/themes"
	"berth/ui"
)

// ctrStats is what the table shows of a container's resource use.
type ctrStats struct {
	CPU      float64 // percent of one CPU between the last two readings
	HasCPU   bool    // false after the first reading: CPU needs two
	MemUsage uint64
	MemLimit uint64
	// CPUHist and MemHist are the recent readings, oldest first, for the
	// sparklines (CPU in percent, memory in bytes); may be nil.
	CPUHist, MemHist []float64
}

// sparkLen is how many readings a sparkline shows.
const sparkLen = 8

// containerRow is one line of the containers table: the summary, its last
// stats (nil when there are none: not running, or not read yet) and the
// action under way on it ("Stopping"), if any. Pure data.
type containerRow struct {
	*container.Summary // shared with the listing, never changed: rows are cheap to copy and sort
	Stats              *ctrStats
	Busy               string
}

// Key identifies the row across refreshes.
func (r containerRow) Key() string { return r.ID }

// Ref is what names the container to the engine and to the user: its name,
// or its short ID when it has none.
func (r containerRow) Ref() string {
	if r.Name != "" {
		return r.Name
	}
	return shortID(r.ID)
}

// shortID is the 12-hex form of a container ID.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// containerRows joins summaries with their stats and the actions under way.
// Stats are dropped for containers whose process is not alive.
func containerRows(sums []container.Summary, stats map[string]ctrStats, busy map[string]string) []containerRow {
	rows := make([]containerRow, len(sums))
	for i := range sums {
		s := &sums[i]
		rows[i] = containerRow{Summary: s, Busy: busy[s.ID]}
		if st, ok := stats[s.ID]; ok && s.State.Status.Active() {
			rows[i].Stats = &st
		}
	}
	return rows
}

// Columns of the containers table, in the order `s` cycles through them.
const (
	ccolID = iota
	ccolName
	ccolImage
	ccolCommand
	ccolStatus
	ccolCreated
	ccolPorts
	ccolNetworks
	ccolCPU
	ccolMem
	numContainerCols
)

// containerColumns size by content. Their minimums and priorities decide
// what an 80-column screen shows — NAME, IMAGE, STATUS, CPU % and MEM —
// and what comes as the window grows: ID at 96 columns, COMMAND, PORTS,
// NETWORKS, CREATED last. CPU % and MEM drop their sparklines before they
// are cut; an image keeps its tag.
var containerColumns = []ui.Column{
	ccolID:      {Title: "ID", Width: 12, Priority: 2},
	ccolName:    {Title: "NAME", Width: 10, Flex: 2, Max: 32},
	ccolImage:   {Title: "IMAGE", Width: 14, Flex: 2, Max: 40, Cut: cutImageRef},
	ccolCommand: {Title: "COMMAND", Width: 10, Flex: 2, Max: 40, Priority: 3},
	ccolStatus:  {Title: "STATUS", Width: 22, Max: 28},
	ccolCreated: {Title: "CREATED", Width: 14, Priority: 6}, // "About a minute ago"
	// "0.0.0.0:8080->80/tcp" is 20 wide; a container may publish several.
	ccolPorts:    {Title: "PORTS", Width: 12, Flex: 2, Max: 48, Priority: 4},
	ccolNetworks: {Title: "NETWORKS", Width: 8, Flex: 1, Max: 24, Priority: 5},
	ccolCPU:      {Title: "CPU %", Width: 7, Right: true, Cut: cutStats, Spark: true},
	ccolMem:      {Title: "MEM", Width: 8, Right: true, Cut: cutStats, Spark: true},
}

// cutStats shortens a stats cell ("1.25MiB / 64MiB ▁▂▃") to w: the
// sparkline goes first, then the limit, then the text is cut.
func cutStats(s string, w int) string {
	if i := strings.LastIndexByte(s, ' '); i >= 0 && isSpark(s[i+1:]) {
		s = s[:i]
		if ui.Width(s) <= w {
			return s
		}
	}
	if use, _, ok := strings.Cut(s, " / "); ok && ui.Width(use) <= w {
		return use
	}
	return ui.Truncate(s, w)
}

// isSpark reports whether s is a sparkline's blocks.
func isSpark(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '▁' || r > '█' {
			return false
		}
	}
	return true
}

// defaultContainerDesc is the direction a column sorts in when `s` selects
// it: names A→Z, newest and busiest first.
func defaultContainerDesc(col int) bool {
	return col == ccolCreated || col == ccolCPU || col == ccolMem
}

// stateRank orders statuses for the STATUS column: alive ones first.
func stateRank(s container.Status) int {
	switch s {
	case container.Running:
		return 0
	case container.Paused:
		return 1
	case container.Restarting:
		return 2
	case container.Created:
		return 3
	case container.Exited:
		return 4
	}
	return 5
}

// sortContainerRows sorts rows in place by col; ties are broken by name and
// ID so that the order is stable across refreshes. Containers without stats
// come last when sorting by CPU or memory, whatever the direction.
func sortContainerRows(rows []containerRow, col int, desc bool) {
	dir := func(c int) int {
		if desc {
			return -c
		}
		return c
	}
	byStats := func(a, b containerRow, f func(*ctrStats) float64) int {
		switch {
		case a.Stats == nil && b.Stats == nil:
			return 0
		case a.Stats == nil:
			return 1
		case b.Stats == nil:
			return -1
		}
		return dir(cmp.Compare(f(a.Stats), f(b.Stats)))
	}
	lower := strings.ToLower
	slices.SortStableFunc(rows, func(a, b containerRow) int {
		var c int
		switch col {
		case ccolID:
			c = dir(cmp.Compare(a.ID, b.ID))
		case ccolName:
			c = dir(cmp.Compare(lower(a.Name), lower(b.Name)))
		case ccolImage:
			c = dir(cmp.Compare(lower(a.Image), lower(b.Image)))
		case ccolCommand:
			c = dir(cmp.Compare(a.Command, b.Command))
		case ccolStatus:
			// Alive first, then the longest up (or the latest to stop).
			c = cmp.Compare(stateRank(a.State.Status), stateRank(b.State.Status))
			if c == 0 && alive(a.State.Status) {
				c = a.State.StartedAt.Compare(b.State.StartedAt)
			} else if c == 0 {
				c = b.State.FinishedAt.Compare(a.State.FinishedAt)
			}
			c = dir(c)
		case ccolCreated:
			c = dir(a.Created.Compare(b.Created))
		case ccolPorts:
			c = dir(cmp.Compare(a.Ports, b.Ports))
		case ccolNetworks:
			c = dir(cmp.Compare(a.NetworkMode, b.NetworkMode))
		case ccolCPU:
			c = byStats(a, b, func(s *ctrStats) float64 {
				if !s.HasCPU {
					return -1
				}
				return s.CPU
			})
		case ccolMem:
			c = byStats(a, b, func(s *ctrStats) float64 { return float64(s.MemUsage) })
		}
		if c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(lower(a.Name), lower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
}

// filterContainerRows keeps the rows whose name, image, command, status
// word, network or ID contains q, ignoring case; runningOnly keeps the containers
// `docker ps` lists without -a: running, paused and restarting ones.
func filterContainerRows(rows []containerRow, q string, runningOnly bool) []containerRow {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" && !runningOnly {
		return rows
	}
	out := make([]containerRow, 0, len(rows))
	for _, r := range rows {
		if runningOnly && !alive(r.State.Status) {
			continue
		}
		if q == "" || strings.HasPrefix(r.ID, q) ||
			strings.Contains(strings.ToLower(r.Name), q) || strings.Contains(strings.ToLower(r.Image), q) ||
			strings.Contains(strings.ToLower(r.Command), q) || strings.Contains(r.State.Status.String(), q) ||
			strings.Contains(strings.ToLower(r.NetworkMode), q) {
			out = append(out, r)
		}
	}
	return out
}

// alive reports whether `docker ps` without -a lists a container in s.
func alive(s container.Status) bool { return s.Active() || s == container.Restarting }

// stateKind is what a state's colour says.
type stateKind int

const (
	kindStopped stateKind = iota
	kindRunning
	kindPaused // restarting too
	kindFailed // dead, or exited with an error or killed for memory
)

func stateKindOf(s container.State) stateKind {
	switch s.Status {
	case container.Running:
		return kindRunning
	case container.Paused, container.Restarting:
		return kindPaused
	case container.Dead:
		return kindFailed
	case container.Exited:
		if s.ExitCode != 0 || s.OOMKilled {
			return kindFailed
		}
	}
	return kindStopped
}

// statePaints are the theme's state styles as ui.Paints, made once per
// theme: the status cell of every row drawn is painted with one.
type statePaints struct {
	running, paused, failed, stopped, busy ui.Paint
}

func newStatePaints(st *themes.Styles) statePaints {
	return statePaints{running: ui.NewPaint(st.State.Running), paused: ui.NewPaint(st.State.Paused),
		failed: ui.NewPaint(st.State.Failed), stopped: ui.NewPaint(st.State.Stopped), busy: ui.NewPaint(st.State.Busy)}
}

// of is stateStyle's paint.
func (p statePaints) of(s container.State) ui.Paint {
	switch stateKindOf(s) {
	case kindRunning:
		return p.running
	case kindPaused:
		return p.paused
	case kindFailed:
		return p.failed
	}
	return p.stopped
}

// containerTableRows renders rows into table cells; spin is the spinner's
// frame for rows with an action under way.
func containerTableRows(paints statePaints, rows []containerRow, now time.Time, spin string) []ui.Row {
	out := make([]ui.Row, len(rows))
	for i, r := range rows {
		status, paint := r.StatusText(now), paints.of(r.State)
		if r.Busy != "" {
			status, paint = spin+" "+r.Busy+"…", paints.busy
		}
		cpu, mem := "", ""
		if s := r.Stats; s != nil {
			if s.HasCPU {
				cpu = fmt.Sprintf("%.2f%%", s.CPU)
				if len(s.CPUHist) > 1 {
					cpu += " " + ui.Sparkline(s.CPUHist, sparkLen, 1)
				}
			}
			mem = humanIEC(s.MemUsage) + " / " + humanIEC(s.MemLimit)
			if len(s.MemHist) > 1 {
				mem += " " + ui.Sparkline(s.MemHist, sparkLen, 0)
			}
		}
		name := r.Name
		if name == "" {
			name = shortID(r.ID)
		}
		out[i] = ui.Row{
			Key: r.Key(),
			Cells: []string{shortID(r.ID), name, r.Image, oneLine(r.Command), status, humanCreated(r.Created, now),
				r.Ports, r.NetworkMode, cpu, mem},
			Paint: map[int]ui.Paint{ccolStatus: paint},
		}
	}
	return out
}

// humanIEC is a memory size as docker stats writes it: "12.34MiB".
func humanIEC(n uint64) string { return units.BytesSize(n) }
