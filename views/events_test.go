package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"berth/engine/events"
	"berth/themes"
	"berth/ui"
)

// sampleEvents are what a few minutes of work leave in the stream.
func sampleEvents() []events.Event {
	at := func(s int) time.Time { return testNow.Add(time.Duration(s) * time.Second) }
	return []events.Event{
		{ID: 1, Time: at(0), Type: events.TypeImage, Action: "pull", Actor: "sha256:" + hexID("a1"), Attributes: map[string]string{"name": "busybox:latest"}},
		{ID: 2, Time: at(3), Type: events.TypeContainer, Action: "create", Actor: hexID("f1"), Attributes: map[string]string{"name": "x"}},
		{ID: 3, Time: at(3), Type: events.TypeContainer, Action: "start", Actor: hexID("f1"), Attributes: map[string]string{"name": "x"}},
		{ID: 4, Time: at(9), Type: events.TypeNetwork, Action: "create", Actor: hexID("n9"), Attributes: map[string]string{"name": "appnet"}},
		{ID: 5, Time: at(12), Type: events.TypeVolume, Action: "create", Actor: "data", Attributes: map[string]string{"driver": "local"}},
		{ID: 6, Time: at(20), Type: events.TypeContainer, Action: "die", Actor: hexID("f2"), Attributes: map[string]string{"name": "job", "exitCode": "3"}},
		{ID: 7, Time: at(21), Type: events.TypeContainer, Action: "kill", Actor: hexID("f1"), Attributes: map[string]string{"name": "x", "signal": "15"}},
	}
}

// newEventsHarness opens the Events pane with sampleEvents in it.
func newEventsHarness(t *testing.T, w, h int) (*harness, *fakeEngine) {
	t.Helper()
	eng := sampleEngine()
	hs := newHarness(t, eng, w, h)
	hs.waitScreen("web")
	hs.keys("5")
	for _, ev := range sampleEvents() {
		eng.events <- ev
	}
	hs.waitScreen("Events (7)", "signal=15")
	return hs, eng
}

func TestEventsPane(t *testing.T) {
	h, eng := newEventsHarness(t, 100, 20)
	if got := h.lineWith("exitCode=3"); !strings.Contains(got, "12:00:20") || !strings.Contains(got, "die") || !strings.Contains(got, "job") || !strings.Contains(got, "f2f2f2f2f2f2") {
		t.Errorf("die line: %q", got)
	}
	// Newest at the bottom, the cursor on it while following.
	if ev, _ := h.app.eventLog.selectedEvent(); ev.ID != 7 {
		t.Errorf("cursor on event %d, want the newest", ev.ID)
	}
	eng.emit("stop", hexID("f1"))
	h.waitScreen("Events (8)")
	if ev, _ := h.app.eventLog.selectedEvent(); ev.Action != "stop" {
		t.Errorf("following: cursor on %s", ev.Action)
	}
	// Moving up stops following; G follows again.
	h.keys("k", "k")
	eng.emit("start", hexID("f1"))
	h.waitScreen("Events (9)")
	if ev, _ := h.app.eventLog.selectedEvent(); ev.ID != 6 {
		t.Errorf("not following: cursor on %d, want 6", ev.ID)
	}
	if strings.Contains(h.screen(), "following") {
		t.Error("the frame still says following")
	}
	h.keys("G")
	if ev, _ := h.app.eventLog.selectedEvent(); ev.Action != "start" || !h.app.eventLog.follow {
		t.Errorf("G: cursor on %s, follow %v", ev.Action, h.app.eventLog.follow)
	}

	// t cycles the types.
	h.keys("t")
	h.waitScreen("type: container", "Events (6/9)")
	h.keys("t")
	h.waitScreen("type: image", "Events (1/9)", "busybox:latest")
	h.keys("t", "t", "t")
	h.waitScreen("type: all", "Events (9)")

	// / filters on the object, action and attributes.
	h.keys("/")
	h.typeText("appnet")
	h.waitScreen("Events (1/9)")
	h.keys("enter", "esc")
	h.waitScreen("Events (9)")

	// Enter goes to the object of the event: db's row in Containers.
	eng.emitType(events.TypeContainer, "restart", hexID("b2"))
	h.waitScreen("Events (10)")
	h.keys("G", "enter")
	h.waitFor("the Containers pane", func() bool { return h.app.active == paneContainers })
	if r, _ := h.containers().selected(); r.Name != "db" {
		t.Errorf("enter selected %s, want db", r.Name)
	}
	h.keys("5")
	h.keys("g", "enter") // busybox's pull: the image is listed
	h.waitFor("the Images pane", func() bool { return h.app.active == paneImages })
	h.keys("5", "/")
	h.typeText("appnet")
	h.keys("enter", "enter") // a network that is not listed
	h.waitScreen("network appnet is no longer listed")
	if h.app.active != paneEvents {
		t.Error("left the Events pane for an object that is gone")
	}
}

func TestEventsHistoryIsBounded(t *testing.T) {
	e := newEventsView(&env{Common: ui.NewCommon(themes.Plain()), ctx: context.Background(), now: func() time.Time { return testNow }})
	var evs []events.Event
	for i := range eventsHistory + 250 {
		evs = append(evs, events.Event{ID: int64(i + 1), Time: testNow, Type: events.TypeContainer, Action: "start", Actor: "x"})
	}
	e.add(evs[:100])
	e.add(evs[100:])
	if len(e.all) != eventsHistory || e.all[0].ID != 251 || e.all[len(e.all)-1].ID != int64(eventsHistory+250) {
		t.Errorf("kept %d events, %d to %d", len(e.all), e.all[0].ID, e.all[len(e.all)-1].ID)
	}
}

func TestGoldenEvents(t *testing.T) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x60", 200, 60}} {
		t.Run(sz.name, func(t *testing.T) {
			h, _ := newEventsHarness(t, sz.w, sz.h)
			golden(t, h, "events-"+sz.name)
			h.keys("t")
			h.waitScreen("type: container")
			h.keys("/")
			h.typeText("x")
			golden(t, h, "events-filtered-"+sz.name)
			h.keys("esc", "esc")

			h.keys(":")
			h.typeText("st")
			h.keys("tab")
			golden(t, h, "cmdline-"+sz.name)
			h.typeText("op ")
			h.keys("tab")
			golden(t, h, "cmdline-names-"+sz.name)
		})
	}
}

// BenchmarkEventsBurst is a burst of 10 events arriving in a full pane
// (5,000 kept) at 200x60, then the frame drawn: what each burst costs the
// TUI. BenchmarkEventsFrame is the frame alone.
func BenchmarkEventsBurst(b *testing.B) { benchEvents(b, true) }
func BenchmarkEventsFrame(b *testing.B) { benchEvents(b, false) }

func benchEvents(b *testing.B, burst bool) {
	e := newEventsView(&env{Common: ui.NewCommon(themes.Dark()), ctx: context.Background(), now: func() time.Time { return testNow }})
	e.SetSize(200, 58)
	var evs []events.Event
	for i := range eventsHistory + 10 {
		evs = append(evs, events.Event{ID: int64(i + 1), Time: testNow, Type: events.TypeContainer, Action: "start",
			Actor: hexID("a1"), Attributes: map[string]string{"name": "web", "image": "busybox"}})
	}
	e.add(evs[:eventsHistory])
	next := evs[eventsHistory:]
	b.ResetTimer()
	for range b.N {
		if burst {
			for i := range next {
				next[i].ID += 10
			}
			e.add(next)
		}
		_ = e.View()
	}
}

// The pane starts with the store's events of the last hour before the TUI
// started, before the live ones; an event both gave shows once.
func TestEventsPaneHistory(t *testing.T) {
	eng := sampleEngine()
	old := sampleEvents()
	for i := range old {
		old[i].Time = testNow.Add(-time.Duration(10-i) * time.Minute)
	}
	tooOld := events.Event{ID: 0, Time: testNow.Add(-2 * time.Hour), Type: events.TypeImage, Action: "pull", Actor: "sha256:" + hexID("e0"), Attributes: map[string]string{"name": "ancient:1"}}
	eng.past = append([]events.Event{tooOld}, old...)
	h := newHarness(t, eng, 100, 20)
	h.keys("5")
	h.waitScreen("Events (7)", "signal=15", "busybox:latest")
	if strings.Contains(h.screen(), "ancient") {
		t.Errorf("an event older than an hour is shown:\n%s", h.screen())
	}
	eng.events <- old[6] // the live stream gives the newest again
	eng.emit("stop", hexID("f1"))
	h.waitFor("the live stop", func() bool {
		ev, _ := h.app.eventLog.selectedEvent()
		return ev.Action == "stop"
	})
	h.waitScreen("stop")
	if !strings.Contains(h.screen(), "Events (8)") {
		t.Errorf("want 7 from the history and 1 live:\n%s", h.screen())
	}
}

// A full ID among the attributes shows as 12 digits, as in the ID column;
// the filter still finds it by the full one.
func TestEventAttrsShortIDs(t *testing.T) {
	id := hexID("f1")
	ev := events.Event{Type: events.TypeNetwork, Action: "connect", Actor: hexID("n9"),
		Attributes: map[string]string{"name": "appnet", "container": id, "type": "bridge"}}
	if got, want := eventAttrs(ev, false), "container="+id[:12]+" type=bridge"; got != want {
		t.Errorf("shown: %q, want %q", got, want)
	}
	if got := eventText(ev); !strings.Contains(got, id) || !strings.Contains(got, "name=appnet") {
		t.Errorf("filter text %q lacks the full ID or the name", got)
	}
}
