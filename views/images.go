package views

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/image"
	"berth/ui"
)

// Messages of the images view. Each carries what it is about.
type (
	imagesLoadedMsg struct {
		Seq    int
		Images []image.Summary
		Err    error
	}
	imageRemovedMsg struct {
		Ref     string
		ID      string
		Force   bool
		Results []image.RemoveResult
		Err     error
	}
	imageInspectedMsg struct {
		Ref     string
		Inspect *image.Inspect
		Err     error
	}
	// clockMsg makes ages ("3 minutes ago") move on.
	clockMsg struct{}
)

type imagesKeys struct {
	Pull, Remove, ForceRemove, Inspect, Sort, Reverse, Refresh ui.Binding
}

func defaultImagesKeys() imagesKeys {
	return imagesKeys{
		Pull:        ui.Bind("p", "pull an image", "p").WithShort("pull"),
		Remove:      ui.Bind("d", "remove (untag) the image", "d").WithShort("remove"),
		ForceRemove: ui.Bind("D", "force remove, all tags", "D"),
		Inspect:     ui.Bind("i/enter", "inspect", "i", "enter"),
		Sort:        ui.Bind("s", "sort by next column", "s").WithShort("sort"),
		Reverse:     ui.Bind("S", "reverse the sort", "S"),
		Refresh:     ui.Bind("r", "refresh", "r"),
	}
}

// imagesView is the Images pane: the table of images, its filter, the
// remove and pull dialogs, and the inspect view.
type imagesView struct {
	env   *env
	keys  imagesKeys
	table *ui.Table

	all      []imageRow // as last loaded
	shown    []imageRow // filtered and sorted, as in the table
	sortCol  int
	sortDesc bool

	filter ui.Filter

	seq     int  // of the last load asked for
	loading bool // a load is running
	stale   bool // something changed while loading: load again
	loaded  bool
	loadErr error

	dialog  ui.Dialog
	inspect *inspectView

	width, height int
}

func newImagesView(e *env) *imagesView {
	v := &imagesView{
		env:      e,
		keys:     defaultImagesKeys(),
		table:    ui.NewTable(e.Styles, imageColumns),
		sortCol:  colCreated,
		sortDesc: true,
		filter:   ui.NewFilter(e.Styles, "repository, tag or ID"),
	}
	v.table.SetEmptyText("Loading images…")
	v.table.SetSort(v.sortCol, v.sortDesc)
	return v
}

// Title is the pane's tab name.
func (v *imagesView) Title() string { return "Images" }

// Init loads the images.
func (v *imagesView) Init() tea.Cmd { return v.refresh() }

// Capturing reports whether keys are text now (filter or dialog), so that
// global keys like q must not act.
func (v *imagesView) Capturing() bool { return v.filter.Typing() || v.dialog != nil }

// Dialog is the open dialog, drawn by the app over the whole screen.
func (v *imagesView) Dialog() ui.Dialog { return v.dialog }

// refresh loads the images again, or marks a running load stale so that it
// is repeated once it returns: bursts of events cost two loads at most.
func (v *imagesView) refresh() tea.Cmd {
	if v.loading {
		v.stale = true
		return nil
	}
	v.loading = true
	v.seq++
	seq, eng, ctx := v.seq, v.env.eng, v.env.ctx
	return func() tea.Msg {
		imgs, err := eng.ListImages(ctx)
		return imagesLoadedMsg{Seq: seq, Images: imgs, Err: err}
	}
}

// apply sorts and filters the rows and hands them to the table.
func (v *imagesView) apply() {
	rows := filterImageRows(v.all, v.filter.Value())
	rows = append([]imageRow(nil), rows...)
	sortImageRows(rows, v.sortCol, v.sortDesc)
	v.shown = rows
	v.table.SetSort(v.sortCol, v.sortDesc)
	v.table.SetRows(imageTableRows(rows, v.env.now()))
	switch {
	case v.loadErr != nil && len(v.all) == 0:
		v.table.SetEmptyText("Could not list images: " + oneLine(v.loadErr.Error()))
	case !v.loaded:
		v.table.SetEmptyText("Loading images…")
	case len(v.all) == 0:
		v.table.SetEmptyText("No images. Press p to pull one.")
	default:
		v.table.SetEmptyText("No image matches the filter. Esc clears it.")
	}
	v.updateKeys()
}

func (v *imagesView) updateKeys() {
	why := ""
	if _, ok := v.selected(); !ok {
		why = "no image selected"
	}
	v.keys.Remove.SetDisabled(why)
	v.keys.ForceRemove.SetDisabled(why)
	v.keys.Inspect.SetDisabled(why)
}

func (v *imagesView) selected() (imageRow, bool) {
	i := v.table.Cursor()
	if i < 0 || i >= len(v.shown) {
		return imageRow{}, false
	}
	return v.shown[i], true
}

// Update handles the view's messages and keys.
func (v *imagesView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case imagesLoadedMsg:
		if msg.Seq != v.seq {
			return nil // an older load
		}
		v.loading = false
		var cmd tea.Cmd
		if msg.Err != nil {
			v.loadErr = msg.Err
			cmd = ui.ErrorStatus(msg.Err)
		} else {
			v.loadErr, v.loaded = nil, true
			v.all = imageRows(msg.Images)
		}
		v.apply()
		if v.stale {
			v.stale = false
			return tea.Batch(cmd, v.refresh())
		}
		return cmd
	case refreshImagesMsg:
		return v.refresh()
	case clockMsg:
		v.apply()
		return nil
	case imageRemovedMsg:
		return v.removed(msg)
	case imageInspectedMsg:
		if msg.Err != nil {
			return ui.ErrorStatus(msg.Err)
		}
		v.inspect = newInspectView(v.env, msg.Ref, msg.Inspect)
		v.inspect.SetSize(v.width, v.height)
		return nil
	case tea.KeyPressMsg:
		return v.key(msg)
	case tea.PasteMsg:
		if v.dialog != nil {
			var cmd tea.Cmd
			v.dialog, cmd = v.dialog.Update(msg)
			return cmd
		}
		if v.filter.Typing() {
			return v.nav().edit(msg)
		}
	}
	return nil
}

func (v *imagesView) key(msg tea.KeyPressMsg) tea.Cmd {
	if v.dialog != nil {
		var cmd tea.Cmd
		v.dialog, cmd = v.dialog.Update(msg)
		return cmd
	}
	if v.inspect != nil {
		if v.inspect.Update(msg) {
			v.inspect = nil
		}
		return nil
	}
	if took, cmd := v.nav().key(msg); took {
		return cmd
	}

	k := v.keys
	switch {
	case k.Sort.Matches(msg):
		v.sortCol = (v.sortCol + 1) % numImageCols
		v.sortDesc = defaultDesc(v.sortCol)
		v.apply()
	case k.Reverse.Matches(msg):
		v.sortDesc = !v.sortDesc
		v.apply()
	case k.Refresh.Matches(msg):
		return tea.Batch(v.refresh(), ui.Infof("Refreshing images…"))
	case k.Pull.Matches(msg):
		v.dialog = ui.NewInput(v.env.Styles, "Pull image", "› ", "busybox:latest",
			"e.g. busybox, alpine:3.19, localhost:5000/app",
			func(ref string) (tea.Cmd, error) {
				if ref == "" {
					return nil, errors.New("type an image reference, e.g. busybox or alpine:3.19")
				}
				return func() tea.Msg { return startPullMsg{Ref: ref} }, nil
			})
	case k.Remove.Matches(msg), k.ForceRemove.Matches(msg):
		force := k.ForceRemove.Matches(msg)
		b := k.Remove
		if force {
			b = k.ForceRemove
		}
		if !b.Enabled() {
			return ui.Infof("%s: %s", b.Help().Key, b.Disabled)
		}
		row, _ := v.selected()
		v.dialog = v.confirmRemove(row, force)
	case k.Inspect.Matches(msg):
		if !k.Inspect.Enabled() {
			return ui.Infof("%s: %s", msg.String(), k.Inspect.Disabled)
		}
		row, _ := v.selected()
		ref, eng, ctx := row.Ref(), v.env.eng, v.env.ctx
		return func() tea.Msg {
			insp, err := eng.InspectImage(ctx, ref)
			return imageInspectedMsg{Ref: ref, Inspect: insp, Err: err}
		}
	}
	return nil
}

// nav is the pane's table and filter, for the keys list panes share.
func (v *imagesView) nav() listNav {
	return listNav{table: v.table, filter: &v.filter, keys: v.env.Keys, apply: v.apply, moved: v.updateKeys}
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
		return tea.Batch(ui.ErrorStatus(msg.Err), v.refresh())
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

// SetSize sets the pane's size, frame included.
func (v *imagesView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.table.SetSize(max(w-2, 0), max(h-2-v.filter.Lines(), 0))
	if v.inspect != nil {
		v.inspect.SetSize(w, h)
	}
}

// View draws the pane: a frame with the table, or the inspect view.
func (v *imagesView) View() string {
	if v.inspect != nil {
		return v.inspect.View()
	}
	st := v.env.Styles
	title := "Images (" + itoa(len(v.shown)) + ")"
	if q := v.filter.Value(); q != "" && len(v.shown) != len(v.all) {
		title = "Images (" + itoa(len(v.shown)) + "/" + itoa(len(v.all)) + ")"
	}
	arrow := "↑"
	if v.sortDesc {
		arrow = "↓"
	}
	info := "sort: " + imageColumns[v.sortCol].Title + arrow
	if v.loading && v.loaded {
		info = "refreshing… · " + info
	}
	var body []string
	if v.filter.Lines() > 0 {
		body = append(body, v.filter.View(st, v.width-2))
	}
	body = append(body, v.table.View())
	return ui.Frame(st, title, info, true, strings.Join(body, "\n"), v.width, v.height)
}

// KeyGroups are the pane's keys, for help.
func (v *imagesView) KeyGroups() []ui.KeyGroup {
	if v.inspect != nil {
		return v.inspect.KeyGroups()
	}
	k := v.keys
	return []ui.KeyGroup{{Title: "Images", Keys: []ui.Binding{k.Pull, k.Remove, k.ForceRemove, k.Inspect, k.Sort, k.Reverse, k.Refresh}}}
}

// ShortHelp are the keys the status bar suggests.
func (v *imagesView) ShortHelp() []ui.Binding {
	if v.inspect != nil {
		return v.inspect.ShortHelp()
	}
	k := v.keys
	return []ui.Binding{k.Pull, k.Remove, k.Inspect, v.env.Keys.Filter, k.Sort}
}

func itoa(i int) string { return fmt.Sprint(i) }
