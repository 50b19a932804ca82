package views

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func click(x, y int) tea.MouseClickMsg {
	return tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}
}

func TestMouse(t *testing.T) {
	h, _ := newContainersHarness(t, 100, 30)
	// Rows start below the title bar, the frame and the header: line 3.
	lines := strings.Split(h.screen(), "\n")
	row := -1
	for i, l := range lines {
		if strings.Contains(l, " db ") {
			row = i
		}
	}
	if row < 3 {
		t.Fatalf("no db row:\n%s", h.screen())
	}
	h.send(click(10, row))
	if r, _ := h.containers().selected(); r.Name != "db" {
		t.Errorf("click selected %s, want db", r.Name)
	}
	// The wheel moves the list under the pointer.
	h.send(tea.MouseWheelMsg{X: 10, Y: 5, Button: tea.MouseWheelUp})
	if c := h.containers().table.Cursor(); c != max(0, row-3-wheelRows) {
		t.Errorf("wheel up: cursor %d", c)
	}
	// A click on a tab of the title bar switches pane.
	x := strings.Index(lines[0], "5 Events")
	h.send(click(x+1, 0))
	h.waitScreen("Events (")
	if h.app.active != paneEvents {
		t.Errorf("active %d after a click on Events", h.app.active)
	}
	x = strings.Index(lines[0], "1 Images")
	h.send(click(x, 0))
	h.waitScreen("Images (4)")

	// M turns capture off: clicks do nothing, the status bar says so.
	if h.app.View().MouseMode == tea.MouseModeNone {
		t.Error("mouse capture is off at start")
	}
	h.keys("M")
	h.waitScreen("mouse off")
	if h.app.View().MouseMode != tea.MouseModeNone {
		t.Error("M leaves the mouse captured")
	}
	h.send(click(strings.Index(lines[0], "2 Containers"), 0))
	if h.app.active != paneImages {
		t.Error("a click acted with capture off")
	}
	h.keys("M")
	if h.app.View().MouseMode == tea.MouseModeNone || strings.Contains(h.screen(), "mouse off") {
		t.Error("M again turns capture on")
	}
}
