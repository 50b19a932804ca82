package views

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/ui"
)

// topEngine is the engine's optional ability (checked with a type
// assertion; *engine.Engine has it) to list a container's processes.
type topEngine interface {
	ContainerTop(ctx context.Context, ref string) ([]container.Process, error)
}

// topEvery is how often the Top tab lists the processes again while open.
const topEvery = 3 * time.Second

// containerTabs are the detail tabs of a container row.
func (v *containersView) containerTabs(r containerRow) (string, []detailTab) {
	e, id := v.env, r.ID
	inspect := func(ctx context.Context, eng Engine) (*container.Inspect, error) {
		return eng.InspectContainer(ctx, id)
	}
	return r.Ref(), []detailTab{
		newLogsTab(e, id, r.Ref()),
		newStatsTab(e, id),
		newInspectTab(e, func(ctx context.Context, eng Engine) (any, error) { return inspect(ctx, eng) }),
		newTableTab(e, "Env", "variable", envColumns, func(ctx context.Context, eng Engine) ([]ui.Row, error) {
			insp, err := inspect(ctx, eng)
			if err != nil {
				return nil, err
			}
			return envRows(insp.Config.Env), nil
		}),
		newTableTab(e, "Top", "process|processes", topColumns, func(ctx context.Context, eng Engine) ([]ui.Row, error) {
			te, ok := eng.(topEngine)
			if !ok {
				return nil, errdefs.Unavailable("this engine cannot list the processes of a container")
			}
			procs, err := te.ContainerTop(ctx, id)
			if err != nil {
				return nil, err
			}
			return topRows(procs), nil
		}).refreshing(topEvery),
		newTableTab(e, "Mounts/Ports", "", mountColumns, func(ctx context.Context, eng Engine) ([]ui.Row, error) {
			insp, err := inspect(ctx, eng)
			if err != nil {
				return nil, err
			}
			return mountRows(insp), nil
		}),
		newChangesTab(e, id),
	}
}

var envColumns = []ui.Column{
	{Title: "VARIABLE", Width: 12, Flex: 1, Max: 40},
	{Title: "VALUE", Width: 20, Flex: 3},
}

// envRows are KEY=VALUE entries as a table sorted by name.
func envRows(env []string) []ui.Row {
	rows := make([]ui.Row, 0, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		rows = append(rows, ui.Row{Key: k, Cells: []string{k, v}})
	}
	slices.SortStableFunc(rows, func(a, b ui.Row) int { return cmp.Compare(a.Key, b.Key) })
	return rows
}

var topColumns = []ui.Column{
	{Title: "UID", Width: 5, Right: true},
	{Title: "PID", Width: 7, Right: true},
	{Title: "PPID", Width: 7, Right: true},
	{Title: "STIME", Width: 5},
	{Title: "TIME", Width: 8, Right: true},
	{Title: "CMD", Width: 10, Flex: 1},
}

// topRows are processes as docker top lists them, by PID.
func topRows(procs []container.Process) []ui.Row {
	procs = slices.Clone(procs)
	slices.SortFunc(procs, func(a, b container.Process) int { return cmp.Compare(a.PID, b.PID) })
	rows := make([]ui.Row, len(procs))
	for i, p := range procs {
		cpu := p.CPU.Round(time.Second)
		rows[i] = ui.Row{Key: itoa(p.PID), Cells: []string{
			itoa(p.UID), itoa(p.PID), itoa(p.PPID), p.Start.Format("15:04"),
			fmt.Sprintf("%02d:%02d:%02d", int(cpu.Hours()), int(cpu.Minutes())%60, int(cpu.Seconds())%60),
			p.Cmd,
		}}
	}
	return rows
}

var mountColumns = []ui.Column{
	{Title: "TYPE", Width: 6},
	{Title: "SOURCE", Width: 12, Flex: 2, CutStart: true},
	{Title: "DESTINATION", Width: 12, Flex: 2},
	{Title: "MODE", Width: 4},
}

// mountRows are a container's mounts (binds, volumes, tmpfs) and then its
// published ports: "port 0.0.0.0:8080 → 80/tcp".
func mountRows(insp *container.Inspect) []ui.Row {
	var rows []ui.Row
	for _, m := range insp.Mounts {
		src := m.Source
		if m.Type == "volume" && m.Name != "" {
			src = m.Name
		}
		mode := "ro"
		if m.RW {
			mode = "rw"
		}
		rows = append(rows, ui.Row{Key: "m " + m.Destination, Cells: []string{m.Type, src, m.Destination, mode},
			Dim: []bool{false, src == "", false, false}})
	}
	ports := insp.NetworkSettings.Ports
	if len(ports) == 0 {
		for p, bs := range insp.HostConfig.PortBindings {
			if ports == nil {
				ports = map[string][]container.InspectPortBinding{}
			}
			ports[p] = bs
		}
	}
	keys := make([]string, 0, len(ports))
	for p := range ports {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, cmpPort)
	for _, p := range keys {
		bs := ports[p]
		if len(bs) == 0 {
			rows = append(rows, ui.Row{Key: "p " + p, Cells: []string{"port", "—", p, ""}, Dim: []bool{false, true}})
			continue
		}
		for _, b := range bs {
			host := cmp.Or(b.HostIP, "0.0.0.0") + ":" + b.HostPort
			rows = append(rows, ui.Row{Key: "p " + p + " " + host, Cells: []string{"port", host, p, ""}})
		}
	}
	return rows
}

// cmpPort orders "80/tcp" before "443/tcp" before "53/udp".
func cmpPort(a, b string) int {
	pa, protoA, _ := strings.Cut(a, "/")
	pb, protoB, _ := strings.Cut(b, "/")
	var na, nb int
	fmt.Sscan(pa, &na)
	fmt.Sscan(pb, &nb)
	return cmp.Or(cmp.Compare(protoA, protoB), cmp.Compare(na, nb), cmp.Compare(a, b))
}
