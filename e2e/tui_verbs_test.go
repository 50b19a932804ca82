package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTUIVerbs does from the command line what the CLI's create, kill -s,
// diff, save and df do: a created container is listed as Created and not
// started; SIGTERM ends a container that traps it with 143; the Changes tab
// lists the file it added; save writes a tar the CLI loads.
func TestTUIVerbs(t *testing.T) {
	b, bb := withBusybox(t)
	b.ok("run", "-d", "--name", "tt", bb, "sh", "-c", "touch /added; trap 'exit 143' TERM; sleep 1d & wait")
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (1)", " tt ")

	tm.keys(":")
	tm.text("create --name cc " + bb + " true")
	tm.keys("Enter")
	screen := tm.waitFor(10*time.Second, "Created cc (", "Containers (2)")
	if line := lineOf(screen, " cc "); !strings.Contains(line, "Created") {
		t.Errorf("cc's row: %q", line)
	}
	if s := b.inspect("cc", "{{.State.Status}}"); s != "created" {
		t.Fatalf("cc is %s, want created (not started)", s)
	}

	tm.keys(":")
	tm.text("diff tt")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "Changes", "A  /added")
	tm.keys("Escape")
	tm.waitFor(5*time.Second, "Containers (2)") // an Esc followed at once by : would read as alt+:

	tm.keys(":")
	tm.text("kill -s TERM tt")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "Sent SIGTERM to tt")
	screen = tm.waitFor(10*time.Second, "Exited (143)")
	if line := lineOf(screen, " tt "); !strings.Contains(line, "Exited (143)") {
		t.Errorf("tt's row after SIGTERM: %q", line)
	}
	if code := b.inspect("tt", "{{.State.ExitCode}}"); code != "143" {
		t.Errorf("tt exited with %s, want 143", code)
	}

	tar := filepath.Join(t.TempDir(), "bb.tar")
	tm.keys(":")
	tm.text("save -o " + tar + " " + bb)
	tm.keys("Enter")
	tm.waitFor(20*time.Second, "Saved ")
	if fi, err := os.Stat(tar); err != nil || fi.Size() < 1024 {
		t.Fatalf("the saved tar: %v, %v", fi, err)
	}
	other := newBerth(t)
	if out := other.ok("load", "-i", tar); !strings.Contains(out, "Loaded image") {
		t.Errorf("berth load of the TUI's tar said %q", out)
	}

	tm.keys(":")
	tm.text("df")
	tm.keys("Enter")
	screen = tm.waitFor(10*time.Second, "Disk usage", "Local Volumes", "Build Cache")
	if line := lineOf(screen, "Containers  "); !strings.Contains(line, " 2 ") {
		t.Errorf("df's containers line: %q", line)
	}
	tm.keys("Escape")
	eventually(t, 5*time.Second, "the df dialog to close", func() bool { return !strings.Contains(tm.screen(), "Disk usage") })
	tm.keys(":")
	tm.text("q")
	tm.keys("Enter")
	eventually(t, 10*time.Second, "berth to quit on :q", func() bool { return !tm.alive() })
}
