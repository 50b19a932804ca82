package views

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"berth/engine/container"
	"berth/engine/errdefs"
	"berth/themes"
)

func TestParseRun(t *testing.T) {
	for _, tc := range []struct {
		line string
		want func(o container.CreateOptions) bool
		att  bool
	}{
		{"busybox", func(o container.CreateOptions) bool { return o.Image == "busybox" && len(o.Cmd) == 0 }, false},
		{"-d --name x busybox sleep 1d", func(o container.CreateOptions) bool {
			return o.Name == "x" && o.Image == "busybox" && slices.Equal(o.Cmd, []string{"sleep", "1d"})
		}, false},
		{"-it busybox sh", func(o container.CreateOptions) bool { return o.Tty && o.OpenStdin }, true},
		{"-dit busybox sh", func(o container.CreateOptions) bool { return o.Tty && o.OpenStdin }, false},
		{`-e A=1 -e "B=x y" -l team=db --rm busybox env`, func(o container.CreateOptions) bool {
			return slices.Equal(o.Env, []string{"A=1", "B=x y"}) && o.Labels["team"] == "db" && o.AutoRemove
		}, false},
		{"-p 8080:80 -v data:/data --tmpfs /run -m 64m --cpus 0.5 --restart always -w /srv -u 1000 --network none busybox ls -l", func(o container.CreateOptions) bool {
			return len(o.PortBindings) == 1 && len(o.Mounts) == 2 && o.Resources.Memory == 64<<20 &&
				o.Resources.NanoCPUs == 500_000_000 && o.Restart.Name == "always" && o.WorkingDir == "/srv" &&
				o.User == "1000" && o.NetworkMode == "none" && slices.Equal(o.Cmd, []string{"ls", "-l"})
		}, false},
		{"--entrypoint /bin/sh busybox -c id", func(o container.CreateOptions) bool {
			return o.Entrypoint != nil && (*o.Entrypoint)[0] == "/bin/sh" && slices.Equal(o.Cmd, []string{"-c", "id"})
		}, false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			words, err := splitWords(tc.line, "")
			if err != nil {
				t.Fatal(err)
			}
			r, err := parseRun(words)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(r.Opts) || r.Attach != tc.att {
				t.Errorf("options %+v, attach %v", r.Opts, r.Attach)
			}
		})
	}
}

func TestParseRunErrors(t *testing.T) {
	for line, want := range map[string]string{
		"":                        ":run needs an image: :run -d --name web busybox httpd -f",
		"-d":                      ":run needs an image",
		"--bogus busybox":         ":run: unknown flag: --bogus: it takes -d -i -t --rm --name",
		"--name":                  ":run: flag needs an argument",
		"-e NOVALUE busybox":      ":run -e NOVALUE: write KEY=value",
		"-m lots busybox":         ":run --memory:",
		"-p 99999:80 busybox":     ":run -p 99999:80:",
		"--restart sometimes x":   ":run --restart:",
		"-v relative/path:/x img": ":run -v relative/path:/x:",
	} {
		words, _ := splitWords(line, "")
		_, err := parseRun(words)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", line, err, want)
		}
		if err != nil && !errdefs.IsInvalidArgument(err) {
			t.Errorf("%q: %v is not an invalid argument", line, err)
		}
	}
}

func TestCommandCompletion(t *testing.T) {
	h, _ := newContainersHarness(t, 100, 30)
	h.keys("1")
	h.waitScreen("Images (4)")
	h.waitFor("the networks listed", func() bool { return h.app.panes[paneNetworks].(*networksView).loaded })
	for line, want := range map[string][]string{
		"":                   {"containers", "create", "df", "diff", "events", "exec", "help", "history", "images", "inspect", "keys", "kill", "layers", "load", "logs", "network", "networks", "pause", "prune", "pull", "quit", "rename", "restart", "rm", "rmi", "run", "save", "start", "stats", "stop", "system", "tag", "theme", "top", "unpause", "volume", "volumes"},
		"network ":           {"connect", "create", "disconnect", "prune", "rm"},
		"network rm ":        {"bridge", "host", "none"},
		"logs w":             {"web", "worker"},
		"inspect bu":         {"busybox", "busybox:1.36", "busybox:latest"},
		"st":                 {"start", "stats", "stop"},
		"sy":                 {"system"},
		"stop ":              {"cache", "db", "job", "old", "web", "worker"},
		"stop w":             {"web", "worker"},
		"stop web w":         {"web", "worker"},
		"theme ":             {"dark", "high-contrast", "light"},
		"theme dark ":        nil,
		"pull b":             {"busybox", "busybox:1.36", "busybox:latest"},
		"run -d --name x bu": {"busybox", "busybox:1.36", "busybox:latest"},
		"run -d --name ":     nil,
		"run busybox ":       nil,
		"run --rm -":         strings.Fields(runFlagNames),
		"nope ":              nil,
	} {
		_, got := h.app.completeLine(line)
		if w := slices.Sorted(slices.Values(want)); !slices.Equal(got, w) {
			t.Errorf("complete %q = %v, want %v", line, got, w)
		}
	}
}

// command types a command line and enters it.
func (h *harness) command(line string) {
	h.t.Helper()
	h.keys(":")
	h.typeText(line)
	h.keys("enter")
}

func TestCommandLine(t *testing.T) {
	h, eng := newContainersHarness(t, 100, 30)

	h.keys(":")
	h.typeText("sto")
	h.keys("tab")
	h.typeText("w")
	h.keys("tab")
	if got := h.app.cmdline.Value(); got != "stop w" {
		t.Errorf("after tabs: %q", got)
	}
	h.waitScreen("web", "worker", ":stop w")
	h.typeText("eb")
	h.keys("enter")
	h.waitScreen("Stopped web")
	if c := eng.calls(); len(c) == 0 || c[len(c)-1].Method != "Stop" || c[len(c)-1].Ref != "web" {
		t.Errorf("engine calls %v", c)
	}

	h.command("stop nosuch")
	h.waitScreen(":stop nosuch:")

	h.command("rm")
	h.waitScreen(":rm needs a container")

	h.command("frobnicate now")
	h.waitScreen("no command :frobnicate: try :pull, :run")
	h.command("stpo web")
	h.waitScreen("no command :stpo: did you mean :stop?")

	h.command("events")
	h.waitScreen("Events (")
	if h.app.active != paneEvents {
		t.Errorf("active pane %d", h.app.active)
	}
	h.command("containers")
	h.waitScreen("Containers (6)")

	h.command("theme light")
	h.waitScreen("Theme light")
	if h.app.env.Styles.Theme.Name != "light" {
		t.Errorf("theme %s", h.app.env.Styles.Theme.Name)
	}
	// The status cells are painted in the new theme (the styles change in
	// place: the pane's paints must follow).
	h.settle()
	light := themes.New(themes.Light())
	v := h.containers()
	i := slices.IndexFunc(v.shown, func(r containerRow) bool { return r.State.Status == container.Running && r.Busy == "" })
	if i < 0 {
		t.Fatal("no running container listed")
	}
	row := v.rowCache[v.shown[i].ID].row
	if got, want := row.Paint[ccolStatus].Render("x"), light.State.Running.Render("x"); got != want {
		t.Errorf("%s's running status after :theme light: %q, want %q", v.shown[i].Name, got, want)
	}
	h.command("theme mauve")
	h.waitScreen(`:theme: no theme "mauve": choose dark, light, high-contrast`)

	// History: up brings the last line back.
	h.keys(":", "up")
	if got := h.app.cmdline.Value(); got != "theme mauve" {
		t.Errorf("history: %q", got)
	}
	h.keys("esc")
	if h.app.cmdline.Active() {
		t.Error("esc leaves the command line open")
	}

	h.command("pull alpine")
	if p := h.nextPull(); p.Ref != "alpine" {
		t.Errorf("pull of %q", p.Ref)
	}

	h.command("help")
	h.waitScreen("Commands (:, tab completes)", ":run [FLAGS] IMAGE [CMD…]")
	h.keys("esc")

	h.command("q")
	h.waitScreen("Quit and cancel") // the pull of alpine runs
	h.keys("y")
	h.waitFor("quit", func() bool { return h.quit })
}

func TestCommandRun(t *testing.T) {
	h, eng := newContainersHarness(t, 100, 30)
	h.keys("1")
	h.command(`run -d --name x -e A=1 busybox sleep 1d`)
	h.waitScreen("Started x")
	runs := eng.runCalls()
	if len(runs) != 1 || runs[0].Name != "x" || !slices.Equal(runs[0].Cmd, []string{"sleep", "1d"}) || runs[0].Env[0] != "A=1" {
		t.Fatalf("runs %+v", runs)
	}
	if h.app.active != paneContainers {
		t.Error(":run shows the Containers pane")
	}
	h.waitFor("x selected", func() bool { r, ok := h.containers().selected(); return ok && r.Name == "x" })

	// A missing image is pulled, then run.
	h.command("run -d --name y alpine")
	p := h.nextPull()
	if p.Ref != "alpine" {
		t.Fatalf("pull of %q", p.Ref)
	}
	alpine := img("dd", 0, 3_000_000, "alpine:latest")
	p.result <- pullOutcome{add: &alpine}
	h.waitScreen("Started y")

	h.command("run --bogus busybox")
	h.waitScreen(":run: unknown flag: --bogus")
	if n := len(eng.runCalls()); n != 3 {
		t.Errorf("%d runs, want 3 (x, y before and after its pull)", n)
	}
}

func TestCopy(t *testing.T) {
	h, _ := newContainersHarness(t, 100, 30)
	h.selectRow("web")
	got := clipboard(h.app.copy())
	if !slices.Equal(got, []string{hexID("a1")}) {
		t.Errorf("copied %v, want web's ID", got)
	}
	h.keys("y")
	h.waitScreen("Copied the ID of web")

	h.keys("i")
	h.waitScreen("3 Inspect", `"Id": "a1a1`)
	got = clipboard(h.app.copy())
	if len(got) != 1 || !strings.HasPrefix(got[0], "{") || !strings.Contains(got[0], hexID("a1")) {
		t.Errorf("copied %v, want the inspect JSON", got)
	}

	// Nothing to copy: y says why, and help shows it disabled.
	h.keys("esc", "5")
	h.keys("y")
	h.waitScreen("y: nothing selected")
	h.keys("?")
	h.waitScreen("copy ID / JSON (nothing selected)")
}

// clipboard is what cmd sets the clipboard to (OSC 52).
func clipboard(cmd tea.Cmd) []string {
	var msgs []tea.Msg
	collect(cmd, &msgs)
	var out []string
	for _, m := range msgs {
		if m != nil && reflect.TypeOf(m).Name() == "setClipboardMsg" {
			out = append(out, fmt.Sprint(m))
		}
	}
	return out
}

func TestGoldenCommandHelp(t *testing.T) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x60", 200, 60}} {
		t.Run(sz.name, func(t *testing.T) {
			h, _ := newContainersHarness(t, sz.w, sz.h)
			h.command("help")
			h.waitScreen("Commands (:, tab completes)")
			golden(t, h, "help-commands-"+sz.name)
			h.keys("esc", "5") // a pane without a detail area, which follows the cursor in time
			h.command("keys")
			h.waitScreen("Actions", "app.")
			golden(t, h, "help-actions-"+sz.name)
		})
	}
}

func TestMoreCommands(t *testing.T) {
	h, eng := newContainersHarness(t, 120, 40)

	// An object's tab, by name.
	h.keys("1")
	h.command("logs db")
	h.waitScreen("─ db ─", "lines")
	if v := h.logsView(); v.ctrID != hexID("b2") {
		t.Errorf("logs of %q, want db's", v.ctrID)
	}
	if h.app.active != paneContainers {
		t.Errorf("pane %d", h.app.active)
	}
	if r, _ := h.containers().selected(); r.Name != "db" {
		t.Errorf("selected %s", r.Name)
	}
	h.keys("esc")
	h.command("inspect nosuch")
	h.waitScreen(`:inspect: no container, image, network or volume "nosuch" is listed`)
	h.command("inspect bridge")
	h.waitFor("the Networks pane", func() bool { return h.app.active == paneNetworks })
	h.waitScreen("Inspect")
	h.keys("esc")

	// Networks and volumes.
	h.command("network create appnet2 --subnet 10.91.0.0/24")
	h.waitScreen("Created network appnet2")
	if c := eng.netCreates; len(c) != 1 || c[0].Name != "appnet2" || c[0].Subnet != "10.91.0.0/24" {
		t.Errorf("network creates %+v", c)
	}
	h.command("network create")
	h.waitScreen(":network create needs a name")
	h.command("volume create data2")
	h.waitScreen("Created volume data2")
	h.command("volume rm data2")
	h.waitScreen("Removed volume data2")

	// Prune asks first.
	h.command("prune networks")
	h.waitScreen("Prune networks", "Remove every network no container is on?")
	h.keys("y")
	h.waitScreen("Pruned 1 network") // appnet2, on which nothing runs

	h.command("tag busybox mybox")
	h.waitScreen("Tagged busybox as mybox") // the fake can tag (listactions_test.go)
}

// TestHelpScrolls: at 80x24 the help of a busy screen does not fit; j and
// G scroll it, esc closes it and the next help starts at the top.
func TestHelpScrolls(t *testing.T) {
	h, _ := newContainersHarness(t, 80, 24)
	h.command("help")
	h.waitScreen("↓/j for more keys", ":pull REF")
	h.keys("G")
	h.waitScreen("↑/k for the keys above", "quit")
	if strings.Contains(h.screen(), ":pull REF") {
		t.Error("G did not scroll past the commands")
	}
	h.keys("g")
	h.waitScreen(":pull REF")
	h.keys("j", "j")
	if h.app.helpOffset != 2 {
		t.Errorf("offset %d after j j", h.app.helpOffset)
	}
	h.keys("esc")
	if h.app.help || h.app.helpOffset != 0 {
		t.Error("esc closes the help and forgets its place")
	}
	h.keys("?")
	h.waitScreen("Keys")
	if h.app.helpOffset != 0 {
		t.Error("a new help starts at the top")
	}
}
