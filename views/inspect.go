package views

import (
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// inspectView shows the JSON of one object (image, container, network,
// volume) in a scrolling viewport: a list pane's sub-view.
type inspectView struct {
	env   *env
	ref   string
	vp    viewport.Model
	keys  inspectKeys
	lines int
	json  string // what y copies
}

type inspectKeys struct {
	Scroll, Page, Ends, Sideways, Back ui.Binding
}

func newInspectView(e *env, ref string, insp any) *inspectView {
	text := "null"
	if insp != nil {
		b, err := json.MarshalIndent(insp, "", "  ")
		if err != nil {
			text = "cannot show " + ref + ": " + err.Error()
		} else {
			text = string(b)
		}
	}
	v := &inspectView{env: e, ref: ref, vp: viewport.New(), keys: inspectKeys{
		Scroll:   ui.Bind("↑↓/jk", "scroll", "up", "down", "j", "k"),
		Page:     ui.Bind("pgup/pgdn", "page", "pgup", "pgdown"),
		Ends:     ui.Bind("g/G", "top / bottom", "g", "G"),
		Sideways: ui.Bind("←→/hl", "scroll sideways", "left", "right", "h", "l"),
		Back:     ui.Bind("esc", "back to the list", "esc"),
	}}
	v.json = text
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = " " + lines[i] // the frame's inner margin
	}
	v.vp.SetContentLines(lines)
	v.vp.FillHeight = true
	v.lines = v.vp.TotalLineCount()
	return v
}

// SetSize sets the size, frame included.
func (v *inspectView) SetSize(w, h int) {
	v.vp.SetWidth(max(w-2, 0))
	v.vp.SetHeight(max(h-2, 0))
}

// Key scrolls; it reports true when the view should close.
func (v *inspectView) Key(msg tea.KeyPressMsg) (closed bool) {
	km := v.env.Keys
	switch {
	case v.keys.Back.Matches(msg):
		return true
	case km.Top.Matches(msg):
		v.vp.GotoTop()
	case km.Bottom.Matches(msg):
		v.vp.GotoBottom()
	default:
		v.vp, _ = v.vp.Update(msg)
	}
	return false
}

// View draws the frame and the visible JSON.
func (v *inspectView) View() string {
	w, h := v.vp.Width()+2, v.vp.Height()+2
	info := fmt.Sprintf("%d%%", int(v.vp.ScrollPercent()*100))
	return ui.Frame(v.env.Styles, "Inspect "+v.ref, info, true, v.vp.View(), w, h)
}

func (v *inspectView) KeyGroups() []ui.KeyGroup {
	k := v.keys
	return []ui.KeyGroup{{Title: "Inspect", Keys: []ui.Binding{k.Scroll, k.Page, k.Ends, k.Sideways, k.Back}}}
}

func (v *inspectView) ShortHelp() []ui.Binding {
	return []ui.Binding{v.keys.Back, v.keys.Scroll, v.keys.Ends}
}
