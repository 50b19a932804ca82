package views

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine/container"
	"berth/engine/events"
	"berth/engine/progress"
	"berth/themes"
)

// sampleEngine has images and six containers in every state, three of them
// with stats.
func sampleEngine() *fakeEngine {
	eng := newFakeEngine(sampleImages()...).withContainers(
		ctr("a1", "web", "nginx:alpine", "nginx -g 'daemon off;'", 5*time.Minute, up(3*time.Minute)),
		ctr("b2", "db", "postgres:16", "docker-entrypoint.sh postgres", 3*time.Hour, up(2*time.Hour)),
		ctr("c3", "worker", "busybox", "sh -c 'while true; do echo tick; sleep 1; done'", 2*time.Hour, paused(time.Hour)),
		ctr("d4", "job", "127.0.0.1:5000/tools/migrate:v2", "sh -c 'exit 3'", 20*time.Minute, exited(3, 10*time.Minute)),
		ctr("e5", "old", "busybox", "true", 72*time.Hour, exited(0, 48*time.Hour)),
		ctr("f6", "cache", "redis:7", "redis-server", 30*time.Second, cstate()),
	)
	eng.stats[hexID("a1")] = fakeStat{CPU: 0.0125, Mem: 12_940_000, MemLimit: 64 << 20}
	eng.stats[hexID("b2")] = fakeStat{CPU: 1.234, Mem: 1_288_490_188, MemLimit: 16_640_000_000}
	eng.stats[hexID("c3")] = fakeStat{CPU: 0, Mem: 512 << 10, MemLimit: 16_640_000_000}
	return eng
}

// newContainersHarness opens the app on sampleEngine's containers, with a
// first reading of stats in.
func newContainersHarness(t *testing.T, w, h int) (*harness, *fakeEngine) {
	t.Helper()
	eng := sampleEngine()
	hs := newHarness(t, eng, w, h)
	hs.waitScreen("web", "12.34MiB")
	return hs, eng
}

// selectRow moves the cursor to the container named name.
func (h *harness) selectRow(name string) {
	h.t.Helper()
	v := h.containers()
	h.keys("g")
	for range len(v.shown) {
		if r, _ := v.selected(); r.Name == name {
			return
		}
		h.keys("j")
	}
	h.t.Fatalf("no row %s:\n%s", name, h.screen())
}

// rowLine is the table line of the container named name, or "".
func (h *harness) rowLine(name string) string {
	lines := strings.Split(h.screen(), "\n")
	for _, l := range lines[2 : len(lines)-1] {
		// The first field, or the second after the ID.
		f := fields(strings.Replace(l, "▌", " ", 1)) // a marked row begins with ▌
		if len(f) > 0 && f[0] == name || len(f) > 1 && f[1] == name && isHexID(f[0]) {
			return l
		}
	}
	return ""
}

// isHexID reports whether s is a short container ID.
func isHexID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// status is the last line of the screen.
func (h *harness) status() string {
	lines := strings.Split(h.screen(), "\n")
	return lines[len(lines)-1]
}

func TestAppOpensOnContainers(t *testing.T) {
	h, _ := newContainersHarness(t, 80, 24)
	lines := strings.Split(h.screen(), "\n")
	if !strings.Contains(lines[0], "1 Images") || !strings.Contains(lines[0], "2 Containers") {
		t.Errorf("title bar = %q", lines[0])
	}
	if !strings.Contains(lines[1], "Containers (6)") || h.app.active != paneContainers {
		t.Errorf("not on the Containers pane:\n%s", h.screen())
	}
}

func TestPaneKeys(t *testing.T) {
	h, _ := newContainersHarness(t, 80, 24)
	steps := []struct {
		key   string
		title string
	}{
		{"1", "Images (4)"}, {"2", "Containers (6)"}, {"3", "Networks (3)"}, {"4", "Volumes (0)"}, {"5", "Events (0)"},
		{"tab", "Images (4)"}, {"tab", "Containers (6)"}, {"tab", "Networks (3)"},
		{"shift+tab", "Containers (6)"}, {"shift+tab", "Images (4)"}, {"shift+tab", "Events (0)"}, {"2", "Containers (6)"},
	}
	for _, s := range steps {
		h.keys(s.key)
		h.waitScreen(s.title)
		if line := strings.Split(h.screen(), "\n")[1]; !strings.Contains(line, s.title) {
			t.Fatalf("after %s: frame %q, want %s", s.key, line, s.title)
		}
	}
	h.keys("6")
	h.waitScreen("No pane 6 yet: only 1 Images, 2 Containers, 3 Networks, 4 Volumes, 5 Events")
	// Keys typed in a dialog or filter are text, not pane switches.
	h.keys("/", "2", "esc", "esc")
	if h.app.active != paneContainers {
		t.Error("2 in the filter switched panes")
	}
	h.keys("?")
	if s := h.screen(); strings.Contains(s, "only one pane") || !strings.Contains(s, "next pane") {
		t.Errorf("help should offer pane switching:\n%s", s)
	}
}

func TestContainersList(t *testing.T) {
	tests := []struct {
		size string
		want [][]string
	}{
		// At 80 columns MEM drops the limit and the sparkline; IMAGE
		// elides the registry, never the tag.
		{"80x24", [][]string{
			{"NAME", "IMAGE", "STATUS", "CPU", "%", "MEM"},
			{"cache", "redis:7", "Created"},
			{"web", "nginx:alpine", "Up", "3", "minutes", "1.25%", "12.34MiB"},
			{"job", "…/tools/migrate:v2", "Exited", "(3)", "10", "minutes", "ago"},
			{"worker", "busybox", "Up", "About", "an", "hour", "(Paused)", "0.00%", "512KiB"},
			{"db", "postgres:16", "Up", "2", "hours", "123.40%", "1.2GiB"},
			{"old", "busybox", "Exited", "(0)", "2", "days", "ago"},
		}},
		// At 120 the ID comes, and the whole image name.
		{"120x40", [][]string{
			{"ID", "NAME", "IMAGE", "STATUS", "CPU", "%", "MEM"},
			{"f6f6f6f6f6f6", "cache", "redis:7", "Created"},
			{"a1a1a1a1a1a1", "web", "nginx:alpine", "Up", "3", "minutes", "1.25%", "12.34MiB", "/", "64MiB", "▄▄"},
			{"d4d4d4d4d4d4", "job", "127.0.0.1:5000/tools/migrate:v2", "Exited", "(3)", "10", "minutes", "ago"},
			{"c3c3c3c3c3c3", "worker", "busybox", "Up", "About", "an", "hour", "(Paused)", "0.00%", "512KiB", "/", "15.5GiB", "▄▄"},
			{"b2b2b2b2b2b2", "db", "postgres:16", "Up", "2", "hours", "123.40%", "1.2GiB", "/", "15.5GiB", "▄▄"},
			{"e5e5e5e5e5e5", "old", "busybox", "Exited", "(0)", "2", "days", "ago"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.size, func(t *testing.T) {
			var w, hh int
			for _, sz := range sizes {
				if sz.name == tc.size {
					w, hh = sz.w, sz.h
				}
			}
			h, _ := newContainersHarness(t, w, hh)
			h.send(statsTickMsg{}) // a second reading: CPU %
			h.waitScreen("1.25%")
			lines := strings.Split(h.screen(), "\n")
			for i, want := range tc.want {
				if got := fields(lines[2+i]); !slices.Equal(got, want) {
					t.Errorf("line %d:\n got %q\nwant %q", 2+i, got, want)
				}
			}
			if !strings.Contains(lines[1], "Containers (6)") || !strings.Contains(lines[1], "sort: CREATED↓") {
				t.Errorf("frame %q", lines[1])
			}
		})
	}
}

func TestStatusColouredByMeaning(t *testing.T) {
	h, _ := newContainersHarness(t, 120, 40)
	st := themes.New(themes.Dark())
	h.keys("G") // the cursor's row is drawn in the selection's colours
	for _, tc := range []struct {
		name, status string
		want         string
	}{
		{"web", "Up 3 minutes", st.State.Running.Render("Up 3 minutes")},
		{"worker", "Up About an hour (Paused)", st.State.Paused.Render("Up About an hour (Paused)")},
		{"job", "Exited (3) 10 minutes ago", st.State.Failed.Render("Exited (3) 10 minutes ago")},
		{"cache", "Created", st.State.Stopped.Render("Created")},
	} {
		var line string
		for _, l := range strings.Split(h.app.View().Content, "\n") {
			if strings.Contains(ansi.Strip(l), " "+tc.name+" ") {
				line = l
			}
		}
		// The cell is padded (or cut) inside its style: compare the style's
		// opening and the status's first words.
		open := tc.want[:strings.Index(tc.want, tc.status)]
		if !strings.Contains(line, open+tc.status[:7]) {
			t.Errorf("%s: status not in its colour %q:\n%q", tc.name, open, line)
		}
	}
}

func TestRunningOnlyToggle(t *testing.T) {
	h, _ := newContainersHarness(t, 80, 24)
	h.keys("A")
	h.waitScreen("Containers (3/6)", "running only", "Showing running containers only")
	for _, gone := range []string{"job", "old", "cache"} {
		if h.rowLine(gone) != "" {
			t.Errorf("%s shown with running only:\n%s", gone, h.screen())
		}
	}
	h.keys("A")
	h.waitScreen("Containers (6)", "job", "Showing all containers")
}

func TestContainersFilterAndSort(t *testing.T) {
	h, _ := newContainersHarness(t, 80, 24)
	h.keys("/")
	h.typeText("busybox") // s, x, u and the like are text here
	h.waitScreen("Containers (2/6)")
	if got := h.eng.calls(); len(got) != 0 {
		t.Fatalf("typing in the filter ran actions: %v", got)
	}
	h.keys("esc")
	h.waitScreen("Containers (6)")
	first := func() string { return fields(strings.Split(h.screen(), "\n")[3])[0] }
	for _, s := range []struct{ key, sort, first string }{
		{"s", "CPU %↓", "db"}, // the next column on screen: CREATED is hidden at 80
		{"s", "MEM↓", "db"},
		{"s", "NAME↑", "cache"},
		{"S", "NAME↓", "worker"},
		{"s", "IMAGE↑", "job"},
		{"s", "STATUS↑", "db"},
	} {
		h.keys(s.key)
		if !strings.Contains(h.screen(), "sort: "+s.sort) || first() != s.first {
			t.Fatalf("after %s: want sort %s with %s first:\n%s", s.key, s.sort, s.first, h.screen())
		}
	}
}

func TestActionsCallTheEngine(t *testing.T) {
	tests := []struct {
		name    string
		row     string
		keys    []string
		call    ctrCall
		status  string // in the status bar once done
		rowText string // in the row once the event is in
	}{
		{"start", "old", []string{"u"}, ctrCall{"Start", hexID("e5"), false}, "Started old", "Up Less than a second"},
		{"stop", "web", []string{"x"}, ctrCall{"Stop", hexID("a1"), false}, "Stopped web", "Exited (0) Less than a"},
		{"restart", "old", []string{"R"}, ctrCall{"Restart", hexID("e5"), false}, "Restarted old", "Up Less than a second"},
		{"pause", "web", []string{"p"}, ctrCall{"Pause", hexID("a1"), false}, "Paused web", "(Paused)"},
		{"unpause", "worker", []string{"p"}, ctrCall{"Unpause", hexID("c3"), false}, "Unpaused worker", "Up About an hour "},
		{"kill", "db", []string{"K", "y"}, ctrCall{"Kill", hexID("b2"), false}, "Killed db", "Exited (137)"},
		{"kill with ctrl+k", "db", []string{"ctrl+k", "y"}, ctrCall{"Kill", hexID("b2"), false}, "Killed db", "Exited (137)"},
		{"remove", "old", []string{"d", "y"}, ctrCall{"Remove", hexID("e5"), false}, "Removed old", ""},
		{"force remove", "job", []string{"D", "y"}, ctrCall{"Remove", hexID("d4"), true}, "Removed job", ""},
		{"remove running forces", "web", []string{"d", "y"}, ctrCall{"Remove", hexID("a1"), true}, "Removed web", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, eng := newContainersHarness(t, 120, 40)
			h.selectRow(tc.row)
			h.keys(tc.keys...)
			h.waitScreen(tc.status)
			if got := eng.calls(); !slices.Equal(got, []ctrCall{tc.call}) {
				t.Errorf("calls %v, want %v", got, tc.call)
			}
			if tc.rowText == "" {
				h.waitFor(tc.row+" gone", func() bool { return h.rowLine(tc.row) == "" })
				return
			}
			h.waitFor(tc.row+" updated", func() bool { return strings.Contains(h.rowLine(tc.row), tc.rowText) })
		})
	}
}

func TestDisabledActionsSayWhy(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	for _, tc := range []struct{ row, key, want string }{
		{"old", "x", "old is not running"},
		{"old", "enter", "old is not running: u starts it"},
		{"worker", "enter", "worker is paused: p unpauses it"},
		{"web", "u", "web is already running"},
		{"cache", "K", "cache is not running"},
		{"cache", "p", "cache is not running"},
	} {
		h.selectRow(tc.row)
		h.keys(tc.key)
		h.waitScreen(tc.want)
	}
	if c := eng.calls(); len(c) != 0 || len(h.execs) != 0 {
		t.Errorf("disabled keys acted: %v %v", c, h.execs)
	}
	h.selectRow("old")
	h.keys("?")
	if s := h.screen(); !strings.Contains(s, "stop (not running)") || !strings.Contains(s, "attach, ^P^Q detaches (not running)") {
		t.Errorf("help should say why:\n%s", s)
	}
}

func TestEmptyContainersList(t *testing.T) {
	h := newHarness(t, newFakeEngine(), 80, 24)
	h.waitScreen("No containers. Press n to run one.")
	h.keys("x")
	h.waitScreen("x: no container selected")
	h.keys("A")
	h.waitScreen("No containers. Press n to run one.")
}

func TestStopRunsInTheBackground(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	gate := eng.gate("Stop")
	h.selectRow("web")
	h.keys("x")
	h.waitFor("StopContainer called", func() bool { return len(eng.calls()) == 1 })
	h.waitScreen("Stopping…")
	if !strings.Contains(h.rowLine("web"), "Stopping…") {
		t.Errorf("the row should say it is stopping: %q", h.rowLine("web"))
	}
	if !strings.Contains(h.status(), "Stopping web…") {
		t.Errorf("the status bar should say so: %q", h.status())
	}
	// The UI stays responsive: the cursor moves, other rows act.
	v := h.containers()
	h.keys("j")
	if r, _ := v.selected(); r.Name != "job" {
		t.Errorf("j during a stop: on %s", r.Name)
	}
	h.keys("k")
	h.keys("u") // web is busy: nothing runs
	h.waitScreen("web is stopping…")
	// Quitting now would leave the stop half-done: berth asks first.
	h.keys("q")
	h.waitScreen("Quit berth")
	if !strings.Contains(h.screen(), "Stopping web") || h.quit {
		t.Errorf("q during a stop should ask:\n%s", h.screen())
	}
	h.keys("n")
	gate <- struct{}{}
	h.waitScreen("Stopped web")
	h.waitFor("the row to update", func() bool { return strings.Contains(h.rowLine("web"), "Exited (0)") })
	if strings.Contains(h.screen(), "Stopping") {
		t.Errorf("still stopping:\n%s", h.screen())
	}
	if got := eng.calls(); !slices.Equal(got, []ctrCall{{"Stop", hexID("a1"), false}}) {
		t.Errorf("calls %v", got)
	}
}

func TestKillWhileStopping(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	gate := eng.gate("Stop")
	h.selectRow("web")
	h.keys("x")
	h.waitScreen("Stopping…")
	h.keys("K", "y") // impatient
	h.waitScreen("Killed web")
	gate <- struct{}{}
	h.waitFor("stop to return", func() bool { return len(eng.calls()) == 2 })
	h.settle()
	if strings.Contains(h.screen(), "ing…") {
		t.Errorf("an action still shown:\n%s", h.screen())
	}
}

func TestActionErrorIsOneLine(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	eng.ctrErr["Start"] = errors.New("start old: exec: \"nosuch\": executable file not found in $PATH\n(see the logs)")
	h.selectRow("old")
	h.keys("u")
	h.waitFor("the error in the status bar", func() bool {
		return strings.Contains(h.status(), `start old: exec: "nosuch": executable file not found in $PATH (see the logs)`)
	})
	if !strings.Contains(h.rowLine("old"), "Exited (0)") {
		t.Errorf("row %q", h.rowLine("old"))
	}
}

func TestRemoveConfirm(t *testing.T) {
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			h := newHarness(t, sampleEngine(), sz.w, sz.h)
			h.waitScreen("web")
			eng := h.eng
			h.selectRow("old")
			h.keys("d")
			h.waitScreen("Remove container", "Remove old? Its files and logs are deleted.")
			h.keys("n")
			h.settle()
			if len(eng.calls()) != 0 || strings.Contains(h.screen(), "Remove old?") {
				t.Fatalf("n should cancel: %v\n%s", eng.calls(), h.screen())
			}
			h.keys("d", "esc")
			h.selectRow("web")
			h.keys("d")
			h.waitScreen("Force remove container", "web is running. Kill it and remove it?")
			h.keys("y")
			h.waitScreen("Removed web")
			want := []ctrCall{{"Remove", hexID("a1"), true}}
			if got := eng.calls(); !slices.Equal(got, want) {
				t.Errorf("calls %v, want %v", got, want)
			}
			h.waitScreen("Containers (5)")
		})
	}
}

func TestContainerEventsRefreshTheList(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	// Another berth process stops web and runs a new container.
	id := eng.setState("web", exited(0, 0))
	eng.mu.Lock()
	eng.containers = append(eng.containers, ctr("99", "other", "alpine", "sleep 1d", 0, up(0)))
	eng.mu.Unlock()
	before := eng.listCount()
	eng.emit("die", id)
	eng.emit("create", hexID("99"))
	eng.emit("start", hexID("99"))
	h.waitScreen("Containers (7)", "other")
	h.waitFor("web exited", func() bool { return strings.Contains(h.rowLine("web"), "Exited (0)") })
	if eng.listCount() != before {
		t.Error("container events reloaded images")
	}
}

func TestContainerRefreshCoalesces(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	h.settle()
	before := eng.ctrListCount()
	v := h.containers()
	cmd := v.refresh()
	for range 10 {
		if v.refresh() != nil {
			t.Fatal("a refresh during a load started another load")
		}
	}
	h.run(cmd)
	h.settle()
	if got := eng.ctrListCount() - before; got != 2 {
		t.Errorf("%d loads, want 2", got)
	}
	// A burst of events makes one refresh message: one list of containers
	// for each pane that shows them (Containers, and the CONTAINERS columns
	// of Networks and Volumes).
	before = eng.ctrListCount()
	h.send(engineEventsMsg{Events: slices.Repeat([]events.Event{{Type: events.TypeContainer, Action: "start"}}, 50)})
	h.settle()
	if got := eng.ctrListCount() - before; got != 3 {
		t.Errorf("%d loads after a burst, want 3", got)
	}
}

func TestStatsAreReadInTheBackground(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	if !strings.Contains(h.rowLine("web"), "12.34MiB") || strings.Contains(h.rowLine("web"), "%") {
		t.Errorf("a first reading has memory but no CPU yet: %q", h.rowLine("web"))
	}
	n := eng.statsCalls()
	if n != 3 {
		t.Errorf("%d readings, want one per running or paused container", n)
	}
	h.send(statsTickMsg{})
	h.waitFor("CPU %", func() bool { return strings.Contains(h.rowLine("web"), "1.25%") })
	// A container that stops between list and reading has no stats: its
	// error is ignored, its columns go blank.
	eng.setState("db", exited(0, 0))
	h.send(statsTickMsg{})
	h.waitFor("db without stats", func() bool { return !strings.Contains(h.rowLine("db"), "GiB") })
	if strings.Contains(h.status(), "not running") {
		t.Errorf("a stats error was shown: %q", h.status())
	}
}

func TestStatsTickerRuns(t *testing.T) {
	eng := sampleEngine()
	h := newHarness(t, eng, 80, 24)
	h.app.env.statsEvery = 20 * time.Millisecond
	h.waitScreen("web")
	h.send(statsTickMsg{})
	h.waitFor("readings every interval", func() bool { return eng.statsCalls() >= 12 })
	h.waitScreen("1.25%")
}

func TestInspectContainer(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	h.selectRow("web")
	h.keys("i")
	h.waitScreen("╭─ web", "3 Inspect", `"Id": "a1a1`, `"Status": "running"`)
	if !slices.Equal(eng.inspected, []string{hexID("a1")}) {
		t.Errorf("InspectContainer calls %v", eng.inspected)
	}
	h.keys("esc")
	h.waitScreen("Containers (6)")
}

func TestAttach(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	h.selectRow("web")
	before := eng.ctrListCount()
	h.keys("enter")
	h.waitScreen("Back from web")
	if !slices.Equal(eng.attaches, []string{hexID("a1")}) || len(h.execs) != 1 ||
		!slices.Equal(h.execs[0], []string{"berth", "attach", hexID("a1")}) {
		t.Errorf("AttachCommand %v, exec %v", eng.attaches, h.execs)
	}
	h.waitFor("a refresh after the attach", func() bool { return eng.ctrListCount() > before })

	h.execErr = errors.New("attach: connection refused")
	h.keys("enter")
	h.waitScreen("attach web: attach: connection refused")
}

// runDialog opens the run dialog and fills its fields.
func (h *harness) runDialog(image, name, cmd, env string) {
	h.t.Helper()
	h.keys("n")
	h.waitScreen("Run a container")
	for i, text := range []string{image, name, cmd, env} {
		if i > 0 {
			h.keys("tab")
		}
		h.typeText(text)
	}
}

func TestRunDialog(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	h.runDialog("busybox", "hello", `sh -c 'echo "hi there"; sleep 60'`, `A=1, MSG="a, b" C=3`)
	h.keys("tab", "space") // Terminal off
	h.keys("enter")
	h.waitScreen("Started hello (f1f1f1f1f1f1): l logs · enter attach")
	runs := eng.runCalls()
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	o := runs[0]
	if o.Image != "busybox" || o.Name != "hello" || o.Tty || o.OpenStdin ||
		!slices.Equal(o.Cmd, []string{"sh", "-c", `echo "hi there"; sleep 60`}) ||
		!slices.Equal(o.Env, []string{"A=1", "MSG=a, b", "C=3"}) {
		t.Errorf("CreateOptions %+v", o)
	}
	// The new container is listed and selected.
	h.waitFor("hello selected", func() bool { r, _ := h.containers().selected(); return r.Name == "hello" })
}

func TestRunDialogKeepsFieldsOnError(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	h.keys("n", "enter")
	h.waitScreen("type an image")
	h.keys("esc")
	h.runDialog("busybox", "web", "", "")
	h.keys("enter")
	// The engine refuses the name: the form comes back with the error.
	h.waitScreen(`the name "web" is already in use`, "Run a container", "› web")
	if o := eng.runCalls()[0]; !o.Tty || !o.OpenStdin {
		t.Errorf("the terminal is on by default: %+v", o)
	}
	h.keys("backspace", "backspace", "backspace")
	h.typeText("web2")
	h.keys("enter")
	h.waitScreen("Started web2")
	if h.containers().dialog != nil {
		t.Error("dialog still open")
	}
}

func TestRunCreatedButNotStarted(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	eng.ctrErr["Run"] = &container.StartError{Code: 127, Msg: `exec: "nosuch": executable file not found in $PATH`}
	h.runDialog("busybox", "bad", "nosuch", "")
	h.keys("enter")
	h.waitFor("the error in the status bar", func() bool {
		return strings.Contains(h.status(), `exec: "nosuch": executable file not found in $PATH`)
	})
	// The container exists, as docker run leaves it: listed and selected.
	h.waitFor("bad selected", func() bool { r, _ := h.containers().selected(); return r.Name == "bad" })
	if h.containers().dialog != nil {
		t.Error("the form came back for a container that exists")
	}
}

func TestRunMissingImagePullsThenRuns(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	h.runDialog("alpine", "a1", "sleep 1d", "")
	h.keys("enter")
	h.waitScreen("Image not found", "Image alpine not found locally. Pull it?")
	p := h.nextPullAfter("y")
	if p.Ref != "alpine" {
		t.Fatalf("PullImage(%q)", p.Ref)
	}
	// The normal pull machinery: its bars show in the dock.
	p.send(progress.Update{ID: "aaaaaaaaaaaa", State: progress.Downloading, Current: 1, Total: 2})
	h.waitScreen("aaaaaaaaaaaa Downloading", "⇣ 1 pull: alpine")
	p.finish(img("d4", 0, 1, "alpine:latest"))
	h.waitScreen("Started a1")
	runs := eng.runCalls()
	if len(runs) != 2 || runs[1].Image != "alpine" || runs[1].Name != "a1" || !slices.Equal(runs[1].Cmd, []string{"sleep", "1d"}) {
		t.Errorf("runs %+v", runs)
	}
	h.waitScreen("Containers (7)")
}

func TestRunMissingImageDeclined(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	h.runDialog("alpine", "", "", "")
	h.keys("enter")
	h.waitScreen("Pull it?")
	h.keys("n")
	h.settle()
	select {
	case p := <-eng.pulls:
		t.Errorf("pulled %s", p.Ref)
	default:
	}
	if len(eng.runCalls()) != 1 {
		t.Errorf("runs %v", eng.runCalls())
	}
}

func TestRunFailedPullDoesNotRun(t *testing.T) {
	h, eng := newContainersHarness(t, 80, 24)
	h.runDialog("alpine", "", "", "")
	h.keys("enter")
	h.waitScreen("Pull it?")
	p := h.nextPullAfter("y")
	p.fail(errors.New("pull alpine: unauthorized"))
	h.waitScreen("pull alpine: unauthorized")
	h.settle()
	if len(eng.runCalls()) != 1 {
		t.Errorf("ran after a failed pull: %v", eng.runCalls())
	}
}

// nextPullAfter types key and waits for the pull it starts.
func (h *harness) nextPullAfter(key string) *fakePull {
	h.t.Helper()
	h.keys(key)
	return h.nextPull()
}

func TestContainersNeverOverflow(t *testing.T) {
	h, _ := newContainersHarness(t, 120, 40) // the log view's: TestLogsNeverOverflow
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {200, 60}, {60, 15}, {30, 8}, {80, 24}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		h.keys("n")
		h.typeText("busybox")
		h.keys("tab", "esc", "?", "esc", "/")
		h.typeText("w")
		h.keys("esc", "esc")
	}
}
