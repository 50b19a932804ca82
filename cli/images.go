package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"berth/engine/errdefs"
	"berth/engine/image"
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

// imageRow is one line of `berth images`; its fields are what --format sees.
type imageRow struct {
	Repository, Tag, ID, Digest, CreatedSince, CreatedAt, Size string
}

func imageRows(list []image.Summary, noTrunc bool) []imageRow {
	var rows []imageRow
	for _, s := range list {
		id := s.ShortID()
		if noTrunc {
			id = s.ID
		}
		base := imageRow{ID: id, CreatedSince: humanize.Time(s.Created), Digest: "<none>",
			CreatedAt: s.Created.Format(time.RFC3339), Size: humanize.Bytes(uint64(s.Size))}
		if len(s.RepoDigests) > 0 {
			_, base.Digest, _ = strings.Cut(s.RepoDigests[0], "@")
		}
		if len(s.RepoTags) == 0 {
			base.Repository, base.Tag = "<none>", "<none>"
			rows = append(rows, base)
			continue
		}
		for _, t := range s.RepoTags {
			r := base
			r.Repository, r.Tag = image.SplitFamiliar(t)
			rows = append(rows, r)
		}
	}
	return rows
}

func (a *app) imagesCmd(use string, aliases ...string) *cobra.Command {
	var quiet, noTrunc, digests bool
	var format string
	cmd := &cobra.Command{
		Use:     use + " [REPOSITORY[:TAG]]",
		Aliases: aliases,
		Short:   "List images",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			list, err := eng.ListImages(cmd.Context())
			if err != nil {
				return err
			}
			rows := imageRows(list, noTrunc)
			if len(args) == 1 {
				rows = filterRows(rows, args[0])
			}
			switch {
			case quiet:
				seen := map[string]bool{}
				for _, r := range rows {
					if !seen[r.ID] {
						seen[r.ID] = true
						fmt.Fprintln(a.out, r.ID)
					}
				}
				return nil
			case format != "":
				return printFormat(a.out, format, rows)
			}
			tw := tabwriter.NewWriter(a.out, 0, 8, 3, ' ', 0)
			if digests {
				fmt.Fprintln(tw, "REPOSITORY\tTAG\tDIGEST\tIMAGE ID\tCREATED\tSIZE")
			} else {
				fmt.Fprintln(tw, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE")
			}
			for _, r := range rows {
				if digests {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, r.Digest, r.ID, r.CreatedSince, r.Size)
				} else {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size)
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "show full image IDs")
	cmd.Flags().BoolVar(&digests, "digests", false, "show digests")
	cmd.Flags().StringVar(&format, "format", "", "Go template per row, e.g. '{{.Repository}}:{{.Tag}}'")
	return cmd
}

// filterRows keeps the rows of REPOSITORY[:TAG] (familiar names).
func filterRows(rows []imageRow, want string) []imageRow {
	repo, tag := image.SplitFamiliar(want)
	if r, err := image.ParseRef(want); err == nil && !strings.Contains(want, ":") {
		repo, tag = image.Familiar(r.Repo), ""
	}
	var out []imageRow
	for _, r := range rows {
		if r.Repository == repo && (tag == "" || r.Tag == tag) {
			out = append(out, r)
		}
	}
	return out
}

func printFormat[R any](w io.Writer, format string, rows []R) error {
	t, err := parseTemplate(format)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := t.Execute(w, r); err != nil {
			return errdefs.InvalidArgument("--format: %v", err)
		}
		fmt.Fprintln(w)
	}
	return nil
}

func (a *app) imageInspectCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect IMAGE [IMAGE...]",
		Short: "Show an image's configuration, layers, digests and platform as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			var out []any
			for _, ref := range args {
				in, err := eng.InspectImage(cmd.Context(), ref)
				if err != nil {
					return err
				}
				out = append(out, in)
			}
			return a.printInspect(out, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "Go template, e.g. '{{.Id}}' or '{{json .Config}}'")
	return cmd
}

// inspectCmd is docker's generic inspect: a container by that name or ID,
// else an image.
func (a *app) inspectCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect NAME|ID [NAME|ID...]",
		Short: "Show containers or images as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			var out []any
			for _, ref := range args {
				if in, err := eng.Containers().Inspect(cmd.Context(), ref); err == nil {
					out = append(out, in)
					continue
				} else if !errdefs.IsNotFound(err) {
					return err
				}
				in, err := eng.InspectImage(cmd.Context(), ref)
				if errdefs.IsNotFound(err) {
					return errdefs.NotFound("no such container or image %q", ref)
				}
				if err != nil {
					return err
				}
				out = append(out, in)
			}
			return a.printInspect(out, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "Go template, e.g. '{{.State.Status}}' or '{{.Id}}'")
	return cmd
}

// parseTemplate parses a --format template with docker's json function.
func parseTemplate(format string) (*template.Template, error) {
	t, err := template.New("format").Funcs(template.FuncMap{"json": toJSON}).Parse(format)
	if err != nil {
		return nil, errdefs.InvalidArgument("invalid --format template: %v", err)
	}
	return t, nil
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
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
			tw := tabwriter.NewWriter(a.out, 0, 8, 3, ' ', 0)
			fmt.Fprintln(tw, "IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT")
			for _, h := range hist {
				by := strings.ReplaceAll(h.CreatedBy, "\t", " ")
				if !noTrunc && len(by) > 45 {
					by = by[:44] + "…"
				}
				created := "N/A"
				if !h.Created.IsZero() {
					created = humanize.Time(h.Created)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", shortOr(h.ID, noTrunc), created, by, humanize.Bytes(uint64(h.Size)), h.Comment)
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
			fmt.Fprintf(a.out, "Total reclaimed space: %s\n", humanize.Bytes(uint64(rep.SpaceReclaimed)))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all unused images, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt (berth never prompts; accepted for docker compatibility)")
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
