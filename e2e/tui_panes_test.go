package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestTUINetworksPane creates a network from the Networks pane, sees a
// container of the CLI's on it, is refused its removal while in use, and
// removes it once it is not.
func TestTUINetworksPane(t *testing.T) {
	b, bb := withNetworks(t)
	subnet := testSubnet(t)
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (0)")
	tm.keys("3")
	tm.waitFor(10*time.Second, "Networks (3)", "bridge", "host", "none")

	tm.keys("n")
	tm.waitFor(5*time.Second, "Create a network")
	tm.text("tuinet")
	tm.keys("Tab")
	tm.text(subnet)
	tm.keys("Tab")
	tm.text("team=tui")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "Created network tuinet", "Networks (4)", subnet)

	var in []struct {
		Labels map[string]string
		IPAM   struct {
			Config []struct{ Subnet, Gateway string }
		}
	}
	if err := json.Unmarshal([]byte(b.ok("network", "inspect", "tuinet")), &in); err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || in[0].Labels["team"] != "tui" || len(in[0].IPAM.Config) != 1 || in[0].IPAM.Config[0].Subnet != subnet {
		t.Fatalf("the TUI's network as the CLI sees it: %+v", in)
	}

	// A container the CLI runs on it shows in its row by itself.
	b.ok("run", "-d", "--name", "member", "--network", "tuinet", bb, "sleep", "300")
	screen := tm.waitFor(10*time.Second, "member")
	if line := lineOf(screen, "tuinet"); !strings.Contains(line, "member") {
		t.Errorf("tuinet's row does not name member: %q", line)
	}
	// The cursor is still on tuinet (the new network is selected): d is
	// refused while member is on it.
	tm.keys("d")
	tm.waitFor(5*time.Second, "tuinet is in use by member")

	b.ok("rm", "-f", "member")
	eventually(t, 10*time.Second, "member to leave tuinet's row", func() bool {
		return !strings.Contains(lineOf(tm.screen(), "tuinet"), "member")
	})
	tm.keys("d")
	tm.waitFor(5*time.Second, "Remove network", "y yes")
	tm.keys("y")
	tm.waitFor(10*time.Second, "Removed network tuinet", "Networks (3)")
	if out := b.ok("network", "ls", "--format", "{{.Name}}"); strings.Contains(out, "tuinet") {
		t.Fatalf("tuinet still listed by the CLI:\n%s", out)
	}
	tm.keys("q")
	eventually(t, 5*time.Second, "berth to quit on q", func() bool { return !tm.alive() })
}

// TestTUIVolumesPane creates a volume from the Volumes pane, sees the
// container of the CLI's that mounts it and the size of what it wrote, is
// refused its removal while in use, and removes it once it is not. (The
// TUI lists networks too, which makes the default bridge: withNetworks
// takes it away.)
func TestTUIVolumesPane(t *testing.T) {
	b, bb := withNetworks(t)
	tm := startTUI(t, b, 120, 30)
	tm.waitFor(10*time.Second, "Containers (0)")
	tm.keys("4")
	tm.waitFor(10*time.Second, "Volumes (0)", "No volumes")

	tm.keys("n")
	tm.waitFor(5*time.Second, "Create a volume")
	tm.text("tuivol")
	tm.keys("Tab")
	tm.text("team=tui")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "Created volume tuivol", "Volumes (1)", "/tuivol/_data")
	if out := b.ok("volume", "ls", "--format", "{{.Name}} {{.Labels}}"); !strings.Contains(out, "tuivol team=tui") {
		t.Fatalf("the TUI's volume as the CLI sees it: %q", out)
	}

	// A container that mounts it shows in its row by itself.
	b.ok("run", "-d", "--name", "writer", "-v", "tuivol:/data", bb, "sh", "-c", "head -c 300000 /dev/zero > /data/blob; sleep 300")
	screen := tm.waitFor(10*time.Second, "writer")
	if line := lineOf(screen, "tuivol"); !strings.Contains(line, "writer") {
		t.Errorf("tuivol's row does not name writer: %q", line)
	}
	tm.keys("d")
	tm.waitFor(5*time.Second, "volume tuivol is in use by writer")
	// r measures again: the 300 kB the container wrote.
	tm.keys("r")
	tm.waitFor(10*time.Second, "300kB")

	b.ok("rm", "-f", "writer")
	eventually(t, 10*time.Second, "writer to leave tuivol's row", func() bool {
		return !strings.Contains(lineOf(tm.screen(), "tuivol"), "writer")
	})
	tm.keys("d")
	tm.waitFor(5*time.Second, "Remove volume", "y yes")
	tm.keys("y")
	tm.waitFor(10*time.Second, "Removed volume tuivol", "Volumes (0)")
	if out := b.ok("volume", "ls", "-q"); strings.TrimSpace(out) != "" {
		t.Fatalf("volumes still listed by the CLI: %q", out)
	}
	tm.keys("q")
	eventually(t, 5*time.Second, "berth to quit on q", func() bool { return !tm.alive() })
}

// lineOf is the first line of screen that contains s, or "".
func lineOf(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
