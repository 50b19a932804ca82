package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"berth/cli/format"
	"berth/engine"
	"berth/engine/errdefs"
	"berth/engine/volume"
	"berth/internal/units"
)

// volumeCommands are `berth volume create|ls|inspect|rm|prune`.
func (a *app) volumeCommands() []*cobra.Command {
	vol := &cobra.Command{Use: "volume", Short: "Manage volumes", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	vol.AddCommand(a.volumeCreateCmd(), a.volumeLsCmd(), a.volumeInspectCmd(), a.volumeRmCmd(), a.volumePruneCmd())
	return []*cobra.Command{vol}
}

func (a *app) volumeCreateCmd() *cobra.Command {
	var labels []string
	var driver string
	var opts []string
	var name string
	cmd := &cobra.Command{
		Use: "create [--label k=v] [NAME]", Short: "Create a volume", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if name != "" && name != args[0] {
					return errdefs.InvalidArgument("conflicting names: --name %s and %s: give one", name, args[0])
				}
				name = args[0]
			}
			if driver != volume.Driver {
				return errdefs.InvalidArgument("volume driver %q is not available: berth has the local driver only", driver)
			}
			if len(opts) > 0 {
				return errdefs.InvalidArgument("volume options (-o) are not supported: berth's local volumes are directories")
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			o := volume.CreateOptions{Name: name}
			if len(labels) > 0 {
				o.Labels = map[string]string{}
				for _, l := range labels {
					k, v, _ := strings.Cut(l, "=")
					o.Labels[k] = v
				}
			}
			v, err := eng.CreateVolume(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.out, v.Name)
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&labels, "label", "l", nil, "set a label (key=value)")
	cmd.Flags().StringVarP(&driver, "driver", "d", volume.Driver, "volume driver (local only)")
	cmd.Flags().StringArrayVarP(&opts, "opt", "o", nil, "driver options (none for local volumes)")
	cmd.Flags().StringVar(&name, "name", "", "name of the volume")
	return cmd
}

func (a *app) volumeLsCmd() *cobra.Command {
	var quiet bool
	var f string
	var filters []string
	cmd := &cobra.Command{
		Use: "ls [-q] [--format F] [-f dangling=true|name=N|label=K[=V]]", Aliases: []string{"list"},
		Short: "List volumes", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl, err := volume.ParseFilters(filters)
			if err != nil {
				return err
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			list, err := eng.ListVolumes(cmd.Context(), fl)
			if err != nil {
				return err
			}
			switch {
			case quiet && (f == "" || format.IsTable(f)):
				f = format.VolumeQuiet
			case f == "":
				f = format.VolumeTable
			}
			sized := strings.Contains(f, ".Size") || f == format.JSONKey || strings.Contains(f, "json .")
			rows := make([]*format.Volume, 0, len(list))
			for _, v := range list {
				size := int64(-1)
				if sized {
					size = volume.DirSize(v.Mountpoint)
				}
				rows = append(rows, format.NewVolume(v, size))
			}
			return format.Write(a.out, f, format.VolumeHeader, rows)
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only names")
	cmd.Flags().StringVar(&f, "format", "", "Go template per row, e.g. '{{.Name}}', or table, json")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "dangling=true|false, name=SUBSTRING, label=KEY[=VALUE], label!=KEY")
	return cmd
}

func (a *app) volumeInspectCmd() *cobra.Command {
	var f string
	cmd := &cobra.Command{
		Use: "inspect VOLUME [VOLUME...]", Short: "Show volumes as JSON", Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.inspect(args, f, func(eng *engine.Engine, name string) (any, error) {
				return eng.InspectVolume(cmd.Context(), name)
			})
		},
	}
	cmd.Flags().StringVarP(&f, "format", "f", "", "Go template, e.g. '{{.Mountpoint}}'")
	return cmd
}

func (a *app) volumeRmCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use: "rm [-f] VOLUME [VOLUME...]", Aliases: []string{"remove"}, Short: "Remove volumes no container uses",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			var errs []error
			for _, name := range args {
				if err := eng.RemoveVolume(cmd.Context(), name, force); err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintln(a.out, name)
			}
			return joinLines(errs)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "no error for volumes that do not exist")
	return cmd
}

func (a *app) volumePruneCmd() *cobra.Command {
	var all, force bool
	var filters []string
	cmd := &cobra.Command{
		Use: "prune [-a] [-f]", Short: "Remove anonymous volumes no container uses (-a: every unused volume)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl, err := volume.ParseFilters(filters)
			if err != nil {
				return err
			}
			if fl.Dangling != nil || len(fl.Names) > 0 {
				return errdefs.InvalidArgument("volume prune filters are label=KEY[=VALUE] and label!=KEY")
			}
			warning := "WARNING! This will remove anonymous local volumes not used by at least one container.\n"
			if all {
				warning = "WARNING! This will remove all local volumes not used by at least one container.\n"
			}
			if !force && !a.confirm(warning) {
				return nil
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			rep, err := eng.PruneVolumes(cmd.Context(), all, fl)
			if len(rep.Removed) > 0 {
				fmt.Fprintln(a.out, "Deleted Volumes:")
				for _, n := range rep.Removed {
					fmt.Fprintln(a.out, n)
				}
				fmt.Fprintln(a.out)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Total reclaimed space: %s\n", units.HumanSize(rep.Space))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove every unused volume, not only anonymous ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "label=KEY[=VALUE], label!=KEY")
	return cmd
}
