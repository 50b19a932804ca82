package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestTUIMarkAndStopTwo filters the Containers pane, marks the two rows the
// filter leaves with space, stops both with one x and one confirmation, and
// sees them exited, while the container the filter hid keeps running.
func TestTUIMarkAndStopTwo(t *testing.T) {
	b, bb := withNetworks(t)
	loop := `trap "exit 0" TERM; while true; do sleep 0.2; done`
	for _, name := range []string{"alpha-1", "alpha-2", "beta"} {
		b.ok("run", "-d", "--network", "none", "--name", name, bb, "sh", "-c", loop)
	}
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (3)", "alpha-1", "alpha-2", "beta")

	tm.keys("/")
	tm.text("alpha")
	tm.keys("Enter")
	screen := tm.waitFor(5*time.Second, "Containers (2/3)")
	if strings.Contains(screen, "beta") {
		t.Fatalf("the filter still shows beta:\n%s", screen)
	}
	tm.keys("g", "Space", "Space")
	screen = tm.waitFor(5*time.Second, "2 marked")
	for _, name := range []string{"alpha-1", "alpha-2"} {
		if line := lineOf(screen, name); !strings.Contains(line, "▌") {
			t.Errorf("%s is not drawn marked: %q", name, line)
		}
	}
	tm.keys("x")
	tm.waitFor(5*time.Second, "Stop containers", "Stop 2 containers", "y yes")
	tm.keys("y")
	tm.waitFor(20*time.Second, "Stopped 2 containers")
	eventually(t, 10*time.Second, "both rows exited", func() bool {
		s := tm.screen()
		return strings.Contains(lineOf(s, "alpha-1"), "Exited (0)") && strings.Contains(lineOf(s, "alpha-2"), "Exited (0)")
	})
	if strings.Contains(tm.screen(), "marked") {
		t.Errorf("the marks outlived the action:\n%s", tm.screen())
	}
	for name, want := range map[string]string{"alpha-1": "exited", "alpha-2": "exited", "beta": "running"} {
		if s := b.inspect(name, "{{.State.Status}}"); s != want {
			t.Errorf("%s is %s, want %s", name, s, want)
		}
	}
	tm.keys("q")
	eventually(t, 5*time.Second, "berth to quit on q", func() bool { return !tm.alive() })
}
