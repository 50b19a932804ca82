package cli

import (
	"context"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"berth/cli/format"
	"berth/engine"
	"berth/engine/errdefs"
	"berth/engine/image"
)

func (a *app) imagesCmd(use string, aliases ...string) *cobra.Command {
	var quiet, noTrunc, digests, all bool
	var filters []string
	var f string
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
			if len(args) == 1 {
				// As docker: the argument is a reference filter.
				filters = append(filters, "reference="+referencePattern(args[0]))
			}
			flt, err := parseImageFilters(cmd.Context(), eng, list, filters)
			if err != nil {
				return err
			}
			if list, err = flt.apply(cmd.Context(), eng, list); err != nil {
				return err
			}
			rows := format.ImageRows(list, format.ImageOptions{Trunc: !noTrunc, Digests: digests, Format: f, Now: time.Now()})
			if quiet && (f == "" || f == format.TableKey) {
				// docker prints an ID per row; berth prints each image once.
				seen := map[string]bool{}
				var ids []*format.Image
				for _, r := range rows {
					if !seen[r.ID()] {
						seen[r.ID()] = true
						ids = append(ids, r)
					}
				}
				return format.Write(a.out, "{{.ID}}", format.ImageHeader, ids)
			}
			return format.Write(a.out, imagesFormat(f, digests), format.ImageHeader, rows)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	fl.BoolVarP(&all, "all", "a", false, "show all images (berth keeps no intermediate images, so the same list)")
	fl.BoolVar(&noTrunc, "no-trunc", false, "show full image IDs")
	fl.BoolVar(&digests, "digests", false, "show digests")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "filter: dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, since=IMAGE")
	fl.StringVar(&f, "format", "", "table (default), json, raw, or a Go template per row, e.g. '{{.Repository}}:{{.Tag}}'")
	return cmd
}

// imagesFormat is the template images prints with, as docker chooses it.
func imagesFormat(f string, digests bool) string {
	switch f {
	case "", format.TableKey:
		if digests {
			return format.ImageTableDigests
		}
		return format.ImageTable
	case format.RawKey:
		if digests {
			return format.ImageRawDigests
		}
		return format.ImageRaw
	}
	if format.IsTable(f) && digests && !strings.Contains(f, "{{.Digest}}") {
		return f + `\t{{.Digest}}`
	}
	return f
}

// referencePattern is the filter pattern of images' REPOSITORY[:TAG]
// argument. A plain reference is written the way rows name images
// (docker.io/library/busybox is busybox), so that any spelling of a name
// finds it; a pattern with wildcards is taken as it is.
func referencePattern(arg string) string {
	if strings.ContainsAny(arg, `*?[\`) {
		return arg
	}
	r, err := image.ParseRef(arg)
	if err != nil {
		return arg
	}
	fam := image.Familiar(r.Repo)
	switch last := arg[strings.LastIndexByte(arg, '/')+1:]; {
	case r.Digest != "":
		return fam + "@" + r.Digest
	case strings.Contains(last, ":"):
		return fam + ":" + r.Tag
	}
	return fam
}

// imageFilter is `images --filter`, with docker's keys: values of one key
// OR (reference) or AND (label); distinct keys AND.
type imageFilter struct {
	dangling      *bool
	references    []string
	labels        []string
	before, since time.Time
}

func parseImageFilters(ctx context.Context, eng *engine.Engine, list []image.Summary, filters []string) (imageFilter, error) {
	var flt imageFilter
	created := func(ref string) (time.Time, error) {
		in, err := eng.InspectImage(ctx, ref)
		if err != nil {
			return time.Time{}, err
		}
		for _, s := range list {
			if s.ID == in.ID {
				return s.Created, nil
			}
		}
		return time.Time{}, errdefs.NotFound("no such image %q", ref)
	}
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return flt, errdefs.InvalidArgument("bad filter %q: use key=value", f)
		}
		var err error
		switch k {
		case "dangling":
			switch strings.ToLower(v) {
			case "true", "1":
				t := true
				flt.dangling = &t
			case "false", "0":
				f := false
				flt.dangling = &f
			default:
				return flt, errdefs.InvalidArgument("invalid filter 'dangling=%s': use dangling=true or dangling=false", v)
			}
		case "reference":
			if _, err := path.Match(v, ""); err != nil {
				return flt, errdefs.InvalidArgument("invalid reference pattern %q: %v", v, err)
			}
			flt.references = append(flt.references, v)
		case "label":
			flt.labels = append(flt.labels, v)
		case "before":
			flt.before, err = created(v)
		case "since":
			flt.since, err = created(v)
		default:
			return flt, errdefs.InvalidArgument("invalid filter %q: use dangling, reference, label, before or since", k)
		}
		if err != nil {
			return flt, err
		}
	}
	return flt, nil
}

// apply keeps the images the filter lets through, as docker's daemon does:
// a reference filter keeps only the names that match it, and drops images
// left with none; an image without names is dangling.
func (flt imageFilter) apply(ctx context.Context, eng *engine.Engine, list []image.Summary) ([]image.Summary, error) {
	var out []image.Summary
	for _, s := range list {
		if !flt.before.IsZero() && !s.Created.Before(flt.before) {
			continue
		}
		if !flt.since.IsZero() && !s.Created.After(flt.since) {
			continue
		}
		if len(flt.references) > 0 {
			s.RepoTags, s.RepoDigests = flt.matching(s.RepoTags, ":"), flt.matching(s.RepoDigests, "@")
			if len(s.RepoTags) == 0 && len(s.RepoDigests) == 0 {
				continue
			}
		}
		dangling := len(s.RepoTags) == 0 && len(s.RepoDigests) == 0
		if flt.dangling != nil {
			if *flt.dangling && len(s.RepoTags) > 0 || !*flt.dangling && dangling {
				continue
			}
		}
		if len(flt.labels) > 0 {
			in, err := eng.InspectImage(ctx, s.ID)
			if err != nil {
				return nil, err
			}
			var labels map[string]string
			if in.Config != nil {
				labels = in.Config.Labels
			}
			if !matchLabels(labels, flt.labels) {
				continue
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// matching keeps the names that one of the reference patterns matches,
// whole ("busybox:1.36") or by repository alone ("busybox"), with path.Match
// as docker does. cut is where the repository ends in a name.
func (flt imageFilter) matching(names []string, cut string) []string {
	var out []string
	for _, n := range names {
		repo := n
		if i := strings.LastIndexAny(n, cut); i > strings.LastIndexByte(n, '/') {
			repo = n[:i]
		}
		for _, p := range flt.references {
			if ok, _ := path.Match(p, n); ok {
				out = append(out, n)
				break
			}
			if ok, _ := path.Match(p, repo); ok {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// matchLabels reports whether labels has every "key" and "key=value" asked.
func matchLabels(labels map[string]string, want []string) bool {
	for _, w := range want {
		k, v, hasV := strings.Cut(w, "=")
		got, ok := labels[k]
		if !ok || hasV && got != v {
			return false
		}
	}
	return true
}
