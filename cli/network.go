package cli

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"berth/cli/format"
	"berth/engine"
	"berth/engine/errdefs"
	"berth/engine/network"
)

// networkOptions are the engine options of --default-subnet.
func (a *app) networkOptions() ([]engine.Option, error) {
	if a.defaultSubnet == "" {
		return nil, nil
	}
	p, err := netip.ParsePrefix(a.defaultSubnet)
	if err != nil || !p.Addr().Is4() || p.Bits() > 30 {
		return nil, errdefs.InvalidArgument("invalid --default-subnet %q: give an IPv4 CIDR of /30 or wider, e.g. 10.210.0.0/16", a.defaultSubnet)
	}
	return []engine.Option{engine.WithDefaultSubnet(p)}, nil
}

// networkCommands are `berth network create|ls|inspect|rm|prune|connect|disconnect`.
func (a *app) networkCommands() []*cobra.Command {
	nw := &cobra.Command{Use: "network", Short: "Manage networks", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	nw.AddCommand(a.networkCreateCmd(), a.networkLsCmd(), a.networkInspectCmd(), a.networkRmCmd(),
		a.networkPruneCmd(), a.networkConnectCmd(), a.networkDisconnectCmd())
	return []*cobra.Command{nw}
}

func keyValues(list []string) map[string]string {
	if len(list) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, l := range list {
		k, v, _ := strings.Cut(l, "=")
		m[k] = v
	}
	return m
}

func (a *app) networkCreateCmd() *cobra.Command {
	var o network.CreateOptions
	var labels, opts []string
	var driver string
	cmd := &cobra.Command{
		Use: "create [--subnet CIDR] [--gateway IP] [--internal] [--label k=v] NAME", Short: "Create a bridge network",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if driver != "bridge" {
				return errdefs.InvalidArgument("network driver %q is not available: berth has the bridge driver only", driver)
			}
			o.Name, o.Labels, o.Options = args[0], keyValues(labels), keyValues(opts)
			eng, err := a.engine()
			if err != nil {
				return err
			}
			n, err := eng.CreateNetwork(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.out, n.ID)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Subnet, "subnet", "", "subnet in CIDR form, e.g. 10.90.0.0/24 (chosen when left out)")
	fl.StringVar(&o.Gateway, "gateway", "", "gateway address of the subnet (its first address by default)")
	fl.BoolVar(&o.Internal, "internal", false, "no traffic to or from outside the network")
	fl.StringArrayVar(&labels, "label", nil, "set a label (key=value)")
	fl.StringArrayVarP(&opts, "opt", "o", nil, "driver option (key=value), kept as given")
	fl.StringVarP(&driver, "driver", "d", "bridge", "network driver (bridge only)")
	return cmd
}

// networkRow is one row of network ls.
type networkRow struct {
	ID, Name, Driver, Scope string
	IPv6, Internal          bool
	CreatedAt               string
	labels                  map[string]string
}

func (r *networkRow) Labels() string {
	var kv []string
	for k, v := range r.labels {
		kv = append(kv, k+"="+v)
	}
	return strings.Join(kv, ",")
}

func (r *networkRow) Label(name string) string { return r.labels[name] }

var networkHeader = format.Header{"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE",
	"IPv6": "IPV6", "Internal": "INTERNAL", "CreatedAt": "CREATED AT", "Labels": "LABELS"}

// networkFilter is one -f of network ls.
func networkMatches(n *network.Network, filters []string) (bool, error) {
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return false, errdefs.InvalidArgument("bad filter %q: use name=, id=, driver=, label=, type=custom|builtin", f)
		}
		switch k {
		case "name":
			if !strings.Contains(n.Name, v) {
				return false, nil
			}
		case "id":
			if !strings.HasPrefix(n.ID, v) {
				return false, nil
			}
		case "driver":
			if n.Driver != v {
				return false, nil
			}
		case "label":
			lk, lv, hasV := strings.Cut(v, "=")
			got, has := n.Labels[lk]
			if !has || (hasV && got != lv) {
				return false, nil
			}
		case "type":
			if (v == "custom") == n.Predefined() {
				return false, nil
			}
		default:
			return false, errdefs.InvalidArgument("bad filter %q: use name=, id=, driver=, label=, type=custom|builtin", f)
		}
	}
	return true, nil
}

func (a *app) networkLsCmd() *cobra.Command {
	var quiet, noTrunc bool
	var f string
	var filters []string
	cmd := &cobra.Command{
		Use: "ls [-q] [--format F] [-f name=N|id=I|driver=D|label=K[=V]|type=custom|builtin]", Aliases: []string{"list"},
		Short: "List networks", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			list, err := eng.ListNetworks(cmd.Context())
			if err != nil {
				return err
			}
			switch {
			case quiet && (f == "" || format.IsTable(f)):
				f = "{{.ID}}"
			case f == "":
				f = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"
			}
			var rows []*networkRow
			for _, n := range list {
				ok, err := networkMatches(n, filters)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				id := n.ID
				if !noTrunc {
					id = id[:12]
				}
				rows = append(rows, &networkRow{ID: id, Name: n.Name, Driver: n.Driver, Scope: "local",
					Internal: n.Internal, CreatedAt: n.Created.Format("2006-01-02 15:04:05.999999999 -0700 MST"), labels: n.Labels})
			}
			return format.Write(a.out, f, networkHeader, rows)
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only IDs")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "full IDs")
	cmd.Flags().StringVar(&f, "format", "", "Go template per row, e.g. '{{.Name}}', or table, json")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "name=, id=, driver=, label=K[=V], type=custom|builtin")
	return cmd
}

func (a *app) networkInspectCmd() *cobra.Command {
	var f string
	cmd := &cobra.Command{
		Use: "inspect NETWORK [NETWORK...]", Short: "Show networks as JSON", Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.inspect(args, f, func(eng *engine.Engine, ref string) (any, error) {
				return eng.InspectNetwork(cmd.Context(), ref)
			})
		},
	}
	cmd.Flags().StringVarP(&f, "format", "f", "", "Go template, e.g. '{{.IPAM.Config}}'")
	return cmd
}

func (a *app) networkRmCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use: "rm NETWORK [NETWORK...]", Aliases: []string{"remove"}, Short: "Remove networks no container is on",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			var errs []error
			for _, ref := range args {
				if _, err := eng.RemoveNetwork(cmd.Context(), ref); err != nil {
					if !(force && errdefs.IsNotFound(err)) {
						errs = append(errs, err)
					}
					continue
				}
				fmt.Fprintln(a.out, ref)
			}
			return joinLines(errs)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "no error for networks that do not exist")
	return cmd
}

func (a *app) networkPruneCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use: "prune [-f]", Short: "Remove the user networks no container is on", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !force && !a.confirm("WARNING! This will remove all custom networks not used by at least one container.\n") {
				return nil
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			removed, err := eng.PruneNetworks(cmd.Context())
			if len(removed) > 0 {
				fmt.Fprintln(a.out, "Deleted Networks:")
				for _, n := range removed {
					fmt.Fprintln(a.out, n)
				}
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}

func (a *app) networkConnectCmd() *cobra.Command {
	var r network.Request
	cmd := &cobra.Command{
		Use: "connect [--alias A] [--ip IP] NETWORK CONTAINER", Short: "Connect a container to a network",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			r.Network = args[0]
			return eng.ConnectNetwork(cmd.Context(), args[1], r)
		},
	}
	cmd.Flags().StringArrayVar(&r.Aliases, "alias", nil, "another name of the container on this network")
	cmd.Flags().StringVar(&r.IP, "ip", "", "the container's IPv4 address on this network")
	return cmd
}

func (a *app) networkDisconnectCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use: "disconnect NETWORK CONTAINER", Short: "Disconnect a container from a network",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			return eng.DisconnectNetwork(cmd.Context(), args[0], args[1])
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "accepted for docker compatibility")
	return cmd
}
