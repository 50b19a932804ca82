package ui

import (
	"strings"
	"testing"

	"berth/ui/uitest"
)

func TestActionName(t *testing.T) {
	for desc, want := range map[string]string{
		"stop": "stop", "start (up)": "start", "pause / unpause": "pause", "force remove": "force-remove",
		"kill (SIGKILL)": "kill", "running only / all": "running-only", "i/enter": "i",
	} {
		if got := ActionName(desc); got != want {
			t.Errorf("ActionName(%q) = %q, want %q", desc, got, want)
		}
	}
	if got := Bind("x", "stop the container", "x").WithShort("stop").Action(); got != "stop" {
		t.Errorf("the short description names the action: %q", got)
	}
	if got := Bind("x", "stop", "x").WithID("halt").Action(); got != "halt" {
		t.Errorf("an ID wins: %q", got)
	}
}

func TestKeyMapOverride(t *testing.T) {
	km := DefaultKeyMap()
	names := km.Override(KeyOverrides{"app.quit": {"ctrl+q"}, "app.help": {"f1", "?"}})
	if !km.Quit.Matches(uitest.Key("ctrl+q")) || km.Quit.Matches(uitest.Key("q")) {
		t.Errorf("quit keys: %v", km.Quit.Keys())
	}
	if km.Quit.Help().Key != "ctrl+q" || km.Help.Help().Key != "f1/?" {
		t.Errorf("help shows %q and %q", km.Quit.Help().Key, km.Help.Help().Key)
	}
	if !km.Help.Matches(uitest.Key("?")) {
		t.Error("a list keeps every key")
	}
	joined := strings.Join(names, " ")
	for _, n := range []string{"app.quit", "app.up", "app.command", "app.copy", "app.mouse", "app.session-focus"} {
		if !strings.Contains(joined, n) {
			t.Errorf("action %s not listed in %s", n, joined)
		}
	}
	// The help line reads the same table.
	g := km.GlobalGroup()
	found := false
	for _, b := range g.Keys {
		found = found || b.Help().Key == "ctrl+q"
	}
	if !found {
		t.Error("help does not show the overridden quit key")
	}
}

func TestClashes(t *testing.T) {
	a, b, c := Bind("x", "stop", "x"), Bind("l", "logs", "l"), Bind("x", "other", "x")
	table := map[string]*Binding{"t.stop": &a, "t.logs": &b, "t.other": &c}
	if cl := Clashes(table, func(string) bool { return false }); len(cl) != 0 {
		t.Errorf("defaults are not reported: %v", cl)
	}
	b.Rebind([]string{"x"})
	cl := Clashes(table, func(n string) bool { return n == "t.logs" })
	if len(cl) == 0 {
		t.Fatal("the overridden key's clash is not reported")
	}
	for _, c := range cl {
		if c.Key != "x" || (c.A != "t.logs" && c.B != "t.logs") {
			t.Errorf("clash of an overridden key: %v", cl)
		}
	}
}

func TestTitleTabAt(t *testing.T) {
	tabs := []string{"Images", "Containers"}
	// " berth " then " " " 1 Images " " " " 2 Containers "
	for x, want := range map[int]int{0: -1, 6: -1, 7: -1, 8: 0, 17: 0, 18: -1, 19: 1, 32: 1, 33: -1} {
		if got := TitleTabAt("berth", tabs, 80, x); got != want {
			t.Errorf("TitleTabAt(x=%d) = %d, want %d", x, got, want)
		}
	}
	if got := TitleTabAt("berth", tabs, 20, 25); got != -1 {
		t.Errorf("a tab cut off the bar: %d", got)
	}
}
