package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"berth/cli/format"
	"berth/engine"
	"berth/engine/container"
	"berth/engine/errdefs"
)

func (a *app) psCmd(use string, aliases ...string) *cobra.Command {
	var all, quiet, noTrunc, latest, size bool
	var filters []string
	var f string
	var last int
	cmd := &cobra.Command{
		Use: use, Aliases: aliases, Short: "List containers", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			svc := eng.Containers()
			match, err := psFilter(filters)
			if err != nil {
				return err
			}
			list, err := svc.List(cmd.Context(), all || latest || last > 0 || len(filters) > 0)
			if err != nil {
				return err
			}
			if latest {
				last = 1
			}
			now := time.Now()
			sizeOf := containerSizes(cmd.Context(), eng)
			var rows []*format.Container
			for _, c := range list {
				if last > 0 && len(rows) >= last {
					break
				}
				if !match(c) || (!all && len(filters) > 0 && !c.State.Status.Active() && !hasStatusFilter(filters)) {
					continue
				}
				rows = append(rows, format.NewContainer(c, !noTrunc, now, sizeOf))
			}
			return format.Write(a.out, psFormat(f, quiet, size), format.ContainerHeader, rows)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "show all containers, not just running ones")
	fl.BoolVarP(&quiet, "quiet", "q", false, "only show IDs")
	fl.BoolVar(&noTrunc, "no-trunc", false, "do not shorten output")
	fl.BoolVarP(&size, "size", "s", false, "show the size each container wrote (and with its image)")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "filter: status=, name=, id=, label=, ancestor=")
	fl.StringVar(&f, "format", "", "table (default), json, raw, or a Go template per row, e.g. '{{.Names}}'")
	fl.BoolVarP(&latest, "latest", "l", false, "show the latest created container")
	fl.IntVarP(&last, "last", "n", 0, "show the n last created containers")
	return cmd
}

// psFormat is the template ps prints with, as docker chooses it: -q wins,
// "table" (or nothing) is the default table, -s adds the SIZE column to it.
func psFormat(f string, quiet, size bool) string {
	switch {
	case quiet:
		return "{{.ID}}"
	case f == "" || f == format.TableKey:
		if size {
			return format.ContainerTable + `\t{{.Size}}`
		}
		return format.ContainerTable
	case f == format.RawKey:
		if size {
			return format.ContainerRaw + "size: {{.Size}}\n"
		}
		return format.ContainerRaw
	}
	return f
}

// containerSizes measures containers for {{.Size}}: the writable layer
// read from disk, the image's size from the image list (read once, when
// the first size is asked for).
func containerSizes(ctx context.Context, eng *engine.Engine) format.SizeFunc {
	var images map[string]int64
	return func(c container.Summary) (int64, int64, error) {
		rw, err := eng.Containers().SizeRw(ctx, c.ID)
		if errdefs.IsNotFound(err) {
			return 0, 0, nil // removed since it was listed
		}
		if err != nil {
			return 0, 0, err
		}
		if images == nil {
			list, err := eng.ListImages(ctx)
			if err != nil {
				return 0, 0, err
			}
			images = map[string]int64{}
			for _, img := range list {
				images[img.ID] = img.Size
			}
		}
		return rw, rw + images[c.ImageID], nil
	}
}

func hasStatusFilter(filters []string) bool {
	for _, f := range filters {
		if strings.HasPrefix(f, "status=") {
			return true
		}
	}
	return false
}

// psFilter builds the matcher of `ps --filter` (repeated keys OR, distinct keys AND).
func psFilter(filters []string) (func(container.Summary) bool, error) {
	by := map[string][]string{}
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, errdefs.InvalidArgument("bad filter %q: use key=value", f)
		}
		switch k {
		case "status":
			if _, err := container.ParseStatus(v); err != nil {
				return nil, errdefs.InvalidArgument("bad filter %q: %v", f, err)
			}
		case "name", "id", "label", "ancestor":
		default:
			return nil, errdefs.InvalidArgument("unknown filter %q: use status, name, id, label or ancestor", k)
		}
		by[k] = append(by[k], v)
	}
	return func(c container.Summary) bool {
		for k, vs := range by {
			ok := false
			for _, v := range vs {
				switch k {
				case "status":
					ok = ok || c.State.Status.String() == v
				case "name":
					ok = ok || strings.Contains(c.Name, strings.TrimPrefix(v, "/"))
				case "id":
					ok = ok || strings.HasPrefix(c.ID, v)
				case "label":
					lk, lv, hasV := strings.Cut(v, "=")
					cv, has := c.Labels[lk]
					ok = ok || (has && (!hasV || cv == lv))
				case "ancestor":
					ok = ok || c.Image == v || strings.HasPrefix(c.ImageID, "sha256:"+v) || c.ImageID == v
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}
