package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"berth/engine/errdefs"
)

// objectsEngine is sampleEngine with two user networks (web and db on
// appnet) and three volumes (data mounted by db, an unused one, an
// anonymous one mounted by worker); web publishes a port.
func objectsEngine() *fakeEngine {
	eng := sampleEngine().withNetworks(
		userNet("a9", "appnet", "10.90.0.0/24", 2*time.Hour, hexID("a1"), hexID("b2")),
		userNet("c8", "backend", "10.91.0.0/24", 24*time.Hour),
	).withVolumes(
		vol("data", 3*time.Hour, 123_400_000),
		vol("scratch", 48*time.Hour, 0),
		vol(strings.Repeat("7f", 32), time.Hour, 4096),
	)
	for i := range eng.containers {
		c := &eng.containers[i]
		switch c.Name {
		case "web":
			c.NetworkMode, c.Ports = "appnet", "0.0.0.0:8080->80/tcp"
		case "db":
			c.NetworkMode, c.Mounts = "appnet", []string{"data"}
		case "worker":
			c.NetworkMode, c.Mounts = "bridge", []string{strings.Repeat("7f", 32), "/srv/site"}
		}
	}
	return eng
}

// newObjectsHarness opens the app on objectsEngine and goes to pane key.
func newObjectsHarness(t *testing.T, key string, w, h int) (*harness, *fakeEngine) {
	t.Helper()
	eng := objectsEngine()
	hs := newHarness(t, eng, w, h)
	hs.waitScreen("web", "12.34MiB")
	hs.keys(key)
	return hs, eng
}

func (h *harness) networks() *networksView { return h.app.panes[paneNetworks].(*networksView) }
func (h *harness) volumes() *volumesView   { return h.app.panes[paneVolumes].(*volumesView) }

// selectKey moves the cursor of list p to the row whose table key is key.
func selectRowOf[R any](h *harness, p *listPane[R], name string, key func(R) string) {
	h.t.Helper()
	h.keys("g")
	for range len(p.shown) {
		if r, ok := p.selected(); ok && key(r) == name {
			return
		}
		h.keys("j")
	}
	h.t.Fatalf("no row %s:\n%s", name, h.screen())
}

func TestNetworksList(t *testing.T) {
	h, _ := newObjectsHarness(t, "3", 120, 40)
	h.waitScreen("Networks (5)", "appnet")
	want := [][]string{
		{"NAME↑", "NETWORK", "ID", "DRIVER", "SUBNET", "GATEWAY", "CONTAINERS"},
		{"appnet", "a9a9a9a9a9a9", "bridge", "10.90.0.0/24", "10.90.0.1", "db,", "web"},
		{"backend", "c8c8c8c8c8c8", "bridge", "10.91.0.0/24", "10.91.0.1", "—"},
		{"bridge", "b0b0b0b0b0b0", "bridge", "172.30.0.0/16", "172.30.0.1", "—"},
		{"host", "b1b1b1b1b1b1", "host", "—", "—", "—"},
		{"none", "b2b2b2b2b2b2", "null", "—", "—", "—"},
	}
	lines := strings.Split(h.screen(), "\n")
	for i, w := range want {
		if got := fields(lines[2+i]); !slices.Equal(got, w) {
			t.Errorf("line %d = %q, want %q", 2+i, got, w)
		}
	}
	// Sorting by CONTAINERS puts the busiest first; by SUBNET numerically.
	for range ncolContainers {
		h.keys("s")
	}
	if !strings.Contains(h.screen(), "sort: CONTAINERS↓") || fields(lines[3])[0] != "appnet" {
		t.Errorf("sort by containers:\n%s", h.screen())
	}
	// The filter matches a container's name.
	h.keys("/")
	h.typeText("db")
	h.waitScreen("Networks (1/5)")
}

func TestNetworkCreateRemovePrune(t *testing.T) {
	h, eng := newObjectsHarness(t, "3", 80, 24)
	h.waitScreen("Networks (5)")

	// A subnet that is not a CIDR is refused in the form; one that overlaps
	// comes back from the engine with the form, focused on the subnet.
	h.keys("n")
	h.waitScreen("Create a network")
	h.typeText("web2net")
	h.keys("tab")
	h.typeText("10.90.0")
	h.keys("enter")
	h.waitScreen(`subnet "10.90.0" is not a CIDR`)
	h.typeText(".0/25")
	h.keys("tab")
	h.typeText("team=web, tier=front")
	h.keys("enter")
	h.waitScreen("overlaps network appnet", "Create a network", "10.90.0.0/25")
	for range len("10.90.0.0/25") {
		h.keys("backspace")
	}
	h.typeText("10.92.0.0/24")
	h.keys("enter")
	h.waitScreen("Created network web2net", "Networks (6)")
	if h.networks().dialog != nil {
		t.Fatal("the form stayed open")
	}
	creates := eng.netCreates
	last := creates[len(creates)-1]
	if last.Name != "web2net" || last.Subnet != "10.92.0.0/24" || last.Labels["team"] != "web" || last.Labels["tier"] != "front" {
		t.Errorf("CreateNetwork(%+v)", last)
	}
	// The new network is selected: d removes it, once confirmed.
	if r, _ := h.networks().selected(); r.Name != "web2net" {
		t.Fatalf("selected %q, want the new network", r.Name)
	}
	h.keys("d")
	h.waitScreen("Remove network", "Remove network web2net?")
	h.keys("n")
	if len(eng.netRemoves) != 0 {
		t.Fatal("removed without a yes")
	}
	h.keys("d", "y")
	h.waitScreen("Removed network web2net", "Networks (5)")

	// A network in use and a pre-defined one cannot be removed: d says why.
	selectRowOf(h, h.networks().listPane, "appnet", func(r networkRow) string { return r.Name })
	h.keys("d")
	h.waitScreen("appnet is in use by db, web: remove them or disconnect them first")
	selectRowOf(h, h.networks().listPane, "bridge", func(r networkRow) string { return r.Name })
	h.keys("d")
	h.waitScreen("bridge is a pre-defined network: it cannot be removed")
	if h.networks().dialog != nil || len(eng.netRemoves) != 1 {
		t.Fatalf("a disabled d acted: %v", eng.netRemoves)
	}

	// Prune names what it removes, and asks first.
	h.keys("X")
	h.waitScreen("Prune networks", "Remove 1 unused network: backend?")
	h.keys("y")
	h.waitScreen("Removed 1 network: backend", "Networks (4)")
	h.keys("X")
	h.waitScreen("X: none unused")
}

func TestNetworkInspect(t *testing.T) {
	h, eng := newObjectsHarness(t, "3", 80, 24)
	h.waitScreen("appnet")
	h.keys("enter")
	h.waitScreen("╭─ appnet", "1 Inspect", `"Subnet": "10.90.0.0/24"`)
	h.keys("G")
	h.waitScreen(`"Name": "db"`, `"IPv4Address": "10.90.0.2/24"`)
	if got := eng.netInspects; len(got) != 1 || got[0] != hexID("a9") {
		t.Errorf("Network(%q)", got)
	}
	h.keys("esc")
	h.waitScreen("Networks (5)")
}

func TestVolumesList(t *testing.T) {
	h, eng := newObjectsHarness(t, "4", 120, 40)
	h.waitScreen("Volumes (3)", "123MB")
	want := [][]string{
		{"VOLUME", "NAME↑", "DRIVER", "MOUNTPOINT", "SIZE", "CONTAINERS"},
		{"data", "local", "/var/lib/berth/volumes/data/_data", "123MB", "db"},
		{"scratch", "local", "/var/lib/berth/volumes/scratch/_data", "0B", "—"},
		{"7f7f7f7f7f7f", "local", "…mes/7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f/_data", "4.1kB", "worker"},
	}
	lines := strings.Split(h.screen(), "\n")
	for i, w := range want {
		if got := fields(lines[2+i]); !slices.Equal(got, w) {
			t.Errorf("line %d = %q, want %q", 2+i, got, w)
		}
	}
	// Container events reload the list but do not walk the volumes again.
	h.settle()
	before := eng.measures
	eng.setState("old", up(0))
	eng.emit("start", hexID("e5"))
	h.settle()
	if eng.measures != before {
		t.Errorf("a container event measured the volumes again")
	}
	h.keys("r")
	h.waitFor("r to measure", func() bool { return eng.measures == before+1 })
}

func TestVolumeCreateRemovePrune(t *testing.T) {
	h, eng := newObjectsHarness(t, "4", 80, 24)
	h.waitScreen("Volumes (3)")

	h.keys("n")
	h.waitScreen("Create a volume")
	h.typeText("../x")
	h.keys("enter")
	h.waitScreen(`invalid volume name "../x"`)
	for range 4 {
		h.keys("backspace")
	}
	h.typeText("data")
	h.keys("enter")
	h.waitScreen("volume data already exists")
	h.typeText("2")
	h.keys("tab")
	h.typeText("keep=yes")
	h.keys("enter")
	h.waitScreen("Created volume data2", "Volumes (4)")
	if c := eng.volCreates; len(c) != 1 || c[0].Name != "data2" || c[0].Labels["keep"] != "yes" {
		t.Errorf("CreateVolume(%+v)", c)
	}
	if r, _ := h.volumes().selected(); r.Name != "data2" {
		t.Fatalf("selected %q, want the new volume", r.Name)
	}
	h.keys("d")
	h.waitScreen("Remove volume data2? Its data is deleted.")
	h.keys("y")
	h.waitScreen("Removed volume data2", "Volumes (3)")

	// In use: d says by whom, and does nothing.
	selectRowOf(h, h.volumes().listPane, "data", func(r volumeRow) string { return r.Name })
	h.keys("d")
	h.waitScreen("volume data is in use by db: remove them first")
	if h.volumes().dialog != nil {
		t.Fatal("d opened a dialog on a volume in use")
	}

	h.keys("X")
	h.waitScreen("Prune volumes", "Remove 1 unused volume: scratch?")
	h.keys("y")
	h.waitScreen("Removed 1 volume, reclaimed 0B", "Volumes (2)")
	if got := eng.volRemoves; !slices.Equal(got, []string{"data2", "scratch"}) {
		t.Errorf("removed %q", got)
	}
}

func TestVolumeRemoveErrorIsShown(t *testing.T) {
	h, eng := newObjectsHarness(t, "4", 80, 24)
	h.waitScreen("scratch")
	// Another berth process mounts scratch meanwhile: the engine refuses.
	eng.mu.Lock()
	eng.containers = append(eng.containers, ctr("99", "late", "busybox", "sh", 0, up(0)))
	eng.containers[len(eng.containers)-1].Mounts = []string{"scratch"}
	eng.mu.Unlock()
	selectRowOf(h, h.volumes().listPane, "scratch", func(r volumeRow) string { return r.Name })
	h.keys("d", "y")
	h.waitFor("the error", func() bool { return strings.Contains(h.status(), "volume scratch is in use") })
	// The reload that follows shows who uses it.
	h.waitScreen("late")
}

func TestObjectPanesLoadErrors(t *testing.T) {
	eng := objectsEngine()
	eng.ctrListErr = errdefs.Unavailable("the store is busy")
	h := newHarness(t, eng, 80, 24)
	h.keys("3")
	h.waitScreen("Could not list networks: the store is busy")
	h.keys("4")
	h.waitScreen("Could not list volumes: the store is busy")
}
