package views

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine/errdefs"
	"berth/internal/config"
	"berth/ui"
)

// keyTable is a pane whose bindings take the config file's overrides: it
// rebinds those o names and returns its table, action name → binding, so
// that help, the status line and dispatch all read the rebound keys.
type keyTable interface {
	overrideKeys(o ui.KeyOverrides) map[string]*ui.Binding
}

// overrideKeys rebinds the pane's bindings that o names
// ("containers.stop"). A rebound key that shared a help line (d/D) gets a
// line of its own.
func (p *listPane[R]) overrideKeys(o ui.KeyOverrides) map[string]*ui.Binding {
	out := map[string]*ui.Binding{}
	prefix := p.nouns()
	for _, b := range p.binds {
		if b.nav {
			continue
		}
		if o.Apply(prefix, &b.Binding) {
			b.helpKey, b.helpDesc = "", ""
			if b.group == noHelp {
				b.group = 0
			}
		}
		out[prefix+"."+b.Action()] = &b.Binding
	}
	return out
}

// keyTables are every table of bindings by action name: the app's own
// keys, then each pane's.
func (a *App) keyTables(o ui.KeyOverrides) (app map[string]*ui.Binding, panes []map[string]*ui.Binding) {
	app = map[string]*ui.Binding{}
	for _, b := range a.env.Keys.Bindings() {
		o.Apply(ui.AppPrefix, b)
		app[ui.AppPrefix+"."+b.Action()] = b
	}
	o.Apply(ui.AppPrefix, &a.pullsKey)
	app[ui.AppPrefix+"."+a.pullsKey.Action()] = &a.pullsKey
	for _, p := range a.panes {
		if t, ok := p.(keyTable); ok {
			panes = append(panes, t.overrideKeys(o))
		}
	}
	panes = append(panes, a.pulls.overrideKeys(o), a.env.overrideLogsKeys(o))
	return app, append(panes, a.env.overrideTabKeys(o)...)
}

// overrideKeys rebinds the pulls panel's keys ("pulls.cancel-pull").
func (ps *pullsView) overrideKeys(o ui.KeyOverrides) map[string]*ui.Binding {
	out := map[string]*ui.Binding{}
	for _, b := range []*ui.Binding{&ps.keys.Cancel, &ps.keys.Clear, &ps.keys.Close} {
		o.Apply("pulls", b)
		out["pulls."+b.Action()] = b
	}
	return out
}

// applyKeys applies the config file's [keys] and returns the first
// mistake in them: an action no table has, or a key two actions of one
// screen now share. The keys that are right are taken either way.
func (a *App) applyKeys(cfg config.Config) error {
	o := ui.KeyOverrides{}
	lines := map[string]int{}
	for _, k := range cfg.Keys {
		o[k.Action] = k.Keys
		lines[k.Action] = k.Line
	}
	app, panes := a.keyTables(o)
	known := map[string]bool{}
	for n := range app {
		known[n] = true
	}
	for _, t := range panes {
		for n := range t {
			known[n] = true
		}
	}
	for _, k := range cfg.Keys {
		if !known[k.Action] {
			return cfg.Errorf(k.Line, suggestAction(k.Action, known), "no action %q", k.Action)
		}
	}
	overridden := func(n string) bool { _, ok := o[n]; return ok }
	// The app's keys act before a pane's (or, as the list's moving keys,
	// are read first): each pane's table is checked with them.
	tables := []map[string]*ui.Binding{app}
	for _, t := range panes {
		tables = append(tables, merge(app, t))
	}
	tables = withAreaKeys(app, panes, tables)
	for _, table := range tables {
		if cl := ui.Clashes(table, overridden); len(cl) > 0 {
			c := cl[0]
			n := c.B
			if !overridden(n) {
				n = c.A
			}
			return cfg.Errorf(lines[n], "choose another key for "+n, "key %q of %s is also %s's", c.Key, n, other(c, n))
		}
	}
	return nil
}

func merge(a, b map[string]*ui.Binding) map[string]*ui.Binding {
	out := make(map[string]*ui.Binding, len(a)+len(b))
	for n, x := range a {
		out[n] = x
	}
	for n, x := range b {
		out[n] = x
	}
	return out
}

func other(c ui.KeyClash, n string) string {
	if c.A == n {
		return c.B
	}
	return c.A
}

// suggestAction is the fix for an unknown action: the closest known one,
// or the form of the names.
func suggestAction(name string, known map[string]bool) string {
	best, bestD := "", 4
	var names []string
	for n := range known {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" {
		return "did you mean " + best + "?"
	}
	pane, _, _ := strings.Cut(name, ".")
	var same []string
	for _, n := range names {
		if strings.HasPrefix(n, pane+".") {
			same = append(same, n)
		}
	}
	if len(same) > 0 && len(same) <= 24 {
		return "actions of " + pane + " are " + strings.Join(same, ", ")
	}
	return "name actions PANE.ACTION as help (?) describes them, e.g. containers.stop, app.quit"
}

// editDistance is Levenshtein's distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// configStatus shows err (a bad config file) in the status bar at start.
func configStatus(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	if !errdefs.IsInvalidArgument(err) {
		err = errdefs.Wrap(errdefs.ErrInvalidArgument, err, "%v", err)
	}
	return ui.ErrorStatus(err)
}
