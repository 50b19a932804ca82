package views

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine/events"
	"berth/themes"
	"berth/ui"
	"berth/ui/uitest"
)

// thing is the row of the test list: a name and whether it is locked.
type thing struct {
	Name   string
	Locked bool
}

// testList is a listPane of things, with its loads counted and held until
// the test lets them go.
type testList struct {
	*listPane[thing]
	mu     sync.Mutex
	rows   []thing
	loads  int
	did    []string // what the bindings did
	loadCh chan struct{}
}

func newTestList(t *testing.T, rows ...thing) *testList {
	t.Helper()
	c := ui.NewCommon(themes.Dark())
	e := &env{Common: c, ctx: context.Background()}
	l := &testList{rows: rows}
	l.listPane = newListPane(e, listSpec[thing]{
		title: "Things", noun: "thing",
		columns:     []ui.Column{{Title: "NAME", Width: 10, Flex: 1}, {Title: "LOCKED", Width: 6}},
		filterHint:  "name",
		defaultDesc: func(int) bool { return false },
		changedBy:   []events.Type{events.TypeVolume},
		load: func(context.Context, Engine) ([]thing, error) {
			l.mu.Lock()
			l.loads++
			ch := l.loadCh
			rows := slices.Clone(l.rows)
			l.mu.Unlock()
			if ch != nil {
				<-ch
			}
			return rows, nil
		},
		filter: func(rows []thing, q string) []thing {
			var out []thing
			for _, r := range rows {
				if strings.Contains(r.Name, q) {
					out = append(out, r)
				}
			}
			return out
		},
		sort: func(rows []thing, col int, desc bool) {
			slices.SortFunc(rows, func(a, b thing) int {
				if desc {
					return strings.Compare(b.Name, a.Name)
				}
				return strings.Compare(a.Name, b.Name)
			})
		},
		render: func(rows []thing) []ui.Row {
			out := make([]ui.Row, len(rows))
			for i, r := range rows {
				out[i] = ui.Row{Key: r.Name, Cells: []string{r.Name, map[bool]string{true: "yes"}[r.Locked]}}
			}
			return out
		},
		noneText: "No things.",
		groups:   []string{"Thing", "Things"},
	})
	p := l.listPane
	p.setBindings(
		&binding[thing]{Binding: ui.Bind("o", "open", "o").WithShort("open"), short: 2, onRow: true,
			why: func(r thing) string {
				if r.Locked {
					return "locked"
				}
				return ""
			},
			do: func(r thing) tea.Cmd { l.did = append(l.did, "open "+r.Name); return nil }},
		&binding[thing]{Binding: ui.Bind("a", "add a thing", "a").WithShort("add"), group: 1, short: 1,
			do: func(thing) tea.Cmd { l.did = append(l.did, "add"); return nil }},
		p.filterHint(3),
	)
	p.SetSize(60, 10)
	return l
}

// load runs the pane's load command to its end and takes the result in.
func (l *testList) load(t *testing.T, cmd tea.Cmd) tea.Cmd {
	t.Helper()
	if cmd == nil {
		t.Fatal("no load command")
	}
	return l.Update(cmd())
}

func (l *testList) Update(msg tea.Msg) tea.Cmd {
	cmd, _ := l.update(msg)
	return cmd
}

// statusOf runs cmd and returns the status line it sets, if any.
func statusOf(cmd tea.Cmd) string {
	if cmd == nil {
		return ""
	}
	if s, ok := cmd().(ui.StatusMsg); ok {
		return s.Text
	}
	return ""
}

func TestListPaneDispatch(t *testing.T) {
	l := newTestList(t, thing{Name: "b"}, thing{Name: "a", Locked: true})
	l.load(t, l.Init())
	if got := ansi.Strip(l.View()); !strings.Contains(got, "Things (2)") || !strings.Contains(got, "sort: NAME↑") {
		t.Fatalf("frame:\n%s", got)
	}
	// The cursor is on a, which is locked: o says why and does nothing.
	if s := statusOf(l.key(uitest.Key("o"))); s != "o: locked" {
		t.Errorf("o on a locked thing: status %q", s)
	}
	l.key(uitest.Key("j"))
	l.key(uitest.Key("o"))
	l.key(uitest.Key("a"))
	if !slices.Equal(l.did, []string{"open b", "add"}) {
		t.Errorf("did %q", l.did)
	}
	// Keys typed in the filter are text, not bindings.
	l.key(uitest.Key("/"))
	for _, k := range []string{"o", "a", "x"} {
		l.key(uitest.Key(k))
	}
	if len(l.did) != 2 || !l.Capturing() {
		t.Errorf("the filter let keys through: %q", l.did)
	}
	if s := ansi.Strip(l.View()); !strings.Contains(s, "Things (0/2)") || !strings.Contains(s, "No thing matches the filter") {
		t.Errorf("filtered:\n%s", s)
	}
	l.key(uitest.Key("esc"))
	// Without a row, the row bindings say so.
	l.all = nil
	l.apply()
	if s := statusOf(l.key(uitest.Key("o"))); s != "o: no thing selected" {
		t.Errorf("o without rows: %q", s)
	}
}

func TestListPaneHelpFromBindings(t *testing.T) {
	l := newTestList(t, thing{Name: "a", Locked: true})
	l.load(t, l.Init())
	groups := l.KeyGroups()
	if len(groups) != 2 || groups[0].Title != "Thing" || groups[1].Title != "Things" {
		t.Fatalf("groups %+v", groups)
	}
	open := groups[0].Keys[0]
	if open.Help().Key != "o" || open.Disabled != "locked" {
		t.Errorf("help shows o as %q disabled %q", open.Help().Key, open.Disabled)
	}
	// The short help is in its own order, the filter's / included; the
	// status bar leaves out what is disabled.
	var keys []string
	for _, b := range l.ShortHelp() {
		keys = append(keys, b.Help().Key+"="+b.Disabled)
	}
	if want := []string{"a=", "o=locked", "/="}; !slices.Equal(keys, want) {
		t.Errorf("short help %q, want %q", keys, want)
	}
	l.mu.Lock()
	l.rows = []thing{{Name: "a"}}
	l.mu.Unlock()
	l.load(t, l.refresh())
	if d := l.KeyGroups()[0].Keys[0].Disabled; d != "" {
		t.Errorf("o still disabled after the thing was unlocked: %q", d)
	}
}

func TestListPaneRefreshCoalesces(t *testing.T) {
	l := newTestList(t, thing{Name: "a"})
	l.loadCh = make(chan struct{})
	first := l.Init()
	// Changes of its kind while a load runs only mark it stale; other kinds
	// are not its business.
	for range 10 {
		if cmd := l.Update(changedMsg{Type: events.TypeVolume}); cmd != nil {
			t.Fatal("a change during a load started another load")
		}
	}
	if _, took := l.update(changedMsg{Type: events.TypeImage}); took {
		t.Error("an image change was taken by a list of volumes")
	}
	done := make(chan tea.Msg)
	go func() { done <- first() }()
	l.mu.Lock()
	l.rows = append(l.rows, thing{Name: "b"}) // comes while the first load runs
	l.mu.Unlock()
	l.loadCh <- struct{}{}
	again := l.Update(<-done)
	if again == nil {
		t.Fatal("a stale load was not repeated")
	}
	if s := ansi.Strip(l.View()); !strings.Contains(s, "refreshing…") {
		t.Errorf("the frame does not say it is refreshing:\n%s", s)
	}
	close(l.loadCh)
	var msgs []tea.Msg
	collect(again, &msgs)
	for _, m := range msgs {
		l.Update(m)
	}
	if l.loads != 2 {
		t.Errorf("%d loads, want 2", l.loads)
	}
	if s := ansi.Strip(l.View()); !strings.Contains(s, "Things (2)") || strings.Contains(s, "refreshing") {
		t.Errorf("after the second load:\n%s", s)
	}
	// An older load that comes late is dropped.
	l.Update(listLoadedMsg[thing]{Seq: 1, Rows: nil})
	if len(l.all) != 2 {
		t.Error("a late load replaced a newer one")
	}
}

// collect runs cmd (and the commands of a batch) and gathers their messages.
func collect(cmd tea.Cmd, out *[]tea.Msg) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			collect(c, out)
		}
		return
	}
	*out = append(*out, msg)
}

func TestListPaneActionDone(t *testing.T) {
	l := newTestList(t, thing{Name: "a"}, thing{Name: "b"})
	l.load(t, l.Init())
	// Success: the status says so and the cursor goes to the row named.
	l.mu.Lock()
	l.rows = append(l.rows, thing{Name: "c"})
	l.mu.Unlock()
	var msgs []tea.Msg
	collect(l.Update(doneMsg[thing]{Text: "Added c", Select: "c"}), &msgs)
	for _, m := range msgs {
		l.Update(m)
	}
	if r, _ := l.selected(); r.Name != "c" {
		t.Errorf("selected %q, want c", r.Name)
	}
	// Failure: the dialog comes back with the error.
	var got error
	l.Update(doneMsg[thing]{Err: errors.New("nope"), Retry: func(err error) ui.Dialog {
		got = err
		return ui.NewConfirm(l.env.Styles, "again", "again?", nil)
	}})
	if got == nil || l.dialog == nil {
		t.Error("the failed action's dialog did not come back")
	}
}
