package views

import (
	"cmp"
	"context"
	"slices"

	"berth/ui"
)

// networkTabs are the detail tabs of a network: Inspect, and the
// containers on it with their addresses.
func networkTabs(e *env, r networkRow) (string, []detailTab) {
	id := r.ID
	return r.Name, []detailTab{
		newInspectTab(e, func(ctx context.Context, eng Engine) (any, error) { return eng.InspectNetwork(ctx, id) }),
		newTableTab(e, "Containers", "container", netContainerColumns, func(ctx context.Context, eng Engine) ([]ui.Row, error) {
			insp, err := eng.InspectNetwork(ctx, id)
			if err != nil {
				return nil, err
			}
			states, err := containerStates(ctx, eng)
			if err != nil {
				return nil, err
			}
			var rows []ui.Row
			for cid, c := range insp.Containers {
				rows = append(rows, ui.Row{Key: cid, Cells: []string{c.Name, states[c.Name], dash(c.IPv4Address), dash(c.MacAddress)}})
			}
			slices.SortFunc(rows, func(a, b ui.Row) int { return cmp.Compare(a.Cells[0], b.Cells[0]) })
			return rows, nil
		}),
	}
}

var netContainerColumns = []ui.Column{
	{Title: "CONTAINER", Width: 12, Flex: 2},
	{Title: "STATE", Width: 10, Flex: 1},
	{Title: "IPV4 ADDRESS", Width: 16},
	{Title: "MAC ADDRESS", Width: 17, HideBelow: 60},
}

// volumeTabs are the detail tabs of a volume: Inspect, and the containers
// that mount it.
func volumeTabs(e *env, r volumeRow) (string, []detailTab) {
	name, users := r.Name, slices.Clone(r.Containers)
	return shortID(r.Name), []detailTab{
		newInspectTab(e, func(ctx context.Context, eng Engine) (any, error) { return eng.InspectVolume(ctx, name) }),
		newTableTab(e, "Containers", "container", volContainerColumns, func(ctx context.Context, eng Engine) ([]ui.Row, error) {
			cs, err := eng.ListContainers(ctx, true)
			if err != nil {
				return nil, err
			}
			var rows []ui.Row
			for _, c := range cs {
				if slices.Contains(users, c.Name) {
					rows = append(rows, ui.Row{Key: c.ID, Cells: []string{c.Name, c.StatusText(e.now()), c.Image}})
				}
			}
			slices.SortFunc(rows, func(a, b ui.Row) int { return cmp.Compare(a.Cells[0], b.Cells[0]) })
			return rows, nil
		}),
	}
}

var volContainerColumns = []ui.Column{
	{Title: "CONTAINER", Width: 12, Flex: 2},
	{Title: "STATUS", Width: 12, Flex: 1},
	{Title: "IMAGE", Width: 12, Flex: 2},
}

// containerStates are the status texts of every container by name.
func containerStates(ctx context.Context, eng Engine) (map[string]string, error) {
	cs, err := eng.ListContainers(ctx, true)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cs))
	for _, c := range cs {
		out[c.Name] = c.State.Status.String()
	}
	return out, nil
}
