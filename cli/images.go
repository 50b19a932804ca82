package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"berth/engine/errdefs"
	"berth/engine/image"
	"berth/internal/units"
	"berth/pty"
)

// imageCommands are `berth image ...` and the docker-style top-level aliases.
func (a *app) imageCommands() []*cobra.Command {
	img := &cobra.Command{Use: "image", Short: "Manage images", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	img.AddCommand(a.pullCmd(), a.imagesCmd("ls", "list"), a.imageInspectCmd(), a.historyCmd(),
		a.tagCmd(), a.rmiCmd("rm", "remove"), a.pruneCmd(), a.saveCmd(), a.loadCmd())
	return []*cobra.Command{img, a.pullCmd(), a.imagesCmd("images"), a.rmiCmd("rmi"), a.tagCmd(),
		a.saveCmd(), a.loadCmd(), a.historyCmd()}
}

func (a *app) pullCmd() *cobra.Command {
	var opts image.PullOptions
	var quiet bool
	cmd := &cobra.Command{
		Use:   "pull NAME[:TAG|@DIGEST]",
		Short: "Download an image from a registry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			var pr *progressPrinter
			if !quiet {
				pr = newProgressPrinter(a.out, isTerminal(a.out), terminalWidth(a.out))
				opts.Progress = pr.Update
			}
			res, err := eng.PullImage(cmd.Context(), args[0], opts)
			if pr != nil {
				pr.Close()
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(a.out, res.Ref)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Platform, "platform", "", "pick this platform from a multi-platform image (default linux/amd64)")
	cmd.Flags().IntVar(&opts.Parallel, "max-concurrent-downloads", 3, "layers downloaded at once")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the image name")
	return cmd
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && pty.IsTerminal(f)
}

func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		return pty.Width(f, 80)
	}
	return 80
}

func (a *app) historyCmd() *cobra.Command {
	var noTrunc, quiet bool
	cmd := &cobra.Command{
		Use:   "history IMAGE",
		Short: "Show the layers of an image with their size and the step that made them",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			hist, err := eng.ImageHistory(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if quiet {
				for _, h := range hist {
					fmt.Fprintln(a.out, shortOr(h.ID, noTrunc))
				}
				return nil
			}
			now := time.Now()
			tw := tabwriter.NewWriter(a.out, 0, 8, 3, ' ', 0)
			fmt.Fprintln(tw, "IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT")
			for _, h := range hist {
				by := strings.ReplaceAll(h.CreatedBy, "\t", " ")
				if !noTrunc && len(by) > 45 {
					by = by[:44] + "…"
				}
				created := units.Ago(h.Created, now)
				if created == "" {
					created = "N/A"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", shortOr(h.ID, noTrunc), created, by, units.HumanSize(h.Size), h.Comment)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "do not shorten output")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	return cmd
}

func shortOr(id string, full bool) string {
	if full || id == "<missing>" {
		return id
	}
	return image.ShortID(id)
}

func (a *app) tagCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Short: "Give an image another name",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			return eng.TagImage(cmd.Context(), args[0], args[1])
		},
	}
}

func (a *app) rmiCmd(use string, aliases ...string) *cobra.Command {
	var opts image.RemoveOptions
	cmd := &cobra.Command{
		Use:     use + " IMAGE [IMAGE...]",
		Aliases: aliases,
		Short:   "Remove images (untag; delete when no name is left)",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			var errs []error
			for _, ref := range args {
				res, err := eng.RemoveImage(cmd.Context(), ref, opts)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				printRemoved(a.out, res)
			}
			return joinLines(errs)
		},
	}
	cmd.Flags().BoolVarP(&opts.Force, "force", "f", false, "remove every name of the image, even if in use")
	return cmd
}

func printRemoved(w io.Writer, res []image.RemoveResult) {
	for _, r := range res {
		if r.Untagged != "" {
			fmt.Fprintln(w, "Untagged:", r.Untagged)
		} else {
			fmt.Fprintln(w, "Deleted:", r.Deleted)
		}
	}
}

// joinLines reports several failures, one per line, keeping the first's class.
func joinLines(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errdefs.Wrap(errs[0], errs[0], "%s", strings.Join(msgs, "\nError: "))
}

func (a *app) pruneCmd() *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove dangling images (-a: every image no container uses)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			warning := "WARNING! This will remove all dangling images.\n"
			if all {
				warning = "WARNING! This will remove all images without at least one container associated to them.\n"
			}
			if !force && !a.confirm(warning) {
				return nil
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			rep, err := eng.PruneImages(cmd.Context(), all)
			if err != nil {
				return err
			}
			if len(rep.Removed) > 0 {
				fmt.Fprintln(a.out, "Deleted Images:")
				printRemoved(a.out, rep.Removed)
				fmt.Fprintln(a.out)
			}
			fmt.Fprintf(a.out, "Total reclaimed space: %s\n", units.HumanSizeDigits(rep.SpaceReclaimed, 4))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all unused images, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}

func (a *app) saveCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "save [-o FILE] IMAGE [IMAGE...]",
		Short: "Write images to a tar (docker-archive and OCI layout in one)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "" && isTerminal(a.out) {
				return errdefs.InvalidArgument("refusing to write a tar to the terminal: use -o FILE or redirect the output")
			}
			path := ""
			if output != "" {
				var err error
				if path, err = checkOutput(output); err != nil {
					return err
				}
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			if path == "" {
				return eng.SaveImages(cmd.Context(), args, a.out)
			}
			return writeFileAtomic(path, func(w io.Writer) error { return eng.SaveImages(cmd.Context(), args, w) })
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func (a *app) loadCmd() *cobra.Command {
	var input string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "load [-i FILE]",
		Short: "Load images from a docker-archive or OCI layout tar",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var r io.Reader = os.Stdin
			if input != "" {
				f, err := openInput(input)
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			} else if isTerminal(os.Stdin) {
				return errdefs.InvalidArgument("no input: use -i FILE or pipe a tar into berth load")
			}
			eng, err := a.engine()
			if err != nil {
				return err
			}
			res, err := eng.LoadImages(cmd.Context(), r)
			if err != nil {
				return err
			}
			if !quiet {
				for _, l := range res.Loaded {
					fmt.Fprintln(a.out, l)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "read from this tar file instead of standard input")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing")
	return cmd
}
