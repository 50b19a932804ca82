package ui

import (
	"testing"

	"berth/themes"
	"berth/ui/uitest"
)

func TestFilter(t *testing.T) {
	st := themes.New(themes.Dark())
	km := DefaultKeyMap()
	f := NewFilter(&st, "name")
	if f.Lines() != 0 || f.Typing() {
		t.Fatal("a new filter shows")
	}
	f.Open()
	for _, k := range []string{"w", "e", "b"} {
		if changed, _ := f.Update(uitest.Key(k), &km); !changed {
			t.Fatalf("typing %q changed nothing", k)
		}
	}
	if changed, _ := f.Update(uitest.Key("enter"), &km); changed || f.Typing() || f.Value() != "web" || f.Lines() != 1 {
		t.Fatalf("enter: typing %v value %q", f.Typing(), f.Value())
	}
	f.Open()
	if changed, _ := f.Update(uitest.Key("esc"), &km); !changed || f.Typing() || f.Value() != "" || f.Lines() != 0 {
		t.Fatalf("esc: typing %v value %q", f.Typing(), f.Value())
	}
	if f.Clear() {
		t.Fatal("clearing an empty filter changed it")
	}
}
