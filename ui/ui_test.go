package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
	"berth/ui/uitest"
)

func styles() *themes.Styles {
	st := themes.New(themes.Dark())
	return &st
}

// checkBlock fails unless s is exactly w×h cells.
func checkBlock(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), h, ansi.Strip(s))
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func TestFitAndTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		w        int
		fit      string
		fitRight string
	}{
		{"pads", "ab", 4, "ab  ", "  ab"},
		{"exact", "abcd", 4, "abcd", "abcd"},
		{"cuts with ellipsis", "abcdef", 4, "abc…", "abc…"},
		{"wide runes", "日本語", 4, "日… ", " 日…"},
		{"zero", "abc", 0, "", ""},
		{"styled", "\x1b[1mabcdef\x1b[m", 4, "abc…", "abc…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ansi.Strip(Fit(tc.in, tc.w)); got != tc.fit {
				t.Errorf("Fit = %q, want %q", got, tc.fit)
			}
			if got := ansi.Strip(FitRight(tc.in, tc.w)); got != tc.fitRight {
				t.Errorf("FitRight = %q, want %q", got, tc.fitRight)
			}
		})
	}
}

func TestTruncateStart(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"/var/lib/berth/volumes/data/_data", 18, "…olumes/data/_data"},
		{"short", 8, "short"},
		{"exact", 5, "exact"},
		{"日本語です", 5, "…です"},
		{"abc", 0, ""},
	}
	for _, tc := range tests {
		got := TruncateStart(tc.in, tc.w)
		if got != tc.want || Width(got) > tc.w {
			t.Errorf("TruncateStart(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
	}
	// A table column cut at its start keeps the end of a path.
	st := themes.New(themes.Dark())
	tb := NewTable(&st, []Column{{Title: "PATH", Width: 12, CutStart: true}})
	tb.SetSize(14, 3)
	tb.SetRows([]Row{{Key: "a", Cells: []string{"/srv/long/volume/x"}}})
	if got := ansi.Strip(tb.View()); !strings.Contains(got, "…ng/volume/x") {
		t.Errorf("table:\n%s", got)
	}
}

func TestBlock(t *testing.T) {
	got := Block("abc\nlonger line\n", 5, 4)
	checkBlock(t, got, 5, 4)
	if want := "abc  \nlong…\n     \n     "; got != want {
		t.Errorf("Block = %q, want %q", got, want)
	}
	if Block("x", 3, 0) != "" {
		t.Error("zero height")
	}
}

func TestColumnWidths(t *testing.T) {
	cols := []Column{{Title: "A", Width: 10, Flex: 3}, {Title: "B", Width: 5, Flex: 1, Max: 8}, {Title: "C", Width: 12}}
	tests := []struct {
		width int
		want  []int
	}{
		{80, []int{54, 8, 12}}, // B capped at 8, A takes the rest
		{33, []int{10, 5, 12}}, // only the minimums fit
		{35, []int{11, 6, 12}},
		{10, []int{10, 5, 12}}, // narrower than the minimums: the table cuts the line
		{39, []int{15, 6, 12}},
	}
	for _, tc := range tests {
		got := ColumnWidths(cols, tc.width)
		if !slices.Equal(got, tc.want) {
			t.Errorf("width %d: %v, want %v", tc.width, got, tc.want)
		}
		sum := 2 + 2*(len(cols)-1)
		for _, w := range got {
			sum += w
		}
		if tc.width >= 33 && sum != tc.width {
			t.Errorf("width %d: columns fill %d", tc.width, sum)
		}
	}
}

func TestTable(t *testing.T) {
	km := DefaultKeyMap()
	tb := NewTable(styles(), []Column{{Title: "NAME", Width: 4, Flex: 1}, {Title: "SIZE", Width: 6, Right: true}})
	var rows []Row
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		rows = append(rows, Row{Key: n, Cells: []string{n, "1 MB"}})
	}
	tb.SetSize(30, 4) // header and 3 rows
	tb.SetEmptyText("nothing here")
	checkBlock(t, tb.View(), 30, 4)
	if !strings.Contains(ansi.Strip(tb.View()), "nothing here") {
		t.Error("empty text missing")
	}
	tb.SetRows(rows)
	tb.SetSort(1, true)
	view := func() []string { return strings.Split(ansi.Strip(tb.View()), "\n") }
	if v := view(); !strings.Contains(v[0], "SIZE↓") || !slices.Equal(strings.Fields(v[1]), []string{"a", "1", "MB"}) {
		t.Fatalf("view:\n%s", strings.Join(v, "\n"))
	}
	steps := []struct {
		key    string
		cursor int
		first  string // first visible row
	}{
		{"j", 1, "a"}, {"j", 2, "a"}, {"j", 3, "b"}, {"G", 5, "d"}, {"j", 5, "d"}, {"k", 4, "d"}, {"g", 0, "a"}, {"k", 0, "a"},
	}
	for _, s := range steps {
		msg := uitest.Key(s.key)
		if s.key == "G" {
			msg = tea.KeyPressMsg{Code: 'g', Text: "G", Mod: tea.ModShift}
		}
		if !tb.Update(msg, &km) {
			t.Fatalf("%s not handled", s.key)
		}
		if tb.Cursor() != s.cursor || !strings.HasPrefix(strings.TrimSpace(view()[1]), s.first) {
			t.Fatalf("after %s: cursor %d first %q, want %d %q", s.key, tb.Cursor(), view()[1], s.cursor, s.first)
		}
		checkBlock(t, tb.View(), 30, 4)
	}
	if tb.Update(uitest.Key("x"), &km) {
		t.Error("x handled")
	}

	// A refresh keeps the cursor on the same row, wherever it moved.
	tb.SetCursor(3) // d
	tb.SetRows(append([]Row{{Key: "new", Cells: []string{"new", "2 MB"}}}, rows...))
	if r, _ := tb.Selected(); r.Key != "d" {
		t.Errorf("after refresh on %q, want d", r.Key)
	}
	// When the row is gone the cursor stays in range.
	tb.SetRows(rows[:2])
	if r, ok := tb.Selected(); !ok || r.Key != "b" {
		t.Errorf("after shrink on %q", r.Key)
	}
	tb.SetRows(nil)
	if _, ok := tb.Selected(); ok {
		t.Error("selected in an empty table")
	}
}

func TestFrame(t *testing.T) {
	st := styles()
	tests := []struct {
		name        string
		title, info string
		w, h        int
		top         string
	}{
		{"title and info", "Images (3)", "sort: SIZE", 40, 5, "╭─ Images (3) ──────────── sort: SIZE ─╮"},
		{"info dropped when narrow", "Images (3)", "sort: SIZE", 24, 3, "╭─ Images (3) ─────────╮"},
		{"title cut", "A very long title indeed", "", 12, 3, "╭─ A very… ╮"},
		{"no title", "", "", 6, 2, "╭────╮"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := Frame(st, tc.title, tc.info, true, "line one\nline two is long enough to be cut", tc.w, tc.h)
			checkBlock(t, out, tc.w, tc.h)
			if top := ansi.Strip(strings.Split(out, "\n")[0]); top != tc.top {
				t.Errorf("top = %q, want %q", top, tc.top)
			}
		})
	}
}

func TestTitleBar(t *testing.T) {
	st := styles()
	for _, w := range []int{80, 30, 12, 3} {
		out := TitleBar(st, "berth", []string{"Images", "Containers"}, 1, "root", w)
		if got := ansi.StringWidth(out); got != w {
			t.Errorf("width %d: %d", w, got)
		}
	}
	out := ansi.Strip(TitleBar(st, "berth", []string{"Images", "Containers"}, 1, "root", 80))
	for _, want := range []string{"berth", "1 Images", "2 Containers", "root"} {
		if !strings.Contains(out, want) {
			t.Errorf("title bar lacks %q: %q", want, out)
		}
	}
}

func TestStatusBar(t *testing.T) {
	st := styles()
	keys := []Binding{Bind("?", "help", "?"), Bind("p", "pull", "p")}
	tests := []struct {
		name    string
		bar     StatusBar
		width   int
		want    []string
		notWant []string
	}{
		{"idle shows keys", StatusBar{Keys: keys}, 80, []string{"? help · p pull"}, nil},
		{"busy and error", StatusBar{Busy: "⇣ 2 pulls: busybox 45% · big 12%", Message: StatusMsg{LevelError, "pull x: not found"}, Keys: keys}, 80,
			[]string{"⇣ 2 pulls: busybox 45% · big 12%", "pull x: not found"}, nil},
		{"the error wins over the busy part", StatusBar{Busy: strings.Repeat("busy ", 20), Message: StatusMsg{LevelError, "disk full"}}, 40,
			[]string{"disk full", "busy"}, nil},
		{"keys go first when short", StatusBar{Message: StatusMsg{LevelInfo, strings.Repeat("m", 70)}, Keys: keys}, 80,
			nil, []string{"help"}},
		{"tiny", StatusBar{Busy: "⇣ 1 pull: busybox 45%", Message: StatusMsg{LevelError, "boom"}, Keys: keys}, 9, nil, nil},
		{"multi-line text on one line", StatusBar{Message: StatusMsg{LevelError, "a\nb"}}, 20, []string{"a b"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.bar.View(st, tc.width)
			checkBlock(t, out, tc.width, 1)
			plain := ansi.Strip(out)
			for _, w := range tc.want {
				if !strings.Contains(plain, w) {
					t.Errorf("%q lacks %q", plain, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(plain, w) {
					t.Errorf("%q has %q", plain, w)
				}
			}
		})
	}
}

func TestOverlay(t *testing.T) {
	base := strings.Repeat("\x1b[44m..........\x1b[m\n", 5)
	out := Overlay(strings.TrimSuffix(base, "\n"), "AB\nCD", 10, 5)
	checkBlock(t, out, 10, 5)
	want := []string{"..........", "....AB....", "....CD....", "..........", ".........."}
	if got := strings.Split(ansi.Strip(out), "\n"); !slices.Equal(got, want) {
		t.Errorf("overlay = %q, want %q", got, want)
	}
	// The base's style does not bleed into the box.
	line := strings.Split(out, "\n")[1]
	if i := strings.Index(line, "AB"); !strings.HasSuffix(line[:i], "\x1b[m") {
		t.Errorf("no reset before the box: %q", line)
	}
}

func TestConfirm(t *testing.T) {
	st := styles()
	ran := false
	yes := func() tea.Msg { ran = true; return nil }
	var d Dialog = NewConfirm(st, "Remove image", "Remove busybox:latest?", yes)
	if !strings.Contains(ansi.Strip(d.View(80, 24)), "Remove busybox:latest?") {
		t.Error("question not shown")
	}
	checkBlock(t, d.View(80, 24), 50, 5)
	if next, cmd := d.Update(uitest.Key("x")); next == nil || cmd != nil {
		t.Error("other keys must not answer")
	}
	if next, cmd := d.Update(uitest.Key("n")); next != nil || cmd != nil {
		t.Error("n must close without the command")
	}
	if next, _ := d.Update(uitest.Key("esc")); next != nil {
		t.Error("esc must close")
	}
	next, cmd := d.Update(uitest.Key("y"))
	if next != nil || cmd == nil {
		t.Fatal("y must close with the command")
	}
	cmd()
	if !ran {
		t.Error("y did not run the command")
	}
}

func TestInput(t *testing.T) {
	st := styles()
	var submitted string
	submit := func(s string) (tea.Cmd, error) {
		if s == "" {
			return nil, errors.New("type a reference")
		}
		submitted = s
		return func() tea.Msg { return nil }, nil
	}
	var d Dialog = NewInput(st, "Pull image", "› ", "busybox", "help line", submit)
	d, _ = d.Update(uitest.Key("enter"))
	if d == nil || !strings.Contains(ansi.Strip(d.View(80, 24)), "type a reference") {
		t.Fatal("empty input should stay open with the error")
	}
	for _, k := range []string{"a", "l", "p", "x", "backspace", "i", "n", "e"} {
		d, _ = d.Update(uitest.Key(k))
	}
	if v := ansi.Strip(d.View(80, 24)); !strings.Contains(v, "› alpine") || strings.Contains(v, "type a reference") {
		t.Errorf("view:\n%s", v)
	}
	for _, w := range []int{80, 40, 20} {
		for _, l := range strings.Split(d.View(w, 24), "\n") {
			if ansi.StringWidth(l) > w {
				t.Errorf("at %d: line %q too wide", w, ansi.Strip(l))
			}
		}
	}
	d, cmd := d.Update(uitest.Key("enter"))
	if d != nil || cmd == nil || submitted != "alpine" {
		t.Errorf("enter: dialog %v, submitted %q", d, submitted)
	}
	d = NewInput(st, "t", "> ", "", "", submit)
	if d, _ = d.Update(uitest.Key("esc")); d != nil {
		t.Error("esc must close")
	}
}

func TestHelpView(t *testing.T) {
	st := styles()
	km := DefaultKeyMap()
	del := Bind("d", "remove", "d")
	del.SetDisabled("no image selected")
	groups := []KeyGroup{{Title: "Images", Keys: []Binding{Bind("p", "pull", "p"), del}}, km.NavGroup(), km.GlobalGroup()}
	for _, sz := range [][2]int{{76, 22}, {116, 38}, {40, 12}} {
		out := HelpView(st, "Keys", groups, sz[0], sz[1])
		lines := strings.Split(out, "\n")
		if len(lines) > sz[1] {
			t.Errorf("%v: %d lines", sz, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > sz[0] {
				t.Errorf("%v: line too wide: %q", sz, ansi.Strip(l))
			}
		}
	}
	plain := ansi.Strip(HelpView(st, "Keys", groups, 116, 38))
	for _, want := range []string{"Images", "p  pull", "remove (no image selected)", "Move", "↑/k", "General", "quit"} {
		if !strings.Contains(plain, want) {
			t.Errorf("help lacks %q:\n%s", want, plain)
		}
	}
}

func TestShortHelp(t *testing.T) {
	st := styles()
	off := Bind("d", "remove", "d")
	off.SetDisabled("nothing selected")
	keys := []Binding{Bind("?", "help", "?"), off, Bind("p", "pull an image", "p").WithShort("pull"), Bind("/", "filter", "/")}
	tests := []struct {
		width int
		want  string
	}{
		{80, "? help · p pull · / filter"},
		{17, "? help · p pull"},
		{5, ""},
	}
	for _, tc := range tests {
		if got := ansi.Strip(ShortHelp(keys, tc.width, st.Help.Key, st.Muted)); got != tc.want {
			t.Errorf("width %d: %q, want %q", tc.width, got, tc.want)
		}
	}
}

func TestBar(t *testing.T) {
	st := styles()
	tests := []struct {
		frac   float64
		filled int
	}{{0, 0}, {0.5, 5}, {1, 10}, {1.5, 10}, {-1, 0}}
	for _, tc := range tests {
		out := ansi.Strip(Bar(st, tc.frac, 10))
		if n := strings.Count(out, "━"); n != tc.filled || ansi.StringWidth(out) != 10 {
			t.Errorf("Bar(%v) = %q: %d filled, want %d", tc.frac, out, n, tc.filled)
		}
	}
}

func TestKeyMatches(t *testing.T) {
	km := DefaultKeyMap()
	tests := []struct {
		b    Binding
		msg  tea.KeyPressMsg
		want bool
	}{
		{km.Up, uitest.Key("k"), true},
		{km.Up, uitest.Key("up"), true},
		{km.Bottom, tea.KeyPressMsg{Code: 'g', Text: "G", Mod: tea.ModShift}, true},
		{km.Top, tea.KeyPressMsg{Code: 'g', Text: "G", Mod: tea.ModShift}, false},
		{km.ForceQuit, tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}, true},
		{km.PrevPane, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, true},
		{km.GotoPane, uitest.Key("3"), true},
		{km.Help, uitest.Key("?"), true},
	}
	for _, tc := range tests {
		if got := tc.b.Matches(tc.msg); got != tc.want {
			t.Errorf("%v matches %q = %v", tc.b.Keys(), tc.msg.String(), got)
		}
	}
	b := Bind("d", "remove", "d")
	b.SetDisabled("why")
	if !b.Matches(uitest.Key("d")) || b.Enabled() {
		t.Error("a disabled binding still matches (to say why) and is not enabled")
	}
}

func TestTableHidesColumnsWhenNarrow(t *testing.T) {
	st := styles()
	tb := NewTable(st, []Column{
		{Title: "NAME", Width: 6, Flex: 1},
		{Title: "COMMAND", Width: 10, HideBelow: 40},
		{Title: "STATUS", Width: 8},
	})
	tb.SetRows([]Row{{Key: "a", Cells: []string{"web", "nginx -g", "Up"}}})
	tb.SetSort(2, false)
	tests := []struct {
		width  int
		header []string
		row    []string
	}{
		{50, []string{"NAME", "COMMAND", "STATUS↑"}, []string{"web", "nginx", "-g", "Up"}},
		{30, []string{"NAME", "STATUS↑"}, []string{"web", "Up"}},
	}
	for _, tc := range tests {
		tb.SetSize(tc.width, 3)
		checkBlock(t, tb.View(), tc.width, 3)
		lines := strings.Split(ansi.Strip(tb.View()), "\n")
		if got := strings.Fields(lines[0]); !slices.Equal(got, tc.header) {
			t.Errorf("width %d: header %q, want %q", tc.width, got, tc.header)
		}
		if got := strings.Fields(lines[1]); !slices.Equal(got, tc.row) {
			t.Errorf("width %d: row %q, want %q", tc.width, got, tc.row)
		}
		if tb.ColumnShown(1) != (tc.width >= 40) {
			t.Errorf("width %d: ColumnShown(1) = %v", tc.width, tb.ColumnShown(1))
		}
	}
}

func TestTableCellStyle(t *testing.T) {
	st := styles()
	tb := NewTable(st, []Column{{Title: "NAME", Width: 6}, {Title: "STATUS", Width: 8}})
	tb.SetSize(20, 3)
	tb.SetRows([]Row{
		{Key: "a", Cells: []string{"web", "Up"}},
		{Key: "b", Cells: []string{"job", "Exited"}, Style: map[int]lipgloss.Style{1: st.Error}},
	})
	lines := strings.Split(tb.View(), "\n")
	if want := st.Error.Render("Exited"); !strings.Contains(lines[2], want) { // a column as wide as its content
		t.Errorf("the styled cell is not in its style: %q", lines[2])
	}
	// The selected row is drawn in the selection's style, whole.
	if strings.Contains(lines[1], st.Error.Render(Fit("Up", 8))) {
		t.Errorf("selected row: %q", lines[1])
	}
}

func TestForm(t *testing.T) {
	st := styles()
	var got []string
	submit := func(v []string) (tea.Cmd, error) {
		if v[0] == "" {
			return nil, errors.New("type an image")
		}
		got = v
		return func() tea.Msg { return nil }, nil
	}
	var d Dialog = NewForm(st, "Run a container", []FormField{
		{Label: "Image", Placeholder: "busybox", Hint: "image hint"},
		{Label: "Name", Value: "web", Hint: "name hint"},
		{Label: "Terminal", Toggle: true, Placeholder: "interactive", Value: "y"},
	}, submit)
	f := d.(*Form)
	if v := ansi.Strip(d.View(80, 24)); !strings.Contains(v, "image hint") || !strings.Contains(v, "› web") || !strings.Contains(v, "[x] interactive") {
		t.Fatalf("view:\n%s", v)
	}
	d, _ = d.Update(uitest.Key("enter"))
	if d == nil || !strings.Contains(ansi.Strip(d.View(80, 24)), "type an image") {
		t.Fatal("an error keeps the form open and shows it")
	}
	for _, k := range []string{"a", "l", "p"} {
		d, _ = d.Update(uitest.Key(k))
	}
	d, _ = d.Update(uitest.Key("tab"))
	if f.Focused() != 1 || !strings.Contains(ansi.Strip(d.View(80, 24)), "name hint") {
		t.Errorf("tab: focus %d", f.Focused())
	}
	d, _ = d.Update(uitest.Key("x")) // text in a text field
	d, _ = d.Update(uitest.Key("tab"))
	d, _ = d.Update(uitest.Key("space")) // toggles the box
	if v := ansi.Strip(d.View(80, 24)); !strings.Contains(v, "[ ] interactive") {
		t.Errorf("space should clear the box:\n%s", v)
	}
	d, _ = d.Update(uitest.Key("tab")) // wraps to the first field
	d, _ = d.Update(uitest.Key("shift+tab"))
	if f.Focused() != 2 {
		t.Errorf("shift+tab from the first field: focus %d", f.Focused())
	}
	for _, w := range []int{80, 50, 30} {
		for _, l := range strings.Split(d.View(w, 24), "\n") {
			if ansi.StringWidth(l) > w {
				t.Errorf("at %d: line %q too wide", w, ansi.Strip(l))
			}
		}
	}
	d, cmd := d.Update(uitest.Key("enter"))
	if d != nil || cmd == nil || !slices.Equal(got, []string{"alp", "webx", ""}) {
		t.Errorf("enter: dialog %v, values %q", d, got)
	}
	d = NewForm(st, "t", []FormField{{Label: "A"}}, submit)
	if d, _ = d.Update(uitest.Key("esc")); d != nil {
		t.Error("esc must close")
	}
}
