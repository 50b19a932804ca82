package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Binding is a key binding with its help text that can say why it does
// nothing at the moment (as lazygit's disabled bindings do): pressing a
// disabled key shows the reason instead of failing silently.
type Binding struct {
	key.Binding
	// ID is the binding's stable action name within its table ("stop"),
	// which the config file's [keys] overrides name; "" to derive it from
	// the description (see Action).
	ID       string
	Disabled string // why the binding does nothing now; "" when it works
	Short    string // a shorter description for the status bar; "" for the help's
}

// Bind makes a binding: the keys that trigger it, and the key and
// description shown in help.
func Bind(help, desc string, keys ...string) Binding {
	return Binding{Binding: key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))}
}

// WithID sets the binding's action name.
func (b Binding) WithID(id string) Binding {
	b.ID = id
	return b
}

// WithShort sets the description the status bar shows.
func (b Binding) WithShort(desc string) Binding {
	b.Short = desc
	return b
}

// ShortDesc is the description for one-line hints.
func (b Binding) ShortDesc() string {
	if b.Short != "" {
		return b.Short
	}
	return b.Help().Desc
}

// Matches reports whether msg is one of b's keys, enabled or not.
func (b Binding) Matches(msg tea.KeyPressMsg) bool { return key.Matches(msg, b.Binding) }

// Enabled reports whether the binding works now.
func (b Binding) Enabled() bool { return b.Disabled == "" }

// SetDisabled disables b for the reason why, or enables it when why is "".
func (b *Binding) SetDisabled(why string) { b.Disabled = why }

// KeyGroup is a titled set of bindings, one column of the help overlay.
type KeyGroup struct {
	Title string
	Keys  []Binding
}

// KeyMap holds the keys every screen shares: moving in lists, the app's
// global keys and pane switching.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom Binding

	Filter    Binding
	Back      Binding
	Help      Binding
	Quit      Binding
	ForceQuit Binding // works even while typing
	NextPane  Binding
	PrevPane  Binding
	GotoPane  Binding // number keys

	// Sessions in the split pane. Prefix is the one key a focused session
	// does not get: it gives the focus back to the lists (and, from the
	// lists, to the session). Ctrl-] clashes with neither tmux's Ctrl-B,
	// nor readline, nor Docker's Ctrl-P Ctrl-Q.
	Prefix      Binding
	SplitRight  Binding
	SplitBelow  Binding
	Zoom        Binding
	NextSession Binding
	PrevSession Binding
	CopyMode    Binding // select text in the session with keys, and copy it

	// Command opens the : command line; Copy copies the selected object's
	// ID (or the inspect JSON); Mouse turns mouse capture off and on.
	Command Binding
	Copy    Binding
	Mouse   Binding
}

// DefaultKeyMap is the keymap users of k9s and lazydocker expect.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        Bind("↑/k", "up", "up", "k").WithID("up"),
		Down:      Bind("↓/j", "down", "down", "j").WithID("down"),
		PageUp:    Bind("pgup/ctrl+u", "page up", "pgup", "ctrl+u", "ctrl+b").WithID("page-up"),
		PageDown:  Bind("pgdn/ctrl+d", "page down", "pgdown", "ctrl+d", "ctrl+f").WithID("page-down"),
		Top:       Bind("g/home", "first", "g", "home").WithID("top"),
		Bottom:    Bind("G/end", "last", "G", "end").WithID("bottom"),
		Filter:    Bind("/", "filter", "/").WithID("filter"),
		Back:      Bind("esc", "back / clear", "esc").WithID("back"),
		Help:      Bind("?", "help", "?").WithID("help"),
		Quit:      Bind("q/ctrl+c", "quit", "q", "ctrl+c").WithID("quit"),
		ForceQuit: Bind("ctrl+c", "quit", "ctrl+c").WithID("force-quit"),
		NextPane:  Bind("tab", "next pane", "tab").WithID("next-pane"),
		PrevPane:  Bind("shift+tab", "previous pane", "shift+tab").WithID("prev-pane"),
		GotoPane:  Bind("1-9", "go to pane", "1", "2", "3", "4", "5", "6", "7", "8", "9").WithID("goto-pane"),

		Prefix:      Bind("ctrl+]", "session ⇄ lists", "ctrl+]").WithID("session-focus"),
		SplitRight:  Bind("|", "session pane right", "|").WithID("split-right"),
		SplitBelow:  Bind("-", "session pane below", "-").WithID("split-below"),
		Zoom:        Bind("z", "zoom the session / back", "z").WithID("zoom"),
		NextSession: Bind("]", "next session", "]").WithID("next-session"),
		PrevSession: Bind("[", "previous session", "[").WithID("prev-session"),
		CopyMode:    Bind("v", "copy mode: select text in the session", "v").WithID("copy-mode"),

		Command: Bind(":", "command line", ":").WithShort("command").WithID("command"),
		Copy:    Bind("y", "copy ID / JSON", "y").WithShort("copy").WithID("copy"),
		Mouse:   Bind("M", "mouse on / off", "M").WithID("mouse"),
	}
}

// NavGroup is the help column for moving in lists.
func (k KeyMap) NavGroup() KeyGroup {
	return KeyGroup{Title: "Move", Keys: []Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Filter, k.Back}}
}

// GlobalGroup is the help column for the keys that work everywhere.
func (k KeyMap) GlobalGroup() KeyGroup {
	return KeyGroup{Title: "General", Keys: []Binding{k.NextPane, k.PrevPane, k.GotoPane, k.Help, k.Quit}}
}

// MoreGroup is the help column of the command line, copy and the mouse:
// short, so that it sits beside General in a 80x24 window.
func (k KeyMap) MoreGroup() KeyGroup {
	return KeyGroup{Title: "More", Keys: []Binding{k.Command, k.Copy, k.Mouse}}
}
