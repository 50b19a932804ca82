package views

import (
	"context"
	"errors"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/events"
	"berth/engine/volume"
	"berth/ui"
)

// volSizesMsg is a measure of every volume's size, by name.
type volSizesMsg struct {
	Sizes map[string]int64
	Err   error
}

// volumesView is the Volumes pane: the volumes, which containers mount
// each, their sizes, and create, remove, prune and inspect.
//
// Sizes walk every volume's files, so they are measured apart from the
// list: at first, when volumes change and on r, not when a container starts.
type volumesView struct {
	*listPane[volumeRow]
	sizes     map[string]int64
	measuring bool // a measure is under way
	remeasure bool // volumes changed since it began: measure again
}

func newVolumesView(e *env) *volumesView {
	v := &volumesView{remeasure: true}
	v.listPane = newListPane(e, listSpec[volumeRow]{
		title:       "Volumes",
		noun:        "volume",
		columns:     volumeColumns,
		filterHint:  "name, mountpoint or container",
		sortCol:     vcolName,
		defaultDesc: defaultVolumeDesc,
		// A container that comes or goes changes the CONTAINERS column.
		changedBy: []events.Type{events.TypeVolume, events.TypeContainer},
		load:      loadVolumes,
		prepare:   v.join,
		filter:    filterVolumeRows,
		sort:      sortVolumeRows,
		render:    volumeTableRows,
		noneText:  "No volumes. Press n to create one.",
		groups:    []string{"Volumes"},
		tabs:      func(r volumeRow) (string, []detailTab) { return volumeTabs(e, r) },
		afterLoad: v.measure,
	})
	p := v.listPane
	type b = binding[volumeRow]
	p.setBindings(
		&b{Binding: ui.Bind("n", "create a volume", "n").WithShort("create"), short: 1,
			do: func(volumeRow) tea.Cmd { v.dialog = v.createDialog(volumeFields{}, nil); return nil }},
		&b{Binding: ui.Bind("d", "remove", "d").WithShort("remove"), short: 2, onRow: true,
			why: func(r volumeRow) string {
				if len(r.Containers) > 0 {
					return "in use"
				}
				return ""
			},
			explain: func(r volumeRow, why string) string {
				return "volume " + shortID(r.Name) + " is in use by " + joinNames(r.Containers) + ": remove them first"
			},
			do: v.confirmRemove,
			bulk: func(rows []volumeRow) tea.Cmd {
				var ok []volumeRow
				for _, r := range rows {
					if len(r.Containers) == 0 {
						ok = append(ok, r)
					}
				}
				if len(ok) == 0 {
					return ui.Infof("None of the marked volumes can be removed: in use")
				}
				return v.bulk("Remove volumes", "Remove", "Removed", ok, func(r volumeRow) string { return shortID(r.Name) },
					func(ctx context.Context, eng Engine, r volumeRow) error { return eng.RemoveVolume(ctx, r.Name, false) })
			}},
		&b{Binding: ui.Bind("enter", "details: inspect, containers", "enter").WithShort("details"), short: 3, onRow: true,
			do: func(volumeRow) tea.Cmd { return p.openDetail("") }},
		&b{Binding: ui.Bind("i", "inspect", "i"), onRow: true, do: func(volumeRow) tea.Cmd { return p.openDetail("Inspect") }},
		&b{Binding: ui.Bind("X", "prune: remove unused volumes", "X").WithShort("prune"), short: 5,
			why: func(volumeRow) string {
				if len(v.unused()) == 0 {
					return "none unused"
				}
				return ""
			},
			do: func(volumeRow) tea.Cmd { v.confirmPrune(); return nil }},
		p.markBinding(0),
		p.filterHint(4),
		p.sortBinding(6),
		p.reverseBinding(),
		&b{Binding: ui.Bind("r", "refresh (and measure)", "r"), do: func(volumeRow) tea.Cmd {
			v.remeasure = true
			return p.userRefresh()
		}},
	)
	return v
}

// Update handles the pane's messages, then the list's.
func (v *volumesView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case volSizesMsg:
		v.measuring = false
		if msg.Err == nil {
			v.sizes = msg.Sizes
			v.apply()
		}
		return v.measure()
	case changedMsg:
		if msg.Type == events.TypeVolume {
			v.remeasure = true
		}
	}
	cmd, _ := v.update(msg)
	return cmd
}

// measure measures the volumes' sizes in a command, when they changed and
// no measure is under way.
func (v *volumesView) measure() tea.Cmd {
	if v.measuring || !v.remeasure {
		return nil
	}
	v.measuring, v.remeasure = true, false
	eng, ctx := v.env.eng, v.env.ctx
	return func() tea.Msg {
		us, err := eng.VolumesDiskUsage(ctx)
		sizes := make(map[string]int64, len(us))
		for _, u := range us {
			sizes[u.Name] = u.Size
		}
		return volSizesMsg{Sizes: sizes, Err: err}
	}
}

// join adds the last measured sizes to the rows.
func (v *volumesView) join(all []volumeRow) []volumeRow {
	out := slices.Clone(all)
	for i := range out {
		out[i].Size = -1
		if s, ok := v.sizes[out[i].Name]; ok {
			out[i].Size = s
		}
	}
	return out
}

// loadVolumes lists the volumes and the containers that mount each.
func loadVolumes(ctx context.Context, eng Engine) ([]volumeRow, error) {
	vols, err := eng.ListVolumes(ctx, volume.Filters{})
	if err != nil {
		return nil, err
	}
	cs, err := eng.ListContainers(ctx, true)
	if err != nil {
		return nil, err
	}
	users := map[string][]string{}
	for _, c := range cs {
		for _, m := range c.Mounts {
			users[m] = append(users[m], containerRow{Summary: &c}.Ref())
		}
	}
	rows := make([]volumeRow, 0, len(vols))
	for _, vol := range vols {
		r := volumeRow{Name: vol.Name, Driver: vol.Driver, Mountpoint: vol.Mountpoint, Created: vol.CreatedAt,
			Anonymous: vol.Anonymous, Size: -1, Containers: users[vol.Name]}
		slices.Sort(r.Containers)
		rows = append(rows, r)
	}
	return rows, nil
}

// unused are the volumes prune would remove: those no container mounts.
func (v *volumesView) unused() []string {
	var out []string
	for _, r := range v.all {
		if len(r.Containers) == 0 {
			out = append(out, shortID(r.Name))
		}
	}
	slices.Sort(out)
	return out
}

// confirmRemove asks before removing r.
func (v *volumesView) confirmRemove(r volumeRow) tea.Cmd {
	st := v.env.Styles
	name := r.Name
	v.confirm("Remove volume", "Remove volume "+st.Dialog.Danger.Render(shortID(name))+"? Its data is deleted.",
		v.act(func(ctx context.Context, eng Engine) (string, string, error) {
			return "Removed volume " + shortID(name), "", eng.RemoveVolume(ctx, name, false)
		}, nil))
	return nil
}

// confirmPrune asks before removing every volume no container uses, named
// and anonymous, naming them.
func (v *volumesView) confirmPrune() {
	st := v.env.Styles
	names := v.unused()
	list := strings.Join(names, ", ")
	if len(names) > 8 {
		list = strings.Join(names[:8], ", ") + ", …"
	}
	v.confirm("Prune volumes", "Remove "+plural(len(names), "unused volume")+": "+
		st.Dialog.Danger.Render(list)+"? Their data is deleted.",
		v.act(func(ctx context.Context, eng Engine) (string, string, error) {
			rep, err := eng.PruneVolumes(ctx, true, volume.Filters{})
			if len(rep.Removed) == 0 {
				return "No unused volumes to remove", "", err
			}
			return "Removed " + plural(len(rep.Removed), "volume") + ", reclaimed " + humanSize(rep.Space), "", err
		}, nil))
}

// volumeFields are the create dialog's values.
type volumeFields struct{ Name, Labels string }

// createDialog is the form that creates a volume; err is the last try's.
func (v *volumesView) createDialog(f volumeFields, err error) ui.Dialog {
	form := ui.NewForm(v.env.Styles, "Create a volume", []ui.FormField{
		{Label: "Name", Placeholder: "data", Value: f.Name,
			Hint: "letters, digits, _ . -; run -v NAME:/path mounts it"},
		{Label: "Labels", Placeholder: "optional: key=value …", Value: f.Labels,
			Hint: "key=value, comma/space separated"},
	}, func(vals []string) (tea.Cmd, error) {
		f := volumeFields{Name: strings.TrimSpace(vals[0]), Labels: vals[1]}
		if f.Name == "" {
			return nil, errors.New("type a name for the volume, e.g. data")
		}
		if err := volume.CheckName(f.Name); err != nil {
			return nil, err
		}
		// The engine hands back a volume of that name as it is (Docker's
		// rule for run -v); a dialog that says "create" must not.
		if slices.ContainsFunc(v.all, func(r volumeRow) bool { return r.Name == f.Name }) {
			return nil, errors.New("volume " + f.Name + " already exists: choose another name")
		}
		labels, err := parseLabels(f.Labels)
		if err != nil {
			return nil, err
		}
		return v.act(func(ctx context.Context, eng Engine) (string, string, error) {
			vol, err := eng.CreateVolume(ctx, volume.CreateOptions{Name: f.Name, Labels: labels})
			if err != nil {
				return "", "", err
			}
			return "Created volume " + vol.Name, vol.Name, nil
		}, func(err error) ui.Dialog { return v.createDialog(f, err) }), nil
	})
	form.SubmitLabel = "create"
	form.SetError(err)
	return form
}
