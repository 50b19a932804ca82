package views

import (
	"context"
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/image"
	"berth/ui"
)

// imageAdminEngine is the engine's ability (checked with a type assertion;
// *engine.Engine has it) to tag images and prune unused ones.
type imageAdminEngine interface {
	TagImage(ctx context.Context, src, dst string) error
	PruneImages(ctx context.Context, all bool) (image.PruneReport, error)
}

// imageBindings are the Images pane's keys beyond pull, remove, inspect
// and layers: mark, tag, run from here, prune.
func (v *imagesView) imageBindings() []*binding[imageRow] {
	p := v.listPane
	type b = binding[imageRow]
	return []*b{
		p.markBinding(0),
		{Binding: ui.Bind("t", "tag", "t").WithID("tag"), onRow: true,
			do: func(r imageRow) tea.Cmd { v.dialog = v.tagDialog(r, "", nil); return nil }},
		{Binding: ui.Bind("n", "run a container of it", "n").WithID("run").WithShort("run"), onRow: true,
			do: func(r imageRow) tea.Cmd {
				v.dialog = newRunDialog(v.env, runFields{Image: r.Ref(), Interactive: true}, nil)
				return nil
			}},
		{Binding: ui.Bind("X", "prune unused", "X").WithID("prune"), group: 1, do: func(imageRow) tea.Cmd { return v.confirmPrune() }},
	}
}

// bulkRemove removes the marked images (force: every tag, even in use).
func (v *imagesView) bulkRemove(force bool) func(rows []imageRow) tea.Cmd {
	title, verb := "Remove images", "Remove"
	if force {
		title, verb = "Force remove images", "Force remove"
	}
	return func(rows []imageRow) tea.Cmd {
		return v.bulk(title, verb, "Removed", rows, imageRow.name,
			func(ctx context.Context, eng Engine, r imageRow) error {
				_, err := eng.RemoveImage(ctx, r.Ref(), image.RemoveOptions{Force: force})
				if errors.Is(err, context.Canceled) {
					return err
				}
				if !force && err != nil {
					return errors.New(adviseErr(err, removeAdvice()))
				}
				return err
			})
	}
}

// name is how a row is named to the user: repo:tag, or the short ID.
func (r imageRow) name() string {
	if ref := r.Ref(); ref != r.ID {
		return ref
	}
	return image.ShortID(r.ID)
}

// dangling are the untagged images, by ID.
func (v *imagesView) dangling() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range v.all {
		if r.Repo == none && r.Tag == none && !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, image.ShortID(r.ID))
		}
	}
	return out
}

// confirmPrune offers to remove the dangling images or every image no
// container uses.
func (v *imagesView) confirmPrune() tea.Cmd {
	adm, ok := v.env.eng.(imageAdminEngine)
	if !ok {
		return ui.Infof("this engine cannot prune images")
	}
	st := v.env.Styles
	dangling := v.dangling()
	body := "No dangling images."
	if len(dangling) > 0 {
		body = "Dangling (untagged): " + st.Dialog.Danger.Render(strings.Join(dangling, ", ")) + "."
	}
	prune := func(all bool) tea.Cmd {
		return v.act(func(ctx context.Context, _ Engine) (string, string, error) {
			rep, err := adm.PruneImages(ctx, all)
			n := 0
			for _, r := range rep.Removed {
				if r.Deleted != "" {
					n++
				}
			}
			if n == 0 {
				return "No unused images to remove", "", err
			}
			return "Removed " + plural(n, "image") + ", reclaimed " + humanSize(rep.SpaceReclaimed), "", err
		}, nil)
	}
	v.dialog = ui.NewChoice(st, "Prune images", body+" Which images go?",
		ui.Option{Key: "d", Label: "the dangling ones (" + itoa(len(dangling)) + ")", Do: prune(false)},
		ui.Option{Key: "a", Label: "every image no container uses, tagged or not", Do: prune(true)})
	return nil
}

// tagDialog asks for a new name of row's image; err is the last try's.
func (v *imagesView) tagDialog(r imageRow, val string, err error) ui.Dialog {
	adm, ok := v.env.eng.(imageAdminEngine)
	form := ui.NewForm(v.env.Styles, "Tag "+r.name(), []ui.FormField{
		{Label: "New tag", Placeholder: "myapp:1.0", Value: val,
			Hint: "repository[:tag], e.g. myapp:1.0 or localhost:5000/app"},
	}, func(vals []string) (tea.Cmd, error) {
		dst := strings.TrimSpace(vals[0])
		switch {
		case !ok:
			return nil, errors.New("this engine cannot tag images")
		case dst == "":
			return nil, errors.New("type the new name, e.g. myapp:1.0")
		}
		src := r.Ref()
		return v.act(func(ctx context.Context, _ Engine) (string, string, error) {
			if err := adm.TagImage(ctx, src, dst); err != nil {
				return "", "", err
			}
			return "Tagged " + r.name() + " as " + dst, "", nil
		}, func(err error) ui.Dialog { return v.tagDialog(r, dst, err) }), nil
	})
	form.SubmitLabel = "tag"
	form.SetError(err)
	return form
}
