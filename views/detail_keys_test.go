package views

import (
	"strings"
	"testing"
)

// TestDetailConfigKeys: the config file rebinds the detail area's keys
// and its tabs' (detail.next-tab, inspect.fold-all): the old keys do
// nothing, the new ones act, and help shows them; a key the area and a
// tab would share is refused.
func TestDetailConfigKeys(t *testing.T) {
	h, _ := detailHarness(t, 80, 24)
	err := h.app.applyKeys(parseConfig(t, `[keys]
"detail.next-tab" = ">"
"detail.tab-by-number" = ["!", "@", "#"]
"inspect.fold-all" = "Z"
`))
	if err != nil {
		t.Fatal(err)
	}
	h.selectRow("web")
	h.keys("l")
	h.waitScreen("1 Logs")
	h.keys("]")
	h.settle()
	if h.openTab() != "Logs" {
		t.Fatalf("] still switches tabs: %q", h.openTab())
	}
	h.keys(">")
	h.waitFor("Stats", func() bool { return h.openTab() == "Stats" })
	// The area's help line and help show the new key.
	if !strings.Contains(h.screen(), "> tabs") {
		t.Errorf("the help line lacks > tabs:\n%s", h.screen())
	}
	// The tabs' numbers are ! @ # now: # picks the third, Inspect.
	h.keys("#")
	h.waitFor("Inspect", func() bool { return h.openTab() == "Inspect" })
	h.waitScreen(`"State": {`)
	h.keys("C")
	h.settle()
	if strings.Contains(h.screen(), `"State": {…}`) {
		t.Fatalf("C still folds all:\n%s", h.screen())
	}
	h.keys("Z")
	h.waitScreen(`{…}`)
	h.keys("?")
	for _, want := range []string{">      next tab", "!/@/#", "Z            fold all"} {
		if !strings.Contains(h.screen(), want) {
			t.Errorf("help lacks %q:\n%s", want, h.screen())
		}
	}

	err = h.app.applyKeys(parseConfig(t, `[keys]
"detail.previous-tab" = "N"
`))
	if err == nil || !strings.Contains(err.Error(), "detail.previous-tab") || !strings.Contains(err.Error(), "previous-match") {
		t.Errorf("a key shared by detail.previous-tab and a tab's previous-match: %v", err)
	}
	err = h.app.applyKeys(parseConfig(t, `[keys]
"detail.next-tab" = "x"
`))
	if err == nil || !strings.Contains(err.Error(), "detail.next-tab") || !strings.Contains(err.Error(), "containers.stop") {
		t.Errorf("a key shared by containers.stop and the docked area's detail.next-tab: %v", err)
	}
}

// TestDetailSessionKeys: while the list has the focus, [ ] and z are the
// session pane's when a session is open, else the docked area's; while
// the area has the focus they are its own.
func TestDetailSessionKeys(t *testing.T) {
	h, _ := newSessionsHarness(t, 200, 60)
	newDetailFake(h.eng).use(h)
	h.selectRow("web")
	h.waitFor("the docked Logs tab", func() bool { return h.openTab() == "Logs" })
	h.keys("]")
	h.waitFor("Stats", func() bool { return h.openTab() == "Stats" })
	h.keys("[")
	h.waitFor("Logs", func() bool { return h.openTab() == "Logs" })

	h.keys("e")
	h.waitFor("the shell to open", func() bool { return h.app.sessions.Count() == 1 })
	h.keys("ctrl+]")
	if h.app.sessions.Focused() {
		t.Fatal("ctrl+] left the focus in the session")
	}
	h.waitFor("the docked area again", func() bool { return h.openTab() == "Logs" })
	h.keys("]", "z")
	h.settle()
	if d := h.area(); d.tabs[d.active].Title() != "Logs" || d.zoomed {
		t.Errorf("with a session open ] z acted on the area: tab %q, zoomed %v", d.tabs[d.active].Title(), d.zoomed)
	}
	if !h.app.sessions.split.Zoomed {
		t.Error("z did not zoom the session pane")
	}
	h.keys("ctrl+]", "z") // the lists again, the session pane unzoomed
	if h.app.sessions.split.Zoomed || h.app.sessions.Focused() {
		t.Fatal("the session pane still zoomed or focused")
	}
	h.keys("l")
	h.waitFor("the area focused", func() bool { return h.area().focused })
	h.keys("]")
	h.waitFor("Stats", func() bool { return h.openTab() == "Stats" })
}

// TestDetailDigitsRule: the numbers pick tabs while the details fill the
// pane (a small screen, or zoomed); while the list shows beside them they
// switch panes, and help says why they do not pick a tab.
func TestDetailDigitsRule(t *testing.T) {
	h, _ := detailHarness(t, 200, 60)
	h.selectRow("web")
	h.keys("l")
	h.waitFor("Logs", func() bool { return h.openTab() == "Logs" && h.area().focused })
	h.keys("?")
	h.waitScreen("tab by number (zoom first (z))")
	h.keys("esc", "3")
	h.waitScreen("Networks (")
	if h.app.active != paneNetworks {
		t.Fatalf("3 with the docked area focused: pane %d, want Networks", h.app.active)
	}
	h.keys("2")
	h.waitScreen("Containers (")
	h.waitFor("the Logs tab again", func() bool { return h.openTab() == "Logs" })
	if !h.area().focused {
		t.Fatalf("back on Containers: focused %v, tab %q", h.area().focused, h.openTab())
	}
	// Zoomed, the numbers are the tabs'.
	h.keys("z", "2")
	h.waitFor("Stats", func() bool { return h.openTab() == "Stats" })
	if h.app.active != paneContainers {
		t.Fatalf("2 zoomed switched to pane %d", h.app.active)
	}
	h.keys("?")
	if s := h.screen(); strings.Contains(s, "zoom first") || !strings.Contains(s, "tab by number") {
		t.Errorf("zoomed help:\n%s", s)
	}
	h.keys("esc", "esc", "3")
	h.settle()
	if h.app.active != paneNetworks {
		t.Fatalf("3 after esc unzoomed: pane %d", h.app.active)
	}

	// At 80x24 the focused area fills the pane: the numbers pick tabs.
	s, _ := detailHarness(t, 80, 24)
	s.selectRow("web")
	s.keys("l", "3")
	s.waitFor("Inspect", func() bool { return s.openTab() == "Inspect" })
	if s.app.active != paneContainers {
		t.Fatalf("3 at 80x24 switched to pane %d", s.app.active)
	}
}
