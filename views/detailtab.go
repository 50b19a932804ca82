package views

import (
	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// detailTab is one tab of an object's detail area: Logs, Stats, Inspect,
// Env, Top, Mounts/Ports of a container; History and Layers of an image;
// Inspect and Containers of a network or a volume. The detail area of a
// list pane holds the tabs of its selected object, draws the tab strip and
// the active tab, and closes the tabs when the selection changes or the
// area closes. This is the one sub-view convention: inspect, logs and the
// layer browser are tabs; dialogs keep their own slot.
//
// A tab runs every engine call and stream in commands that return its own
// typed messages, each carrying what the tab needs to drop stale ones
// (a sequence number, the object's ID). The list pane gives every message
// it does not know to its detail area, which gives it to each of its tabs:
// a tab ignores what is not its own.
type detailTab interface {
	// Title is the tab's name in the tab strip: "Logs".
	Title() string
	// Open starts what the tab shows (a stream, a sampler, a load) when it
	// becomes visible; it is called again after Close when it is shown
	// again. It may return nil.
	Open() tea.Cmd
	// Close lets go of streams and samplers; the tab stays usable by Open.
	Close()
	// SetSize sets the size of the tab's body, without the tab strip.
	SetSize(w, h int)
	View() string
	// Update takes the tab's own messages; others are ignored.
	Update(msg tea.Msg) tea.Cmd
	// Key handles a key the area gives the tab; handled false lets the
	// area (and then the list) act on it.
	Key(msg tea.KeyPressMsg) (cmd tea.Cmd, handled bool)
	// Capturing reports that keys are text now (a search being typed):
	// the app's global keys must not act.
	Capturing() bool
	// KeyGroups and ShortHelp are the tab's keys for the help screen and
	// the help line.
	KeyGroups() []ui.KeyGroup
	ShortHelp() []ui.Binding
}
