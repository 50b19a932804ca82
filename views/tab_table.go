package views

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/ui"
)

// tableTab is a detail tab that shows a table loaded from the engine: Env,
// Top, Mounts/Ports, History, the containers of a network or a volume. It
// loads when it opens and, if every is set, again every so often while it
// stays open.
type tableTab struct {
	env   *env
	title string
	table *ui.Table
	load  func(ctx context.Context, eng Engine) ([]ui.Row, error)
	every time.Duration
	keys  tableTabKeys

	gen    int // of the current opening: older loads and ticks are dropped
	open   bool
	loaded bool
	err    error
	// noun counts the rows in the frame: "variable", or "process|processes"
	// when the plural is not the noun and an s.
	noun  string
	count int
}

type tableTabKeys struct{ Move, Page, Ends ui.Binding }

// Messages of a table tab: a load, and the tick of its next one.
type (
	tableLoadedMsg struct {
		tab  *tableTab
		gen  int
		rows []ui.Row
		err  error
	}
	tableTickMsg struct {
		tab *tableTab
		gen int
	}
)

func newTableTab(e *env, title, noun string, cols []ui.Column, load func(ctx context.Context, eng Engine) ([]ui.Row, error)) *tableTab {
	t := &tableTab{env: e, title: title, noun: noun, table: ui.NewTable(e.Styles, cols), load: load, keys: tableTabKeys{
		Move: ui.Bind("↑↓/jk", "move", "up", "down", "j", "k"),
		Page: ui.Bind("pgup/pgdn", "page", "pgup", "pgdown"),
		Ends: ui.Bind("g/G", "first / last", "g", "G"),
	}}
	t.table.SetEmptyText("Loading…")
	return t
}

// refreshing makes the tab load again every d while it is open.
func (t *tableTab) refreshing(d time.Duration) *tableTab {
	t.every = d
	return t
}

func (t *tableTab) Title() string { return t.title }

// Open loads the rows.
func (t *tableTab) Open() tea.Cmd {
	t.gen++
	t.open = true
	return t.fetch()
}

func (t *tableTab) fetch() tea.Cmd {
	tab, gen, eng, ctx, load := t, t.gen, t.env.eng, t.env.ctx, t.load
	return func() tea.Msg {
		rows, err := load(ctx, eng)
		return tableLoadedMsg{tab: tab, gen: gen, rows: rows, err: err}
	}
}

// Close stops the refreshes.
func (t *tableTab) Close() {
	t.gen++
	t.open = false
}

func (t *tableTab) SetSize(w, h int) { t.table.SetSize(w, h) }

// Update takes the tab's loads and ticks.
func (t *tableTab) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case tableLoadedMsg:
		if m.tab != t || m.gen != t.gen || !t.open {
			return nil
		}
		t.err = m.err
		if m.err != nil {
			t.table.SetEmptyText(oneLine(m.err.Error()))
			t.table.SetRows(nil)
		} else {
			t.loaded = true
			t.table.SetEmptyText("None.")
			t.table.SetRows(m.rows)
			t.count = len(m.rows)
		}
		if t.every > 0 {
			tab, gen := t, t.gen
			return tea.Tick(t.every, func(time.Time) tea.Msg { return tableTickMsg{tab: tab, gen: gen} })
		}
	case tableTickMsg:
		if m.tab == t && m.gen == t.gen && t.open {
			return t.fetch()
		}
	}
	return nil
}

func (t *tableTab) View() string { return t.table.View() }

// Info counts the rows.
func (t *tableTab) Info() string {
	if !t.loaded || t.err != nil || t.noun == "" {
		return ""
	}
	one, many, ok := strings.Cut(t.noun, "|")
	if !ok {
		return plural(t.count, one)
	}
	if t.count == 1 {
		return "1 " + one
	}
	return itoa(t.count) + " " + many
}

func (t *tableTab) Capturing() bool { return false }

// Key moves in the table.
func (t *tableTab) Key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	return nil, t.table.Update(msg, t.env.Keys)
}

func (t *tableTab) KeyGroups() []ui.KeyGroup {
	k := t.keys
	return []ui.KeyGroup{{Title: t.title, Keys: []ui.Binding{k.Move, k.Page, k.Ends}}}
}

func (t *tableTab) ShortHelp() []ui.Binding { return nil }
