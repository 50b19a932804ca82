package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/network/portmap"
)

// portOptions reads -p and --expose into o; a bad value is a one-line
// InvalidArgument before anything is created.
func portOptions(o *container.CreateOptions, publish, expose []string) error {
	if len(publish) > 0 {
		o.PortBindings = portmap.Bindings{}
		for _, spec := range publish {
			if err := portmap.Parse(o.PortBindings, spec); err != nil {
				return err
			}
		}
	}
	for _, e := range expose {
		ps, err := portmap.ParseExpose(e)
		if err != nil {
			return err
		}
		o.Expose = append(o.Expose, ps...)
	}
	return nil
}

// warnDiscardedPorts says, as Docker does, that --network host publishes
// nothing: the container's ports are the host's already.
func warnDiscardedPorts(w io.Writer, o container.CreateOptions) {
	if o.NetworkMode == "host" && (len(o.PortBindings) > 0 || o.PublishAll) {
		fmt.Fprintln(w, "WARNING: Published ports are discarded when using host network mode")
	}
}

// portCmd is docker port: a running container's published ports, all
// ("80/tcp -> 0.0.0.0:8080") or those of one container port ("0.0.0.0:8080").
func (a *app) portCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short: "List a container's published ports",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var want *portmap.Port
			if len(args) == 2 {
				p, err := portmap.ParsePort(args[1])
				if err != nil {
					return err
				}
				want = &p
			}
			svc, err := a.containers()
			if err != nil {
				return err
			}
			c, err := svc.Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			out := portLines(c.Ports(), want)
			if want != nil && len(out) == 0 {
				return errdefs.NotFound("no public port %s published for %s: publish it with -p HOST_PORT:%d/%s", want, c.Name, want.Number, want.Proto)
			}
			if len(out) > 0 {
				fmt.Fprintln(cmd.OutOrStdout(), strings.Join(out, "\n"))
			}
			return nil
		},
	}
}

// portLines are docker port's lines, by container port, then host address
// and port.
func portLines(pub []portmap.Published, want *portmap.Port) []string {
	byPort := map[portmap.Port][]portmap.Published{}
	var ports []portmap.Port
	for _, p := range pub {
		if want != nil && p.Port != *want {
			continue
		}
		if _, ok := byPort[p.Port]; !ok {
			ports = append(ports, p.Port)
		}
		byPort[p.Port] = append(byPort[p.Port], p)
	}
	portmap.SortPorts(ports)
	var out []string
	for _, port := range ports {
		ps := byPort[port]
		sort.Slice(ps, func(i, j int) bool { // docker sorts the lines naturally
			if a, b := ps[i].HostIPString(), ps[j].HostIPString(); a != b {
				return a < b
			}
			return ps[i].HostPort < ps[j].HostPort
		})
		for _, p := range ps {
			if want != nil {
				out = append(out, p.String())
			} else {
				out = append(out, port.String()+" -> "+p.String())
			}
		}
	}
	return out
}
