package views

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/engine/events"
	"berth/engine/network"
	"berth/ui"
)

// networksView is the Networks pane: the networks, which containers are on
// each, and create, remove, prune and inspect.
type networksView struct {
	*listPane[networkRow]
}

func newNetworksView(e *env) *networksView {
	v := &networksView{}
	v.listPane = newListPane(e, listSpec[networkRow]{
		title:       "Networks",
		noun:        "network",
		columns:     networkColumns,
		filterHint:  "name, driver, subnet, container or ID",
		sortCol:     ncolName,
		defaultDesc: defaultNetworkDesc,
		// A container that comes or goes changes the CONTAINERS column.
		changedBy: []events.Type{events.TypeNetwork, events.TypeContainer},
		load:      loadNetworks,
		filter:    filterNetworkRows,
		sort:      sortNetworkRows,
		render:    networkTableRows,
		noneText:  "No networks. Press n to create one.",
		groups:    []string{"Networks"},
		tabs:      func(r networkRow) (string, []detailTab) { return networkTabs(e, r) },
	})
	p := v.listPane
	type b = binding[networkRow]
	p.setBindings(
		&b{Binding: ui.Bind("n", "create a network", "n").WithShort("create"), short: 1,
			do: func(networkRow) tea.Cmd { v.dialog = v.createDialog(networkFields{}, nil); return nil }},
		&b{Binding: ui.Bind("d", "remove", "d").WithShort("remove"), short: 2, onRow: true,
			why: func(r networkRow) string {
				switch {
				case r.Predefined:
					return "pre-defined"
				case len(r.Containers) > 0:
					return "in use"
				}
				return ""
			},
			explain: func(r networkRow, why string) string {
				if r.Predefined {
					return r.Name + " is a pre-defined network: it cannot be removed"
				}
				return r.Name + " is in use by " + joinNames(r.Containers) + ": remove them or disconnect them first"
			},
			do: v.confirmRemove,
			bulk: func(rows []networkRow) tea.Cmd {
				var ok []networkRow
				for _, r := range rows {
					if !r.Predefined && len(r.Containers) == 0 {
						ok = append(ok, r)
					}
				}
				if len(ok) == 0 {
					return ui.Infof("None of the marked networks can be removed: pre-defined or in use")
				}
				return v.bulk("Remove networks", "Remove", "Removed", ok, func(r networkRow) string { return r.Name },
					func(ctx context.Context, eng Engine, r networkRow) error {
						_, err := eng.RemoveNetwork(ctx, r.ID)
						return err
					})
			}},
		&b{Binding: ui.Bind("enter", "details: inspect, containers", "enter").WithShort("details"), short: 3, onRow: true,
			do: func(networkRow) tea.Cmd { return p.openDetail("") }},
		&b{Binding: ui.Bind("i", "inspect", "i"), onRow: true, do: func(networkRow) tea.Cmd { return p.openDetail("Inspect") }},
		&b{Binding: ui.Bind("X", "prune: remove unused networks", "X").WithShort("prune"), short: 5,
			why: func(networkRow) string {
				if len(v.unused()) == 0 {
					return "none unused"
				}
				return ""
			},
			do: func(networkRow) tea.Cmd { v.confirmPrune(); return nil }},
		p.markBinding(0),
		p.filterHint(4),
		p.sortBinding(6),
		p.reverseBinding(),
		p.refreshBinding(),
	)
	p.binds = append(p.binds, v.connectBindings()...)
	return v
}

// Update handles the list's messages: the pane has none of its own.
func (v *networksView) Update(msg tea.Msg) tea.Cmd {
	cmd, _ := v.update(msg)
	return cmd
}

// loadNetworks lists the networks and the containers on each.
func loadNetworks(ctx context.Context, eng Engine) ([]networkRow, error) {
	nets, err := eng.ListNetworks(ctx)
	if err != nil {
		return nil, err
	}
	names, err := containerNames(ctx, eng)
	if err != nil {
		return nil, err
	}
	rows := make([]networkRow, 0, len(nets))
	for _, n := range nets {
		r := networkRow{ID: n.ID, Name: n.Name, Driver: n.Driver, Created: n.Created, Predefined: n.Predefined()}
		if n.Subnet.IsValid() {
			r.Subnet = n.Subnet.String()
		}
		if n.Gateway.IsValid() {
			r.Gateway = n.Gateway.String()
		}
		if n.Driver == "bridge" {
			eps, err := eng.NetworkEndpoints(ctx, n)
			if err != nil {
				return nil, err
			}
			for _, ep := range eps {
				r.Containers = append(r.Containers, nameOr(names, ep.ContainerID))
			}
			slices.Sort(r.Containers)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// containerNames maps container IDs to names.
func containerNames(ctx context.Context, eng Engine) (map[string]string, error) {
	cs, err := eng.ListContainers(ctx, true)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(cs))
	for _, c := range cs {
		names[c.ID] = containerRow{Summary: &c}.Ref()
	}
	return names, nil
}

// nameOr is the name of container id, or its short ID.
func nameOr(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return shortID(id)
}

// unused are the networks prune would remove: user networks no container
// is on.
func (v *networksView) unused() []string {
	var out []string
	for _, r := range v.all {
		if !r.Predefined && len(r.Containers) == 0 {
			out = append(out, r.Name)
		}
	}
	slices.Sort(out)
	return out
}

// confirmRemove asks before removing r.
func (v *networksView) confirmRemove(r networkRow) tea.Cmd {
	st := v.env.Styles
	name, id := r.Name, r.ID
	v.confirm("Remove network", "Remove network "+st.Dialog.Danger.Render(name)+"? Its bridge and rules are deleted.",
		v.act(func(ctx context.Context, eng Engine) (string, string, error) {
			_, err := eng.RemoveNetwork(ctx, id)
			return "Removed network " + name, "", err
		}, nil))
	return nil
}

// confirmPrune asks before removing every unused network, naming them.
func (v *networksView) confirmPrune() {
	st := v.env.Styles
	names := v.unused()
	v.confirm("Prune networks", "Remove "+plural(len(names), "unused network")+": "+
		st.Dialog.Danger.Render(strings.Join(names, ", "))+"?",
		v.act(func(ctx context.Context, eng Engine) (string, string, error) {
			removed, err := eng.PruneNetworks(ctx)
			if len(removed) == 0 {
				return "No unused networks to remove", "", err
			}
			return "Removed " + plural(len(removed), "network") + ": " + strings.Join(removed, ", "), "", err
		}, nil))
}

// networkFields are the create dialog's values.
type networkFields struct {
	Name, Subnet, Labels string
}

// Fields of the create dialog.
const (
	netName = iota
	netSubnet
	netLabels
)

// createDialog is the form that creates a network; err is the last try's,
// shown with the fields kept to fix it.
func (v *networksView) createDialog(f networkFields, err error) ui.Dialog {
	form := ui.NewForm(v.env.Styles, "Create a network", []ui.FormField{
		{Label: "Name", Placeholder: "appnet", Value: f.Name,
			Hint: "containers on it find each other by name"},
		{Label: "Subnet", Placeholder: "optional: chosen when empty", Value: f.Subnet,
			Hint: "a CIDR such as 10.90.0.0/24; must not overlap another network"},
		{Label: "Labels", Placeholder: "optional: key=value …", Value: f.Labels,
			Hint: "key=value, comma/space separated"},
	}, func(vals []string) (tea.Cmd, error) {
		f := networkFields{Name: vals[netName], Subnet: vals[netSubnet], Labels: vals[netLabels]}
		o, err := f.options()
		if err != nil {
			return nil, err
		}
		return v.act(func(ctx context.Context, eng Engine) (string, string, error) {
			n, err := eng.CreateNetwork(ctx, o)
			if err != nil {
				return "", "", err
			}
			return fmt.Sprintf("Created network %s (%s)", n.Name, shortID(n.ID)), n.ID, nil
		}, func(err error) ui.Dialog { return v.createDialog(f, err) }), nil
	})
	form.SubmitLabel = "create"
	form.SetError(err)
	switch {
	case errdefs.IsAlreadyExists(err) || errdefs.IsConflict(err) && f.Subnet == "":
		form.Focus(netName)
	case err != nil && f.Subnet != "":
		form.Focus(netSubnet) // an overlap, most likely
	}
	return form
}

// options checks the fields and turns them into the engine's options.
func (f networkFields) options() (network.CreateOptions, error) {
	o := network.CreateOptions{Name: strings.TrimSpace(f.Name), Subnet: strings.TrimSpace(f.Subnet)}
	if o.Name == "" {
		return o, errors.New("type a name for the network, e.g. appnet")
	}
	if o.Subnet != "" {
		if _, err := netip.ParsePrefix(o.Subnet); err != nil {
			return o, fmt.Errorf("subnet %q is not a CIDR: write it as 10.90.0.0/24", o.Subnet)
		}
	}
	labels, err := parseLabels(f.Labels)
	if err != nil {
		return o, err
	}
	o.Labels = labels
	return o, nil
}

// parseLabels reads "a=1, b=2" (comma or space separated) into a map; nil
// for none.
func parseLabels(s string) (map[string]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		k, val, _ := strings.Cut(f, "=")
		if k == "" {
			return nil, fmt.Errorf("label %q has no key: write key=value", f)
		}
		out[k] = val
	}
	return out, nil
}
