package cli

import (
	"context"

	"github.com/spf13/cobra"

	"berth/cli/format"
	"berth/engine"
	"berth/engine/errdefs"
)

// inspectCmd is docker's generic inspect: a container by that name or ID,
// else an image (--type picks one).
func (a *app) inspectCmd() *cobra.Command {
	var f, kind string
	var size bool
	cmd := &cobra.Command{
		Use:   "inspect [--type container|image] NAME|ID [NAME|ID...]",
		Short: "Show containers or images as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch kind {
			case "", "container", "image":
			default:
				return errdefs.InvalidArgument("%q is not a valid value for --type: use container or image", kind)
			}
			return a.inspect(args, f, func(eng *engine.Engine, ref string) (any, error) {
				ctx := cmd.Context()
				if kind != "image" {
					in, err := containerDoc(ctx, eng, ref, size)
					if kind == "container" || !errdefs.IsNotFound(err) {
						return in, err
					}
				}
				in, err := eng.InspectImage(ctx, ref)
				if errdefs.IsNotFound(err) && kind == "" {
					return nil, errdefs.NotFound("no such container or image %q", ref)
				}
				return in, err
			})
		},
	}
	cmd.Flags().StringVarP(&f, "format", "f", "", "Go template, e.g. '{{.State.Status}}' or '{{.Id}}'")
	cmd.Flags().StringVar(&kind, "type", "", "only look for a container or an image")
	cmd.Flags().BoolVarP(&size, "size", "s", false, "add the sizes of containers (SizeRw, SizeRootFs)")
	return cmd
}

func (a *app) imageInspectCmd() *cobra.Command {
	var f string
	cmd := &cobra.Command{
		Use:   "inspect IMAGE [IMAGE...]",
		Short: "Show an image's configuration, layers, digests and platform as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.inspect(args, f, func(eng *engine.Engine, ref string) (any, error) {
				return eng.InspectImage(cmd.Context(), ref)
			})
		},
	}
	cmd.Flags().StringVarP(&f, "format", "f", "", "Go template, e.g. '{{.Id}}' or '{{json .Config}}'")
	return cmd
}

func (a *app) containerInspectCmd() *cobra.Command {
	var f string
	var size bool
	cmd := &cobra.Command{
		Use: "inspect CONTAINER [CONTAINER...]", Short: "Show a container's configuration and state as JSON",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.inspect(args, f, func(eng *engine.Engine, ref string) (any, error) {
				return containerDoc(cmd.Context(), eng, ref, size)
			})
		},
	}
	cmd.Flags().StringVarP(&f, "format", "f", "", "Go template, e.g. '{{.State.Status}}'")
	cmd.Flags().BoolVarP(&size, "size", "s", false, "add the container's sizes (SizeRw, SizeRootFs)")
	return cmd
}

// inspect prints the document of each ref, as docker inspect does: those
// found are printed, those not found (or that the template fails on) are
// reported together after them.
func (a *app) inspect(refs []string, f string, get func(eng *engine.Engine, ref string) (any, error)) error {
	eng, err := a.engine()
	if err != nil {
		return err
	}
	var docs []any
	var errs []error
	for _, ref := range refs {
		d, err := get(eng, ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		docs = append(docs, d)
	}
	if err := format.Inspect(a.out, f, docs); err != nil {
		errs = append(errs, err)
	}
	return joinLines(errs)
}

// containerDoc is a container's inspect document, with its sizes when
// asked (docker inspect --size).
func containerDoc(ctx context.Context, eng *engine.Engine, ref string, size bool) (any, error) {
	svc := eng.Containers()
	in, err := svc.Inspect(ctx, ref)
	if err != nil || !size {
		return in, err
	}
	rw, err := svc.SizeRw(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	rootfs := rw
	if img, err := eng.InspectImage(ctx, in.Image); err == nil {
		rootfs += img.Size
	}
	in.SizeRw, in.SizeRootFs = &rw, &rootfs
	return in, nil
}
