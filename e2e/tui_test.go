package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/internal/testimage"
)

// tmux is a private tmux server running berth's TUI in one window.
type tmux struct {
	t      *testing.T
	socket string
}

// newTmux starts a private tmux server for the test, ended with it.
func newTmux(t *testing.T) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the terminal tests: apt-get install tmux")
	}
	tm := &tmux{t: t, socket: fmt.Sprintf("berth-e2e-%d-%s", os.Getpid(), t.Name())}
	t.Cleanup(func() {
		exec.Command("tmux", "-L", tm.socket, "kill-server").Run()
		os.Remove(tmuxSocketPath(tm.socket)) // the server leaves it behind
	})
	return tm
}

// tmuxSocketPath is where tmux -L name puts its socket.
func tmuxSocketPath(name string) string {
	dir := os.Getenv("TMUX_TMPDIR")
	if dir == "" {
		dir = "/tmp"
	}
	return filepath.Join(dir, fmt.Sprintf("tmux-%d", os.Getuid()), name)
}

// berth opens a window of width×height running berth with args on b's
// root; a shell tail (e.g. "; sleep 5") may follow the args.
func (tm *tmux) berth(b *berth, width, height int, args string) {
	tm.t.Helper()
	cmd := fmt.Sprintf("env BERTH_ROOT=%s BERTH_RUN_ROOT=%s TERM=xterm-256color %s %s", b.root, b.runRoot, berthBin, args)
	tm.run("new-session", "-d", "-s", "tui", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), cmd)
}

// startTUI runs berth's TUI in a new tmux window.
func startTUI(t *testing.T, b *berth, width, height int) *tmux {
	t.Helper()
	tm := newTmux(t)
	tm.berth(b, width, height, "")
	return tm
}

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys types keys into the TUI (tmux key names, e.g. "Enter", or literal text).
func (tm *tmux) keys(keys ...string) { tm.run(append([]string{"send-keys", "-t", "tui"}, keys...)...) }

// text types s literally.
func (tm *tmux) text(s string) { tm.run("send-keys", "-t", "tui", "-l", s) }

func (tm *tmux) screen() string { return tm.run("capture-pane", "-p", "-t", "tui") }

// waitFor waits until the screen shows every one of wants, and returns it.
func (tm *tmux) waitFor(timeout time.Duration, wants ...string) string {
	tm.t.Helper()
	var screen string
	deadline := time.Now().Add(timeout)
	for {
		screen = tm.screen()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(screen, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen never showed %q; last screen:\n%s", missing, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *tmux) alive() bool {
	return exec.Command("tmux", "-L", tm.socket, "has-session", "-t", "tui").Run() == nil
}

func TestTUIPullShowsBarsThenImage(t *testing.T) {
	// Hold one layer half-way so the bars are on screen long enough to see.
	reg, held := stalledBig(t, 3, 8<<20, 3)
	testimage.Push(t, reg.Host, "busybox:latest", testimage.Busybox(t))

	b := newBerth(t)
	tm := startTUI(t, b, 100, 30)
	tm.waitFor(10*time.Second, "Containers (0)")
	tm.keys("1")
	tm.waitFor(5*time.Second, "Images (0)", "No images")

	tm.keys("p")
	tm.waitFor(5*time.Second, "Pull")
	tm.text(reg.Host + "/big")
	tm.keys("Enter")
	// Bars: the layer IDs, a downloading layer and completed ones.
	heldID := strings.TrimPrefix(held, "sha256:")[:12]
	screen := tm.waitFor(20*time.Second, heldID, "Downloading", "Pull complete")
	if !strings.Contains(screen, "MB") {
		t.Errorf("the bars show no sizes:\n%s", screen)
	}
	// The UI stays responsive while the pull runs: the help opens and closes.
	// (The help scrolls when it does not fit: its frame title is what
	// shows it is open.)
	tm.keys("?")
	tm.waitFor(5*time.Second, "─ Keys ─", "pulls panel")
	tm.keys("Escape")
	eventually(t, 5*time.Second, "the help to close", func() bool { return !strings.Contains(tm.screen(), "─ Keys ─") })

	// A pull from the CLI in another terminal appears in the list by itself.
	b.ok("pull", reg.Host+"/busybox")
	tm.waitFor(5*time.Second, reg.Host+"/busybox", "Images (1)")

	// The held pull is still on screen, still running.
	if screen := tm.screen(); !strings.Contains(screen, heldID) {
		t.Errorf("the running pull left the screen:\n%s", screen)
	}
}

func TestTUIPullRemoveQuit(t *testing.T) {
	reg := testimage.NewRegistry(t)
	testimage.Push(t, reg.Host, "big:latest", testimage.Big(t, 2, 4<<20))
	b := newBerth(t)
	tm := startTUI(t, b, 80, 24)
	tm.waitFor(10*time.Second, "Containers (0)")
	tm.keys("1")
	tm.waitFor(5*time.Second, "Images (0)")

	tm.keys("p")
	tm.text(reg.Host + "/big")
	tm.keys("Enter")
	screen := tm.waitFor(20*time.Second, "Pull complete", "Images (1)", reg.Host+"/big", "latest")
	for i, line := range strings.Split(screen, "\n") {
		if w := len([]rune(line)); w > 80 {
			t.Errorf("line %d is %d columns wide at 80x24: %q", i, w, line)
		}
	}
	if out := b.ok("images", "--format", "{{.Repository}}:{{.Tag}}"); strings.TrimSpace(out) != reg.Host+"/big:latest" {
		t.Fatalf("the CLI does not see the TUI's pull: %q", out)
	}

	// Remove it with d, confirmed.
	tm.keys("d")
	tm.waitFor(5*time.Second, "Remove image", "y yes")
	tm.keys("y")
	tm.waitFor(10*time.Second, "Images (0)")
	if out := b.ok("images", "-q"); out != "" {
		t.Fatalf("image still stored after d+y: %q", out)
	}

	tm.keys("q")
	eventually(t, 5*time.Second, "berth to quit on q", func() bool { return !tm.alive() })
}

func TestTUIContainers(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "fromcli", bb, "sleep", "300")
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (1)", "fromcli", "Up ")

	// Run a container from the dialog.
	tm.keys("n")
	tm.waitFor(5*time.Second, "Run a container")
	tm.text(bb)
	tm.keys("Tab")
	tm.text("ticker")
	tm.keys("Tab")
	tm.text(`sh -c 'trap "exit 0" TERM; while true; do echo tick; sleep 0.2; done'`)
	tm.keys("Tab")
	tm.keys("Tab")
	tm.keys("Space") // no terminal: a plain background process
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "Started ticker", "Containers (2)")
	if s := b.inspect("ticker", "{{.State.Status}}"); s != "running" {
		t.Fatalf("the dialog's container: %s", s)
	}

	// Its logs follow.
	tm.keys("l")
	tm.waitFor(5*time.Second, "─ ticker ─", "lines", "tick")
	tm.keys("Escape")

	// A container started by the CLI in another terminal shows up by itself.
	b.ok("run", "-d", "--name", "latecomer", bb, "sleep", "300")
	tm.waitFor(5*time.Second, "latecomer", "Containers (3)")

	// The cursor stays on ticker as rows come and go: stop it (its trap
	// answers SIGTERM at once).
	tm.keys("x")
	tm.waitFor(15*time.Second, "Stopped ticker", "Exited (0)")
	if s := b.inspect("ticker", "{{.State.Status}}"); s != "exited" {
		t.Errorf("after x: %s", s)
	}
	// Kill the newest one, at the top, confirmed.
	tm.keys("g")
	tm.keys("K")
	tm.waitFor(5*time.Second, "Send which signal to latecomer?", "SIGKILL: at once") // y is SIGKILL
	tm.keys("y")
	tm.waitFor(10*time.Second, "Exited (137)")
	if s := b.inspect("latecomer", "{{.State.Status}} {{.State.ExitCode}}"); s != "exited 137" {
		t.Errorf("after K y: %s", s)
	}
	// A container whose monitor and process are killed behind berth's back
	// is seen exited without any command being run.
	var in []struct{ State struct{ MonitorPid, Pid int } }
	json.Unmarshal([]byte(b.ok("container", "inspect", "fromcli")), &in)
	syscall.Kill(in[0].State.MonitorPid, syscall.SIGKILL)
	syscall.Kill(in[0].State.Pid, syscall.SIGKILL)
	tm.waitFor(10*time.Second, "Exited (255)")
	tm.keys("q")
}
