package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"berth/themes"
)

func TestHelpViewScrolls(t *testing.T) {
	st := themes.New(themes.Plain())
	var g KeyGroup
	g.Title = "Many"
	for i := range 30 {
		g.Keys = append(g.Keys, Bind("k"+itoa(i), "key number "+itoa(i), "x"))
	}
	view := func(groups []KeyGroup, offset int) (string, int) {
		v, last := HelpViewAt(&st, "Keys", groups, 60, 12, offset)
		return ansi.Strip(v), last
	}
	top, last := view([]KeyGroup{g}, 0)
	if last == 0 || !strings.Contains(top, "k0 ") || strings.Contains(top, "k29") || !strings.Contains(top, "↓/j for more keys") {
		t.Fatalf("top of a long help (last offset %d):\n%s", last, top)
	}
	end, _ := view([]KeyGroup{g}, last)
	if !strings.Contains(end, "k29") || strings.Contains(end, "k0 ") || !strings.Contains(end, "↑/k for the keys above") {
		t.Errorf("bottom:\n%s", end)
	}
	past, _ := view([]KeyGroup{g}, last+50)
	if past != end {
		t.Error("an offset past the end is the end")
	}
	for _, v := range []string{top, end} {
		if n := len(strings.Split(v, "\n")); n != 12 {
			t.Errorf("%d lines, want 12", n)
		}
	}
	short, none := view([]KeyGroup{{Title: "Few", Keys: g.Keys[:3]}}, 5)
	if none != 0 || !strings.Contains(short, "k0 ") || !strings.Contains(short, "esc or ? to close") {
		t.Errorf("a help that fits does not scroll (%d):\n%s", none, short)
	}
}
