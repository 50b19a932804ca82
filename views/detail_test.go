package views

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/engine/image"
)

// logsView is the log view of the Logs tab open in the containers pane.
func (h *harness) logsView() *logsView {
	h.t.Helper()
	v, ok := focusedTab[*logsView](h.containers().detail)
	if !ok {
		h.t.Fatalf("no Logs tab open:\n%s", h.screen())
	}
	return v
}

// layersTab is the Layers tab open in the images pane, if any.
func (h *harness) layersTab() (*layersTab, bool) {
	return focusedTab[*layersTab](h.images().detail)
}

// mustLayersTab is the Layers tab open in the images pane.
func (h *harness) mustLayersTab() *layersTab {
	h.t.Helper()
	t, ok := h.layersTab()
	if !ok {
		h.t.Fatalf("no Layers tab open:\n%s", h.screen())
	}
	return t
}

// focusedTab is d's open tab if it has the focus and is a T.
func focusedTab[T detailTab](d *detailArea) (T, bool) {
	var zero T
	if d == nil || !d.focused || !d.opened || d.active >= len(d.tabs) {
		return zero, false
	}
	t, ok := d.tabs[d.active].(T)
	return t, ok
}

// detailFake is the fake engine with what the detail tabs add: processes
// (Top), image history, and a container's env, mounts, ports and network
// counters.
type detailFake struct {
	*logFakeEngine
	procs    []container.Process
	history  []image.HistoryEntry
	topCalls atomic.Int32
	readings atomic.Int32 // ContainerStats calls

	mu    sync.Mutex
	reads map[string]uint64 // ContainerStats calls by container
}

func newDetailFake(eng *fakeEngine) *detailFake {
	boot := testNow.Add(-3 * time.Minute)
	return &detailFake{logFakeEngine: newLogFakeEngine(eng),
		procs: []container.Process{
			{UID: 101, PID: 4312, PPID: 4290, Start: boot, CPU: 1500 * time.Millisecond, Cmd: "nginx: worker process"},
			{UID: 0, PID: 4290, PPID: 4270, Start: boot, CPU: 65 * time.Second, Cmd: "nginx: master process nginx -g daemon off;"},
		},
		history: []image.HistoryEntry{
			{ID: "sha256:" + hexID("a1"), Created: testNow.Add(-72 * time.Hour), CreatedBy: `/bin/sh -c #(nop)  CMD ["sh"]`, EmptyLayer: true},
			{ID: "<missing>", Created: testNow.Add(-72 * time.Hour), CreatedBy: "/bin/sh -c #(nop) ADD file:4f1d2b8e in / ", Size: 4_270_000, Comment: "buildkit.dockerfile.v0"},
		},
	}
}

// use puts f in the app's place of its engine.
func (f *detailFake) use(h *harness) *detailFake {
	h.app.env.eng = f
	return f
}

func (f *detailFake) ContainerTop(ctx context.Context, ref string) ([]container.Process, error) {
	f.topCalls.Add(1)
	if f.find(ref) < 0 {
		return nil, errdefs.NotFound("No such container: %s", ref)
	}
	return f.procs, nil
}

func (f *detailFake) ImageHistory(ctx context.Context, ref string) ([]image.HistoryEntry, error) {
	return f.history, nil
}

// InspectContainer adds env, mounts and ports to web's.
func (f *detailFake) InspectContainer(ctx context.Context, ref string) (*container.Inspect, error) {
	insp, err := f.fakeEngine.InspectContainer(ctx, ref)
	if err != nil || insp.Name != "/web" {
		return insp, err
	}
	insp.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NGINX_VERSION=1.27.0", "GREETING=hello world"}
	insp.Mounts = []container.InspectMount{
		{Type: "volume", Name: "webdata", Source: "/var/lib/berth/volumes/webdata/_data", Destination: "/usr/share/nginx/html", RW: true},
		{Type: "bind", Source: "/etc/berth/nginx.conf", Destination: "/etc/nginx/nginx.conf"},
		{Type: "tmpfs", Destination: "/run", RW: true},
	}
	insp.NetworkSettings.Ports = map[string][]container.InspectPortBinding{
		"80/tcp":  {{HostIP: "0.0.0.0", HostPort: "8080"}},
		"443/tcp": {{HostIP: "127.0.0.1", HostPort: "8443"}},
		"53/udp":  nil,
	}
	return insp, nil
}

// ContainerStats adds network and block counters that grow by reading.
func (f *detailFake) ContainerStats(ctx context.Context, ref string) (container.Sample, error) {
	s, err := f.fakeEngine.ContainerStats(ctx, ref)
	if err != nil {
		return s, err
	}
	f.readings.Add(1)
	f.mu.Lock()
	if f.reads == nil {
		f.reads = map[string]uint64{}
	}
	f.reads[s.ID]++
	n := f.reads[s.ID]
	f.mu.Unlock()
	s.NetRx, s.NetTx = n*n*40_000, n*12_000
	s.BlockRead, s.BlockWrite = n*(n%3)*100_000, n*8_000
	s.MemUsage += n * n * 300_000
	return s, nil
}

// detailHarness is the app on sampleEngine's containers with the detail
// fake as its engine.
func detailHarness(t *testing.T, w, h int) (*harness, *detailFake) {
	t.Helper()
	hs, eng := newContainersHarness(t, w, h)
	return hs, newDetailFake(eng).use(hs)
}

// area is the active pane's detail area.
func (h *harness) area() *detailArea {
	switch p := h.app.panes[h.app.active].(type) {
	case *containersView:
		return p.detail
	case *imagesView:
		return p.detail
	case *networksView:
		return p.detail
	case *volumesView:
		return p.detail
	}
	h.t.Fatalf("pane %d has no detail area", h.app.active)
	return nil
}

// openTab is the title of the open tab, "" when none is open.
func (h *harness) openTab() string {
	d := h.area()
	if !d.opened || d.active >= len(d.tabs) {
		return ""
	}
	return d.tabs[d.active].Title()
}

// statsTab is the Stats tab of the containers pane, with its own ticks
// off: the test reads by sending ticks.
func (h *harness) statsTab() *statsTab {
	h.t.Helper()
	t, ok := focusedTab[*statsTab](h.containers().detail)
	if !ok {
		h.t.Fatalf("no Stats tab open:\n%s", h.screen())
	}
	t.every = 0
	return t
}

func TestDetailTabKeys(t *testing.T) {
	h, fe := detailHarness(t, 80, 24)
	h.selectRow("web")
	h.keys("v")
	h.waitScreen("─ web ─", "lines", "1 Logs  2 Stats  3 Inspect  4 Env  5 Top  6 Mounts/Ports")
	web := fe.log(hexID("a1"))
	h.waitFor("the log opened", func() bool { o, _, _ := web.stats(); return o == 1 })
	if h.openTab() != "Logs" || !h.area().focused {
		t.Fatalf("v opened %q", h.openTab())
	}

	// ] closes the log and opens Stats.
	h.keys("]")
	h.waitFor("the log closed", func() bool { _, c, _ := web.stats(); return c == 1 })
	h.waitScreen("CPU", "Memory", "Net received", "Block written")
	if h.openTab() != "Stats" {
		t.Fatalf("] opened %q", h.openTab())
	}

	// A number picks a tab; Top lists the processes.
	h.keys("5")
	h.waitScreen("PID", "nginx: master process", "2 processes")
	// [ goes back one: Env, sorted.
	h.keys("[")
	h.waitScreen("GREETING", "hello world", "3 variables")
	if a, b := strings.Index(h.screen(), "GREETING"), strings.Index(h.screen(), "NGINX_VERSION"); a > b {
		t.Errorf("env not sorted:\n%s", h.screen())
	}
	// q goes back to the list, it does not quit; the tabs are closed.
	h.keys("q")
	if h.quit {
		t.Fatal("q in the detail area quit")
	}
	h.waitScreen("Containers (6)")
	if h.area().focused || h.area().opened {
		t.Error("q left the area open")
	}
	// The list has the keys again: j moves, and the title is back to the list.
	h.keys("j")
	if r, _ := h.containers().selected(); r.Name == "web" {
		t.Error("j did not move the list after the area closed")
	}
	// The tab last shown opens next time, for the new row.
	h.keys("v")
	h.waitScreen("4 Env")
	if h.openTab() != "Env" {
		t.Errorf("v opened %q, want the Env tab shown last", h.openTab())
	}
	h.keys("esc", "i")
	h.waitScreen("3 Inspect", `"Id": `)
	h.keys("esc", "l")
	if h.openTab() != "Logs" {
		t.Errorf("l opened %q", h.openTab())
	}
}

func TestDetailTopRefreshesOnlyWhileOpen(t *testing.T) {
	h, fe := detailHarness(t, 80, 24)
	h.selectRow("web")
	h.keys("v", "5")
	h.waitScreen("nginx: worker process")
	d := h.area()
	top := d.tabs[d.active].(*tableTab)
	gen := top.gen
	// A tick of the open tab reads again; after Close the same tick does
	// nothing.
	calls := fe.topCalls.Load()
	h.send(tableTickMsg{tab: top, gen: gen})
	h.waitFor("a second ContainerTop", func() bool { return fe.topCalls.Load() > calls })
	h.keys("esc")
	h.settle()
	calls = fe.topCalls.Load()
	if cmd := top.Update(tableTickMsg{tab: top, gen: gen}); cmd != nil {
		t.Error("a closed Top tab asks again on its old tick")
	}
	if top.open {
		t.Error("the Top tab is still open after esc")
	}
	h.settle()
	if fe.topCalls.Load() != calls {
		t.Error("ContainerTop called after the tab closed")
	}
}

func TestDetailStatsSamplesOnlyWhileOpen(t *testing.T) {
	h, fe := detailHarness(t, 80, 24)
	h.selectRow("web")
	h.keys("v", "2")
	st := h.statsTab()
	h.waitFor("a first reading", func() bool { return st.hasLast })
	for range 4 {
		n := fe.readings.Load()
		h.send(statsTabTickMsg{tab: st, gen: st.gen})
		h.waitFor("a reading", func() bool { return fe.readings.Load() > n && len(st.series.cpu) >= int(n) })
	}
	h.waitScreen("1.2%", "Net received", "peak")
	if len(st.series.rx) != 4 || st.series.rx[3] <= st.series.rx[0] {
		t.Errorf("received rates %v: want 4, growing", st.series.rx)
	}
	gen := st.gen
	h.keys("]") // Inspect: Stats closes
	h.waitScreen("3 Inspect")
	n := fe.readings.Load()
	if cmd := st.Update(statsTabTickMsg{tab: st, gen: gen}); cmd != nil {
		t.Error("a closed Stats tab reads on its old tick")
	}
	if cmd := st.Update(statsTabSampleMsg{tab: st, gen: gen, sample: container.Sample{Time: testNow.Add(time.Hour)}}); cmd != nil || len(st.series.cpu) != 4 {
		t.Error("a closed Stats tab took a late reading")
	}
	h.settle()
	if fe.readings.Load() != n {
		t.Error("ContainerStats called after the Stats tab closed")
	}
}

// At 200 columns the area stays open beside the list and follows the
// selection once it rests: holding j starts one stream, not one per row.
func TestDetailFollowsSelection(t *testing.T) {
	h, fe := detailHarness(t, 200, 60)
	h.app.env.detailRest = detailDebounce
	d := h.area()
	if d.place != detailBeside || !d.visible() {
		t.Fatalf("the area is not beside the list at 200x60 (place %d)", d.place)
	}
	h.keys("j") // the area opened on the first row before the fake engine was in place
	want, _ := h.containers().selected()
	first := fe.log(want.ID)
	h.waitFor("the selected row's log open", func() bool { o, _, _ := first.stats(); return o == 1 })
	if d.focused {
		t.Error("the docked area took the focus")
	}
	// Five rows down quickly: the log left closes at once, one new one
	// opens after the rest, for the row the cursor stops on.
	h.keys("j", "j", "j", "j", "j")
	h.waitFor("the log of the row left closed", func() bool { _, c, _ := first.stats(); return c == 1 })
	at, _ := h.containers().selected()
	h.waitFor("the log of the row the cursor rests on", func() bool { o, _, _ := fe.log(at.ID).stats(); return o == 1 })
	h.settle()
	fe.mu.Lock()
	opened := len(fe.opened)
	fe.mu.Unlock()
	if opened != 2 {
		t.Errorf("%d logs opened for a row and five moves: want 2 (the rest)", opened)
	}
	// ] switches the docked tab while the list keeps the keys.
	h.keys("]")
	if h.openTab() != "Stats" || d.focused {
		t.Errorf("] from the list: tab %q, focused %v", h.openTab(), d.focused)
	}
	// z zooms into the area and gives it the keys; esc unzooms, esc again
	// gives the keys back to the list.
	h.keys("z")
	if !d.focused || !d.zoomed {
		t.Fatal("z did not zoom into the area")
	}
	h.waitScreen("zoomed")
	if strings.Contains(h.screen(), "Containers (6)") {
		t.Error("the list shows while zoomed")
	}
	h.keys("esc")
	if d.zoomed || !d.focused {
		t.Error("esc should unzoom and keep the focus")
	}
	h.keys("esc")
	if d.focused {
		t.Error("second esc should give the keys back to the list")
	}
	h.waitScreen("Containers (6)")
}

// An area that goes off screen (another pane) closes its tab.
func TestDetailClosesOffScreen(t *testing.T) {
	h, fe := detailHarness(t, 80, 24)
	h.selectRow("web")
	h.keys("l")
	web := fe.log(hexID("a1"))
	h.waitFor("the log opened", func() bool { o, _, _ := web.stats(); return o == 1 })
	h.keys("esc")
	h.waitFor("the log closed", func() bool { _, c, _ := web.stats(); return c == 1 })
}

func TestDetailInspectKeys(t *testing.T) {
	h, _ := detailHarness(t, 80, 24)
	h.selectRow("web")
	h.keys("i")
	h.waitScreen(`"State": {`)
	d := h.area()
	it := d.tabs[d.active].(*inspectTab)
	// Fold all, then unfold State only.
	h.keys("C")
	h.waitScreen(`"State": {…} `)
	h.keys("/")
	if !h.app.panes[paneContainers].Capturing() {
		t.Fatal("typing a search does not capture keys")
	}
	h.typeText("running")
	h.keys("enter")
	// The match is inside the folded State: unfolded to show it.
	h.waitScreen(`"Status": "running"`, "match 1/2")
	if n := it.lines[it.cursor].node; n.key != `"Status"` {
		t.Errorf("cursor on %s, want the first match", n.key)
	}
	h.keys("n")
	h.waitScreen("match 2/2", `"Running": true`)
	h.keys("N")
	h.waitScreen("match 1/2")
	// q typed into the search is text, not quitting or going back.
	h.keys("/", "q")
	if h.quit || !it.searching {
		t.Fatal("q in the search box acted")
	}
	h.keys("esc")
	// E unfolds all; enter on an object's line folds it, again unfolds it.
	h.keys("E", "g")
	for it.lines[it.cursor].node.key != `"State"` {
		h.keys("j")
	}
	h.keys("enter")
	h.waitScreen(`"State": {…} 12 keys,`)
	h.keys("space")
	h.waitScreen(`"Paused": false,`)
	// esc clears the search first, then goes back to the list.
	h.keys("esc")
	if it.query != "" || strings.Contains(strings.Split(h.screen(), "\n")[1], "match ") {
		t.Error("esc did not clear the search")
	}
	h.keys("esc")
	h.waitScreen("Containers (6)")
}

// A pane switched away from closes its detail tab; back, the tab opens
// again.
func TestDetailClosesWhenPaneHidden(t *testing.T) {
	h, fe := detailHarness(t, 80, 24)
	h.selectRow("web")
	h.keys("l")
	web := fe.log(hexID("a1"))
	h.waitFor("the log opened", func() bool { o, _, _ := web.stats(); return o == 1 })
	h.keys("tab") // the numbers pick tabs while the area has the keys
	h.waitScreen("Networks (")
	h.waitFor("the log closed", func() bool { _, c, _ := web.stats(); return c == 1 })
	h.keys("shift+tab")
	h.waitFor("the log opened again", func() bool { o, _, _ := web.stats(); return o == 2 })
	h.waitScreen("─ web ─", "lines")
}

// Growing the window docks the area: its tab opens without a key.
func TestDetailDocksOnResize(t *testing.T) {
	h, fe := detailHarness(t, 80, 24)
	h.selectRow("web")
	web := fe.log(hexID("a1"))
	h.send(tea.WindowSizeMsg{Width: 200, Height: 60})
	h.waitFor("the docked Logs tab's log open", func() bool { o, _, _ := web.stats(); return o == 1 })
	h.waitScreen("─ web ─", "lines", "Containers (6)")
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.waitFor("the log closed once the area has no room", func() bool { _, c, _ := web.stats(); return c == 1 })
}
