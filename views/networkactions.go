package views

import (
	"context"
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/network"
	"berth/ui"
)

// netAdminEngine is the engine's ability (checked with a type assertion;
// *engine.Engine has it) to connect containers to networks and take them
// off, as berth network connect and disconnect do.
type netAdminEngine interface {
	ConnectNetwork(ctx context.Context, container string, r network.Request) error
	DisconnectNetwork(ctx context.Context, netRef, container string) error
}

// connectBindings are c (connect a container) and C (disconnect one).
func (v *networksView) connectBindings() []*binding[networkRow] {
	type b = binding[networkRow]
	connect := &b{Binding: ui.Bind("c", "connect a container", "c").WithID("connect"), onRow: true,
		why: func(r networkRow) string {
			if r.Driver != "bridge" {
				return "not a bridge network"
			}
			return ""
		},
		do: func(r networkRow) tea.Cmd { v.dialog = v.connectDialog(r, connectFields{}, nil); return nil }}
	connect.helpKey, connect.helpDesc = "c/C", "connect / disconnect"
	disconnect := &b{Binding: ui.Bind("C", "disconnect a container", "C").WithID("disconnect"), onRow: true, group: noHelp,
		why: func(r networkRow) string {
			if len(r.Containers) == 0 {
				return "no container on it"
			}
			return ""
		},
		do: func(r networkRow) tea.Cmd { v.dialog = v.disconnectDialog(r, "", nil); return nil }}
	return []*b{connect, disconnect}
}

// connectFields are the connect dialog's values.
type connectFields struct{ Container, Aliases, IP string }

// connectDialog asks which container to connect to r; err is the last
// try's, shown with the fields kept to fix it.
func (v *networksView) connectDialog(r networkRow, f connectFields, err error) ui.Dialog {
	adm, ok := v.env.eng.(netAdminEngine)
	form := ui.NewForm(v.env.Styles, "Connect a container to "+r.Name, []ui.FormField{
		{Label: "Container", Placeholder: "web", Value: f.Container, Hint: "its name or ID"},
		{Label: "Aliases", Placeholder: "optional: db …", Value: f.Aliases,
			Hint: "more names it answers to on this network, comma/space separated"},
		{Label: "IP", Placeholder: "optional: chosen when empty", Value: f.IP, Hint: "an address in " + r.Subnet},
	}, func(vals []string) (tea.Cmd, error) {
		f := connectFields{Container: strings.TrimSpace(vals[0]), Aliases: vals[1], IP: strings.TrimSpace(vals[2])}
		switch {
		case !ok:
			return nil, errors.New("this engine cannot connect containers to networks")
		case f.Container == "":
			return nil, errors.New("type the container's name, e.g. web")
		}
		req := network.Request{Network: r.ID, IP: f.IP,
			Aliases: strings.FieldsFunc(f.Aliases, func(c rune) bool { return c == ',' || c == ' ' })}
		name := r.Name
		return v.act(func(ctx context.Context, _ Engine) (string, string, error) {
			if err := adm.ConnectNetwork(ctx, f.Container, req); err != nil {
				return "", "", err
			}
			return "Connected " + f.Container + " to " + name, "", nil
		}, func(err error) ui.Dialog { return v.connectDialog(r, f, err) }), nil
	})
	form.SubmitLabel = "connect"
	form.SetError(err)
	return form
}

// disconnectDialog asks which of r's containers to take off it.
func (v *networksView) disconnectDialog(r networkRow, ctr string, err error) ui.Dialog {
	adm, ok := v.env.eng.(netAdminEngine)
	if ctr == "" && len(r.Containers) == 1 {
		ctr = r.Containers[0]
	}
	form := ui.NewForm(v.env.Styles, "Disconnect a container from "+r.Name, []ui.FormField{
		{Label: "Container", Placeholder: r.Containers[0], Value: ctr, Hint: "on it: " + joinNames(r.Containers)},
	}, func(vals []string) (tea.Cmd, error) {
		ctr := strings.TrimSpace(vals[0])
		switch {
		case !ok:
			return nil, errors.New("this engine cannot disconnect containers from networks")
		case ctr == "":
			return nil, errors.New("type the container's name, one of " + joinNames(r.Containers))
		}
		id, name := r.ID, r.Name
		return v.act(func(ctx context.Context, _ Engine) (string, string, error) {
			if err := adm.DisconnectNetwork(ctx, id, ctr); err != nil {
				return "", "", err
			}
			return "Disconnected " + ctr + " from " + name, "", nil
		}, func(err error) ui.Dialog { return v.disconnectDialog(r, ctr, err) }), nil
	})
	form.SubmitLabel = "disconnect"
	form.SetError(err)
	return form
}
