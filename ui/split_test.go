package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

func TestSplitLayout(t *testing.T) {
	var s Split
	s.SetSize(100, 30)
	if w, h := s.ListsSize(); w != 100 || h != 30 || s.Open() {
		t.Fatalf("without sessions the lists take %dx%d, want 100x30", w, h)
	}
	s.Tabs = []SplitTab{{Title: "sh web"}}
	cases := []struct {
		name               string
		dir                SplitDir
		zoomed             bool
		listsW, listsH     int
		cols, rows, ox, oy int
	}{
		{"right", SplitRight, false, 40, 30, 58, 27, 41, 2},
		{"below", SplitBelow, false, 100, 12, 98, 15, 1, 14},
		{"zoomed", SplitRight, true, 0, 0, 98, 27, 1, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Dir, s.Zoomed = tc.dir, tc.zoomed
			lw, lh := s.ListsSize()
			cols, rows := s.PaneSize()
			ox, oy := s.PaneOrigin()
			if lw != tc.listsW || lh != tc.listsH || cols != tc.cols || rows != tc.rows || ox != tc.ox || oy != tc.oy {
				t.Errorf("lists %dx%d, screen %dx%d at %d,%d; want lists %dx%d, screen %dx%d at %d,%d",
					lw, lh, cols, rows, ox, oy, tc.listsW, tc.listsH, tc.cols, tc.rows, tc.ox, tc.oy)
			}
			st := themes.New(themes.Plain())
			screen := strings.TrimSuffix(strings.Repeat(strings.Repeat("x", cols)+"\n", rows), "\n")
			out := s.View(&st, strings.Repeat("L\n", lh), screen)
			lines := strings.Split(out, "\n")
			if len(lines) != 30 {
				t.Fatalf("view has %d lines, want 30", len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != 100 {
					t.Fatalf("line %d is %d cells, want 100: %q", i, w, ansi.Strip(l))
				}
			}
			if got := []rune(ansi.Strip(lines[oy])); got[ox] != 'x' || !strings.Contains(ansi.Strip(lines[oy-1]), " 1 sh web ") {
				t.Errorf("screen not at %d,%d or no tab line above it:\n%s", ox, oy, ansi.Strip(out))
			}
		})
	}
}

func TestSplitKeysAndTabs(t *testing.T) {
	km := DefaultKeyMap()
	var s Split
	s.SetSize(80, 24)
	prefix := tea.KeyPressMsg{Code: ']', Mod: tea.ModCtrl}
	if s.Key(&km, prefix) {
		t.Fatal("the prefix did something without a session")
	}
	s.Tabs = []SplitTab{{Title: "a"}, {Title: "b", Unseen: true}, {Title: "c", Status: "exit 2"}}
	steps := []struct {
		key     tea.KeyPressMsg
		focused bool
		active  int
		dir     SplitDir
		zoomed  bool
	}{
		{prefix, true, 0, SplitRight, false},
		{prefix, false, 0, SplitRight, false},
		{tea.KeyPressMsg{Code: ']', Text: "]"}, false, 1, SplitRight, false},
		{tea.KeyPressMsg{Code: '[', Text: "["}, false, 0, SplitRight, false},
		{tea.KeyPressMsg{Code: '[', Text: "["}, false, 2, SplitRight, false},
		{tea.KeyPressMsg{Code: '-', Text: "-"}, true, 2, SplitBelow, false},
		{tea.KeyPressMsg{Code: 'z', Text: "z"}, true, 2, SplitBelow, true},
		{tea.KeyPressMsg{Code: 'z', Text: "z"}, true, 2, SplitBelow, false},
		{tea.KeyPressMsg{Code: '|', Text: "|"}, true, 2, SplitRight, false},
	}
	for i, st := range steps {
		if !s.Key(&km, st.key) {
			t.Fatalf("step %d: %s not handled", i, st.key)
		}
		if s.PaneFocused != st.focused || s.Active != st.active || s.Dir != st.dir || s.Zoomed != st.zoomed {
			t.Fatalf("step %d (%s): focused %v active %d dir %d zoomed %v", i, st.key, s.PaneFocused, s.Active, s.Dir, s.Zoomed)
		}
	}
	if s.Key(&km, tea.KeyPressMsg{Code: 'j', Text: "j"}) {
		t.Error("j was taken by the split")
	}
	st := themes.New(themes.Plain())
	s.Active = 0
	line := ansi.Strip(s.tabLine(&st, 80))
	for _, want := range []string{" 1 a ", " 2 b • ", " 3 c [exit 2] "} {
		if !strings.Contains(line, want) {
			t.Errorf("tab line %q lacks %q", line, want)
		}
	}
	if g := s.KeyGroup(&km); len(g.Keys) == 0 || !g.Keys[0].Enabled() || g.Keys[0].Help().Key != "ctrl+]" {
		t.Errorf("help group %+v", g)
	}
}
