package views

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/events"
	"berth/engine/image"
	"berth/ui"
)

// Messages of the images view. Each carries what it is about.
type (
	imageRemovedMsg struct {
		Ref     string
		ID      string
		Force   bool
		Results []image.RemoveResult
		Err     error
	}
	// clockMsg makes ages ("3 minutes ago") move on.
	clockMsg struct{}
)

// imagesView is the Images pane: the list of images, and what can be done
// to them — pull, remove, inspect.
type imagesView struct {
	*listPane[imageRow]
}

func newImagesView(e *env) *imagesView {
	v := &imagesView{}
	v.listPane = newListPane(e, listSpec[imageRow]{
		title:       "Images",
		noun:        "image",
		columns:     imageColumns,
		filterHint:  "repository, tag or ID",
		sortCol:     colCreated,
		defaultDesc: defaultDesc,
		changedBy:   []events.Type{events.TypeImage},
		load: func(ctx context.Context, eng Engine) ([]imageRow, error) {
			imgs, err := eng.ListImages(ctx)
			return imageRows(imgs), err
		},
		filter:   filterImageRows,
		sort:     sortImageRows,
		render:   func(rows []imageRow) []ui.Row { return imageTableRows(rows, e.now()) },
		noneText: "No images. Press p to pull one.",
		groups:   []string{"Image", "Images"},
		tabs:     v.imageTabs,
	})
	p := v.listPane
	p.setBindings(append([]*binding[imageRow]{
		&binding[imageRow]{Binding: ui.Bind("p", "pull an image", "p").WithShort("pull"), short: 1, group: 1,
			do: func(imageRow) tea.Cmd { v.dialog = v.pullDialog(); return nil }},
		&binding[imageRow]{Binding: ui.Bind("d", "remove (untag) the image", "d").WithShort("remove"), short: 2, onRow: true,
			do: func(r imageRow) tea.Cmd { v.dialog = v.confirmRemove(r, false); return nil }, bulk: v.bulkRemove(false),
			helpKey: "d/D", helpDesc: "remove / force remove"},
		&binding[imageRow]{Binding: ui.Bind("D", "force remove, all tags", "D"), onRow: true, group: noHelp,
			do: func(r imageRow) tea.Cmd { v.dialog = v.confirmRemove(r, true); return nil }, bulk: v.bulkRemove(true)},
		&binding[imageRow]{Binding: ui.Bind("enter", "details: inspect, history, layers", "enter").WithShort("details").WithID("details"), short: 3, onRow: true,
			do: func(imageRow) tea.Cmd { return p.openDetail("") }},
		&binding[imageRow]{Binding: ui.Bind("i", "inspect", "i"), onRow: true,
			do: func(imageRow) tea.Cmd { return p.openDetail("Inspect") }},
		&binding[imageRow]{Binding: ui.Bind("L", "layers: files, wasted space", "L").WithID("layers"), onRow: true,
			do: func(imageRow) tea.Cmd { return p.openDetail("Layers") }},
		p.filterHint(4),
	}, v.imageBindings()...)...)
	for _, b := range []*binding[imageRow]{p.sortBinding(5), p.reverseBinding(), p.refreshBinding()} {
		if b.group != noHelp {
			b.group = 1
		}
		p.binds = append(p.binds, b)
	}
	return v
}

// Update handles the pane's messages, then the list's.
func (v *imagesView) Update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(imageRemovedMsg); ok {
		return v.removed(msg)
	}
	cmd, _ := v.update(msg)
	return cmd
}

// pullDialog asks for the reference to pull.
func (v *imagesView) pullDialog() ui.Dialog {
	return ui.NewInput(v.env.Styles, "Pull image", "› ", "busybox:latest",
		"e.g. busybox, alpine:3.19, localhost:5000/app",
		func(ref string) (tea.Cmd, error) {
			if ref == "" {
				return nil, errors.New("type an image reference, e.g. busybox or alpine:3.19")
			}
			return func() tea.Msg { return startPullMsg{Ref: ref} }, nil
		})
}

// confirmRemove is the dialog that asks before removing row.
func (v *imagesView) confirmRemove(row imageRow, force bool) ui.Dialog {
	st := v.env.Styles
	ref := row.Ref()
	name := ref
	if name == row.ID {
		name = image.ShortID(row.ID)
	}
	title, body := "Remove image", "Remove "+st.Dialog.Danger.Render(name)+"?"
	if row.Ref() != row.ID {
		body += " The image is deleted when no other tag names it."
	}
	if force {
		title = "Force remove image"
		body = "Force remove " + st.Dialog.Danger.Render(name) +
			"? Every tag of image " + image.ShortID(row.ID) + " is removed, and the image even if a container uses it."
	}
	eng, ctx, id := v.env.eng, v.env.ctx, row.ID
	return ui.NewConfirm(st, title, body, func() tea.Msg {
		res, err := eng.RemoveImage(ctx, ref, image.RemoveOptions{Force: force})
		return imageRemovedMsg{Ref: ref, ID: id, Force: force, Results: res, Err: err}
	})
}

// removed drops the removed rows at once (the reload that follows confirms)
// and says what happened.
func (v *imagesView) removed(msg imageRemovedMsg) tea.Cmd {
	if msg.Err != nil {
		a := removeAdvice()
		if msg.Force {
			a.conflict = ""
		}
		return tea.Batch(errStatus(msg.Err, a), v.refresh())
	}
	var keep []imageRow
	for _, r := range v.all {
		gone := r.Ref() == msg.Ref || (msg.Force && r.ID == msg.ID)
		for _, res := range msg.Results {
			if res.Deleted != "" && res.Deleted == r.ID {
				gone = true
			}
		}
		if !gone {
			keep = append(keep, r)
		}
	}
	v.all = keep
	v.apply()
	return tea.Batch(ui.Status(ui.LevelSuccess, removeSummary(msg.Ref, msg.Results)), v.refresh())
}

// removeSummary is the status line after a removal: "Untagged busybox:latest;
// deleted 3f57d9401f8d".
func removeSummary(ref string, res []image.RemoveResult) string {
	var untagged, deleted []string
	for _, r := range res {
		if r.Untagged != "" {
			untagged = append(untagged, r.Untagged)
		}
		if r.Deleted != "" {
			deleted = append(deleted, image.ShortID(r.Deleted))
		}
	}
	var parts []string
	if len(untagged) > 0 {
		parts = append(parts, "Untagged "+strings.Join(untagged, ", "))
	}
	if len(deleted) > 0 {
		s := "deleted " + deleted[0]
		if len(deleted) > 1 {
			s += fmt.Sprintf(" and %d more", len(deleted)-1)
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "Removed " + ref
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func itoa(i int) string { return fmt.Sprint(i) }
