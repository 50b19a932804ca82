package views

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// cellOf is the line of the screen holding s and the cell it starts
// at, or -1, -1.
func (h *harness) cellOf(s string) (x, y int) {
	for i, l := range strings.Split(h.screen(), "\n") {
		if at := strings.Index(l, s); at >= 0 {
			return len([]rune(l[:at])), i
		}
	}
	return -1, -1
}

// TestDetailMouse: a click on a tab of the strip shows it, in the area
// over the list and in the docked one (which it focuses); the wheel over
// the area scrolls its tab; a click on the list gives the focus back.
func TestDetailMouse(t *testing.T) {
	h, fe := detailHarness(t, 80, 24)
	fe.log(hexID("a1")).numbered(0, 100)
	h.selectRow("web")
	h.keys("l")
	h.waitScreen("line 99")
	x, y := h.cellOf("3 Inspect")
	if y < 0 {
		t.Fatalf("no tab strip:\n%s", h.screen())
	}
	h.send(click(x+2, y))
	h.waitFor("Inspect", func() bool { return h.openTab() == "Inspect" })
	h.waitScreen(`"State": {`, "line 1/")
	// The wheel moves the inspect cursor down three lines.
	h.send(tea.MouseWheelMsg{X: 10, Y: 12, Button: tea.MouseWheelDown})
	h.waitScreen("line 4/")
	x, y = h.cellOf("2 Stats")
	h.send(click(x, y))
	h.waitFor("Stats", func() bool { return h.openTab() == "Stats" })
	// Past the last tab: nothing.
	h.send(click(78, y))
	h.settle()
	if h.openTab() != "Stats" {
		t.Errorf("a click past the tabs opened %q", h.openTab())
	}

	// Docked beside the list at 200x60: the click focuses the area too;
	// a click on the list gives the focus back.
	d, _ := detailHarness(t, 200, 60)
	d.selectRow("web")
	d.waitFor("the docked tab", func() bool { return d.area().opened })
	x, y = d.cellOf("3 Inspect")
	d.send(click(x+1, y))
	d.waitFor("Inspect", func() bool { return d.openTab() == "Inspect" && d.area().focused })
	_, row := d.cellOf(" db ")
	d.send(click(5, row))
	if d.area().focused {
		t.Error("a click on the list leaves the area focused")
	}
	if r, _ := d.containers().selected(); r.Name != "db" {
		t.Errorf("the click selected %s", r.Name)
	}
}

// TestLayersMouse: a click on a layer of the layer browser shows its
// changes; the wheel over the files scrolls them, not the layers.
func TestLayersMouse(t *testing.T) {
	fe := &layersFake{fakeEngine: newFakeEngine(sampleImages()...), gate: make(chan struct{})}
	close(fe.gate)
	h := newLayersHarness(t, fe, 100, 30)
	h.openLayersOf("busybox:latest")
	h.waitScreen("Changes of layer 3")
	x, y := h.cellOf("RUN apk add curl")
	if y < 0 {
		t.Fatalf("no layer 2:\n%s", h.screen())
	}
	h.send(click(x, y))
	h.waitScreen("Changes of layer 2", "DIGEST   sha256:d1d1d1")
	if h.mustLayersTab().focusTree {
		t.Error("a click on a layer focused the files")
	}
	x, y = h.cellOf("ADD file:4f1d2 in /")
	h.send(click(x, y))
	h.waitScreen("Changes of layer 1")
	// The wheel over the files moves their cursor, the layer stays.
	v := h.mustLayersTab()
	lw, _, _ := v.columns()
	h.send(tea.MouseWheelMsg{X: lw + 5, Y: y, Button: tea.MouseWheelDown})
	if v.layer() != 0 || v.tree.Cursor() == 0 {
		t.Errorf("wheel over the files: layer %d, file cursor %d", v.layer(), v.tree.Cursor())
	}
	// A click on a file selects it and focuses the files.
	h.keys("g") // the layers are focused: back to layer 1
	if len(v.rows) < 2 {
		t.Fatalf("layer 1 has %d files", len(v.rows))
	}
	want := v.rows[1].node.Name + "/"
	if !v.rows[1].node.IsDir() {
		want = v.rows[1].node.Name
	}
	fy := -1
	for i, l := range strings.Split(h.screen(), "\n") {
		if r := []rune(l); len(r) > lw && strings.Contains(string(r[lw:]), " "+want) {
			fy = i
			break
		}
	}
	if fy < 0 {
		t.Fatalf("no file %q:\n%s", want, h.screen())
	}
	h.send(click(lw+5, fy))
	if !v.focusTree || v.tree.Cursor() != 1 {
		t.Errorf("a click on %q: files focused %v, cursor %d", want, v.focusTree, v.tree.Cursor())
	}
}
