package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// sgrRE finds the colours tmux writes (it maps the themes' colours to the
// 256 of the terminal it emulates): foregrounds and backgrounds, not the
// resets to the terminal's default.
var sgrRE = regexp.MustCompile(`\x1b\[[34]8;[25];[0-9;]*m`)

// colours are the distinct colour sequences of the title bar: the
// theme's (its text and which tab is active may change).
func (tm *tmux) colours() string {
	line, _, _ := strings.Cut(tm.run("capture-pane", "-p", "-e", "-t", "tui"), "\n")
	seqs := sgrRE.FindAllString(line, -1)
	slices.Sort(seqs)
	return strings.Join(slices.Compact(seqs), "")
}

// TestTUICommandLine drives the : command line as a user would: run a
// container, see it running in the list and its start in the Events pane,
// change the theme, quit.
func TestTUICommandLine(t *testing.T) {
	b, bb := withBusybox(t)
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (0)")
	dark := tm.colours()
	if !strings.Contains(dark, "48;5;") && !strings.Contains(dark, "48;2;") {
		t.Fatalf("the title bar has no background colour: %q", dark)
	}

	tm.keys(":")
	tm.text("run -d --name xx " + bb + " sleep 1d")
	tm.keys("Enter")
	screen := tm.waitFor(15*time.Second, "Started xx", "Containers (1)", "Up ")
	if line := lineOf(screen, " xx "); !strings.Contains(line, "sleep 1d") && !strings.Contains(line, "busybox") {
		t.Errorf("x's row: %q", line)
	}
	if s := b.inspect("xx", "{{.State.Status}}"); s != "running" {
		t.Fatalf("x is %s", s)
	}

	// Tab completes a container's name.
	tm.keys(":")
	tm.text("stop ")
	tm.keys("Tab")
	tm.waitFor(5*time.Second, ":stop xx")
	tm.keys("Escape")
	tm.waitFor(5*time.Second, "? help") // the status bar is back

	// The Events pane shows the container's create and start.
	tm.keys(":")
	tm.text("events")
	tm.keys("Enter")
	screen = tm.waitFor(5*time.Second, "Events (", "start", "create")
	if line := lineOf(screen, " start "); !strings.Contains(line, "container") || !strings.Contains(line, " xx ") {
		t.Errorf("start event: %q", line)
	}
	// A change made by the CLI elsewhere comes in live.
	b.ok("pause", "xx")
	tm.waitFor(5*time.Second, " pause ")
	b.ok("unpause", "xx")
	tm.waitFor(5*time.Second, " unpause ")

	tm.keys(":")
	tm.text("theme light")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "Theme light")
	eventually(t, 5*time.Second, "the light theme's colours", func() bool { return tm.colours() != dark })
	light := tm.colours()
	tm.keys(":")
	tm.text("theme dark")
	tm.keys("Enter")
	eventually(t, 5*time.Second, "the dark theme's colours again", func() bool { return tm.colours() == dark })
	tm.keys(":")
	tm.text("theme light")
	tm.keys("Enter")
	eventually(t, 5*time.Second, "the light theme's colours again", func() bool { return tm.colours() == light })

	tm.keys(":")
	tm.text("bogus")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "no command :bogus")

	tm.keys(":")
	tm.text("q")
	tm.keys("Enter")
	eventually(t, 10*time.Second, "berth to quit on :q", func() bool { return !tm.alive() })
	if s := b.inspect("xx", "{{.State.Status}}"); s != "running" {
		t.Errorf("x is %s after quitting: a detached container keeps running", s)
	}
}

// TestTUIConfigFile: the config file's theme and key overrides are taken;
// a bad one is named in the status bar and berth runs with its defaults.
func TestTUIConfigFile(t *testing.T) {
	b, bb := withBusybox(t)
	b.fails(`--theme: no theme "sepia": choose dark, light, high-contrast`, "--theme", "sepia")
	b.ok("run", "-d", "--name", "yy", bb, "sleep", "1d")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "berth"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "berth", "config.toml")
	write := func(s string) {
		if err := os.WriteFile(conf, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("theme = \"light\"\n[keys]\n\"containers.stop\" = \"Z\"\n")
	tm := newTmux(t)
	start := func(width int) {
		cmd := fmt.Sprintf("env XDG_CONFIG_HOME=%s BERTH_ROOT=%s BERTH_RUN_ROOT=%s TERM=xterm-256color %s", dir, b.root, b.runRoot, berthBin)
		tm.run("new-session", "-d", "-s", "tui", "-x", fmt.Sprint(width), "-y", "30", cmd)
	}
	quit := func() {
		tm.keys("q")
		// The server goes with its only session: wait for it before the
		// next one starts on the same socket.
		eventually(t, 10*time.Second, "berth and tmux to exit", func() bool {
			return exec.Command("tmux", "-L", tm.socket, "list-sessions").Run() != nil
		})
		time.Sleep(100 * time.Millisecond)
	}
	start(120)
	tm.waitFor(10*time.Second, "Containers (1)", "Z stop")
	light := tm.colours()
	// The theme :theme light draws is the one the file chose.
	tm.keys(":")
	tm.text("theme dark")
	tm.keys("Enter")
	eventually(t, 5*time.Second, "other colours", func() bool { return tm.colours() != light })
	tm.keys(":")
	tm.text("theme light")
	tm.keys("Enter")
	eventually(t, 5*time.Second, "the file's theme again", func() bool { return tm.colours() == light })
	tm.keys("x")
	time.Sleep(300 * time.Millisecond)
	if s := b.inspect("yy", "{{.State.Status}}"); s != "running" {
		t.Fatalf("x still stops: y is %s", s)
	}
	tm.keys("Z")
	tm.waitFor(15*time.Second, "Stopped yy")
	quit()

	// A mistake: said in one line; the rest of the file still applies.
	write("theme = \"light\"\n[keys]\n\"containers.stopp\" = \"X\"\n")
	start(250)
	screen := tm.waitFor(10*time.Second, "line 3: no action \"containers.stopp\": did you mean containers.stop?", "u start")
	if !strings.Contains(screen, conf) {
		t.Errorf("the error does not name %s:\n%s", conf, screen)
	}
	quit()
}

// TestTUINoColor: NO_COLOR draws without colours (reverse video marks the
// selection and the bars), and :theme says why it cannot change that.
func TestTUINoColor(t *testing.T) {
	b := newBerth(t)
	tm := newTmux(t)
	cmd := fmt.Sprintf("env NO_COLOR=1 BERTH_ROOT=%s BERTH_RUN_ROOT=%s TERM=xterm-256color %s", b.root, b.runRoot, berthBin)
	tm.run("new-session", "-d", "-s", "tui", "-x", "100", "-y", "24", cmd)
	tm.waitFor(10*time.Second, "Containers (0)")
	all := func() string { return tm.run("capture-pane", "-p", "-e", "-t", "tui") }
	if c := sgrRE.FindAllString(all(), -1); len(c) > 0 {
		t.Errorf("NO_COLOR: colours on screen: %q", c[:min(len(c), 5)])
	}
	if !strings.Contains(all(), "\x1b[7m") {
		t.Error("NO_COLOR: no reverse video for the bars")
	}
	tm.keys(":")
	tm.text("theme dark")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, ":theme: NO_COLOR is set")
	if sgrRE.MatchString(all()) {
		t.Error("colours after :theme dark with NO_COLOR")
	}
	tm.keys(":")
	tm.text("q")
	tm.keys("Enter")
	eventually(t, 10*time.Second, "berth to quit on :q", func() bool { return !tm.alive() })
}
