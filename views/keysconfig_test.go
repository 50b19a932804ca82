package views

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"berth/internal/config"
	"berth/ui"
	"berth/ui/uitest"
)

func parseConfig(t *testing.T, text string) config.Config {
	t.Helper()
	c, err := config.Parse("/c.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConfigKeysDriveHelpAndDispatch: an override changes what the key
// does, what help and the status line show, from one table.
func TestConfigKeysDriveHelpAndDispatch(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 40)
	err := h.app.applyKeys(parseConfig(t, `[keys]
"containers.stop" = "ctrl+x"
"containers.logs" = ["L", "ctrl+l"]
"app.help" = "ctrl+g"
`))
	if err != nil {
		t.Fatal(err)
	}
	h.selectRow("web")
	h.waitScreen("ctrl+x stop") // the status line's hints
	h.keys("x")
	h.settle()
	if c := eng.calls(); len(c) != 0 {
		t.Fatalf("x still acts: %v", c)
	}
	h.keys("ctrl+x")
	h.waitFor("stop", func() bool { c := eng.calls(); return len(c) > 0 })
	if c := eng.calls(); len(c) != 1 || c[0].Method != "Stop" || c[0].Ref != hexID("a1") {
		t.Errorf("calls %v: x must do nothing now, ctrl+x stop", c)
	}
	h.keys("?")
	if strings.Contains(h.screen(), "Keys") {
		t.Error("? still opens help")
	}
	h.keys("ctrl+g")
	h.waitScreen("Keys")
	for _, want := range []string{"ctrl+x", "L/ctrl+l", "follow the logs"} {
		if !strings.Contains(h.screen(), want) {
			t.Errorf("help lacks %q:\n%s", want, h.screen())
		}
	}
	if l := h.lineWith("stop"); strings.Contains(l, " x ") {
		t.Errorf("help still shows x for stop: %q", l)
	}
}

func TestConfigKeyMistakes(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"unknown action", "[keys]\n\"containers.stp\" = \"X\"\n", `config /c.toml line 2: no action "containers.stp": did you mean containers.stop?`},
		{"unknown pane", "[keys]\n\"boats.sail\" = \"X\"\n", `no action "boats.sail": name actions PANE.ACTION`},
		{"clash in a pane", "[keys]\n\"containers.stop\" = \"l\"\n", `line 2: key "l" of containers.stop is also containers.logs's: choose another key for containers.stop`},
		{"clash with the app", "[keys]\n\"images.pull\" = \"q\"\n", `key "q" of images.pull is also app.quit's`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newContainersHarness(t, 100, 30)
			err := h.app.applyKeys(parseConfig(t, tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestConfiguredApp(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) string {
		p := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	a, err := newConfiguredApp(ctx, sampleEngine(), Options{ConfigPath: write("theme = \"light\"\n[keys]\n\"containers.stop\" = \"Z\"\n")}, getenv)
	if err != nil || a.env.Styles.Theme.Name != "light" || a.startup != nil {
		t.Fatalf("good file: %v, theme %s, startup %v", err, a.env.Styles.Theme.Name, a.startup != nil)
	}
	if a.mouseOff {
		t.Error("mouse capture is on by default")
	}
	a, _ = newConfiguredApp(ctx, sampleEngine(), Options{ConfigPath: write("mouse = false\n")}, getenv)
	if !a.mouseOff {
		t.Error("mouse = false leaves capture on")
	}
	env["NO_COLOR"] = "1"
	a, _ = newConfiguredApp(ctx, sampleEngine(), Options{ConfigPath: write("theme = \"light\"\n")}, getenv)
	if a.env.Styles.Theme.Name != "plain" {
		t.Errorf("NO_COLOR: theme %s", a.env.Styles.Theme.Name)
	}
	a, _ = newConfiguredApp(ctx, sampleEngine(), Options{Theme: "high-contrast", ConfigPath: write("theme = \"light\"\n")}, getenv)
	if a.env.Styles.Theme.Name != "plain" || !a.noColor {
		t.Errorf("NO_COLOR and --theme: theme %s", a.env.Styles.Theme.Name)
	}
	delete(env, "NO_COLOR")
	a, _ = newConfiguredApp(ctx, sampleEngine(), Options{Theme: "high-contrast", ConfigPath: write("theme = \"light\"\n")}, getenv)
	if a.env.Styles.Theme.Name != "high-contrast" {
		t.Errorf("--theme wins over the file: theme %s", a.env.Styles.Theme.Name)
	}

	// A bad file: berth starts with the defaults and says so in one line.
	for text, want := range map[string]string{
		"theme = \"sepia\"\n":               `config ` + dir + `/config.toml line 1: theme: no theme "sepia": choose dark, light, high-contrast`,
		"theme = \"light\"\n[keys\n":        `line 2:`,
		"[keys]\n\"containers.stop\" = 1\n": `line 2: containers.stop: a key must be a string`,
	} {
		a, err := newConfiguredApp(ctx, sampleEngine(), Options{ConfigPath: write(text)}, getenv)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		var msgs []tea.Msg
		collect(a.startup, &msgs)
		if len(msgs) != 1 {
			t.Fatalf("%q: startup says %v", text, msgs)
		}
		st, _ := msgs[0].(ui.StatusMsg)
		if st.Level != ui.LevelError || !strings.Contains(st.Text, want) || strings.Contains(st.Text, "\n") {
			t.Errorf("%q: status %+v, want an error with %q", text, st, want)
		}
		if a.env.Styles.Theme.Name != "dark" || !a.env.Keys.Quit.Matches(uitest.Key("q")) {
			t.Errorf("%q: defaults not kept", text)
		}
	}
	if _, err := newConfiguredApp(ctx, sampleEngine(), Options{Theme: "sepia"}, getenv); err == nil ||
		!strings.Contains(err.Error(), `--theme: no theme "sepia"`) {
		t.Errorf("bad --theme: %v", err)
	}
}

// TestActionNames: every binding of a table has a name of its own (an
// override must not rebind two keys), and the names README.md gives exist.
func TestActionNames(t *testing.T) {
	h, _ := newContainersHarness(t, 100, 30)
	app, panes := h.app.keyTables(ui.KeyOverrides{})
	all := map[string]bool{}
	for _, table := range append(panes, app) {
		for n := range table {
			all[n] = true
		}
	}
	// Names are unique within a table: count the bindings.
	count := len(h.app.env.Keys.Bindings()) + 1 // and the pulls key
	for _, p := range h.app.panes {
		switch v := p.(type) {
		case *containersView:
			count += nonNav(v.binds)
		case *imagesView:
			count += nonNav(v.binds)
		case *networksView:
			count += nonNav(v.binds)
		case *volumesView:
			count += nonNav(v.binds)
		case *eventsView:
			count += 3
		}
	}
	count += 3 // the pulls panel
	lk := defaultLogsKeys()
	count += len(lk.actions()) // the log view's
	for _, bs := range defaultTabKeys().actions() {
		count += len(bs) // the detail area's and its tabs'
	}
	if len(all) != count {
		t.Errorf("%d action names for %d bindings: two share a name", len(all), count)
	}
	for _, n := range []string{"containers.attach", "containers.logs", "containers.inspect", "containers.start",
		"containers.stop", "containers.restart", "containers.kill", "containers.pause", "containers.remove",
		"containers.force-remove", "containers.run", "images.pull", "events.type", "events.follow",
		"app.help", "app.command", "detail.next-tab", "detail.previous-tab", "detail.tab-by-number", "detail.zoom",
		"detail.back", "inspect.fold", "inspect.collapse", "inspect.expand", "inspect.search", "layers.changes-only", "layers.image-mode", "app.copy", "app.mouse", "app.next-pane", "app.up", "app.session-focus", "app.quit"} {
		if !all[n] {
			t.Errorf("no action %s", n)
		}
	}
}

func nonNav[R any](bs []*binding[R]) int {
	n := 0
	for _, b := range bs {
		if !b.nav {
			n++
		}
	}
	return n
}
