package views

import "berth/ui"

// logsKeys are the log view's keys. Moving (up, down, pages, top, bottom)
// is the app's keymap's; the view's own actions take the config file's
// overrides as "logs.ACTION" (logs.search, logs.follow...).
type logsKeys struct {
	Scroll, Page, HalfPage, Ends, Sideways, Back                      ui.Binding
	Follow, Search, Next, Prev, Wrap, Timestamps, Colours, Show, Save ui.Binding
}

// logsPrefix names the log view's table in the config file.
const logsPrefix = "logs"

func defaultLogsKeys() logsKeys {
	return logsKeys{
		Scroll:     ui.Bind("↑↓/jk", "scroll (up stops following)", "up", "down", "j", "k"),
		Page:       ui.Bind("pgup/pgdn", "page up / down", "pgup", "pgdown", "b", "space"),
		HalfPage:   ui.Bind("ctrl+u/d", "half a page up / down", "ctrl+u", "ctrl+d"),
		Ends:       ui.Bind("g/G", "first line / last line and follow", "g", "home", "G", "end"),
		Sideways:   ui.Bind("←→/hl", "scroll sideways (no wrap)", "left", "right", "h", "l"),
		Back:       ui.Bind("esc/q", "clear the search / back", "esc", "q").WithShort("back"),
		Follow:     ui.Bind("f", "follow on / off", "f").WithShort("follow").WithID("follow"),
		Search:     ui.Bind("/", "search the whole log", "/").WithShort("search").WithID("search"),
		Next:       ui.Bind("n", "next match", "n").WithID("next-match"),
		Prev:       ui.Bind("N", "previous match", "N").WithID("previous-match"),
		Wrap:       ui.Bind("w", "wrap long lines on / off", "w").WithShort("wrap").WithID("wrap"),
		Timestamps: ui.Bind("t", "timestamps on / off", "t").WithID("timestamps"),
		Colours:    ui.Bind("c", "program's colours kept / stripped", "c").WithID("colours"),
		Show:       ui.Bind("s", "show all / tail N / since a time", "s").WithShort("since/tail").WithID("show"),
		Save:       ui.Bind("S", "save what is shown to a file", "S").WithShort("save").WithID("save"),
	}
}

// actions are the bindings the config file may rebind.
func (k *logsKeys) actions() []*ui.Binding {
	return []*ui.Binding{&k.Follow, &k.Search, &k.Next, &k.Prev, &k.Wrap, &k.Timestamps, &k.Colours, &k.Show, &k.Save}
}

// overrideLogsKeys rebinds the log view's actions that o names, keeps them
// for the tabs made from now on, and returns its table by action name.
func (e *env) overrideLogsKeys(o ui.KeyOverrides) map[string]*ui.Binding {
	k := defaultLogsKeys()
	out := map[string]*ui.Binding{}
	for _, b := range k.actions() {
		o.Apply(logsPrefix, b)
		out[logsPrefix+"."+b.Action()] = b
	}
	e.logKeys = &k
	return out
}
